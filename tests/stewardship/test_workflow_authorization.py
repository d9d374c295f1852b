"""Who may do what, for every mutation and every role around one request: the requester (a
parent partner of center A), another parent (of center B), the QI lead and the data manager of a
named center (A), the QI lead of another named center (B) and of a center never named (C), the
network's data manager, network staff, and an anonymous caller.

OK: the mutation succeeds. FORBIDDEN: a GraphQL error (the caller sees the request but may not
act). NOT_FOUND: a userError, as if the request did not exist (the caller may not see it).
UNAUTHENTICATED: a GraphQL error. Each refusal writes nothing, and each ``viewerCan…`` answers
as the mutation does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from icn_graph.db.database import Database
from icn_graph.testing import GraphQLClient, snapshot
from tests.helpers import error_codes
from tests.stewardship.workflow_helpers import (
    ACCEPT,
    COMMENT,
    DECIDE,
    DECLINE,
    PROPOSE,
    REJECT,
    REQUEST_DATA,
    REVOKE,
    SET_STANDING,
    WITHDRAW,
    Cast,
    accepted_view,
    cast,
    new_request,
    ok,
    request_input,
    view_input,
)

ROLES = (
    "requester",
    "other_parent",
    "qi_lead_a",
    "data_manager_a",
    "qi_lead_b",
    "qi_lead_c",
    "network_dm",
    "staff",
    "anonymous",
)
OK, FORBIDDEN, NOT_FOUND, UNAUTHENTICATED = "OK", "FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"

Setup = Callable[[GraphQLClient, Cast], Awaitable[tuple[dict[str, Any], str | None]]]
"""Makes the state a mutation acts on: its input, and a query of the matching ``viewerCan…``
(with ``$id``) or None."""


async def _open_request(client: GraphQLClient, people: Cast) -> tuple[str, str]:
    """A request whose proposed view names A and B: (request ID, view ID)."""
    request = await new_request(client, people)
    proposed = await ok(
        client, PROPOSE, people.network_dm, view_input(request["id"], [people.a, people.b])
    )
    return request["id"], proposed["view"]["id"]


def _can(type_name: str, field: str) -> str:
    return f"query($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ {field} }} }} }}"


async def _request_data(client: GraphQLClient, people: Cast) -> tuple[dict[str, Any], str | None]:
    return request_input(), None


async def _comment(client: GraphQLClient, people: Cast) -> tuple[dict[str, Any], str | None]:
    request_id, _view = await _open_request(client, people)
    return {"dataRequestId": request_id, "body": "A thought"}, request_id


async def _propose(client: GraphQLClient, people: Cast) -> tuple[dict[str, Any], str | None]:
    request_id, _view = await _open_request(client, people)
    return view_input(request_id, [people.a, people.b]), request_id


async def _answer(client: GraphQLClient, people: Cast) -> tuple[dict[str, Any], str | None]:
    _request, view_id = await _open_request(client, people)
    return {"id": view_id}, view_id


async def _reject(client: GraphQLClient, people: Cast) -> tuple[dict[str, Any], str | None]:
    _request, view_id = await _open_request(client, people)
    return {"id": view_id, "response": "Another way"}, view_id


async def _decline(client: GraphQLClient, people: Cast) -> tuple[dict[str, Any], str | None]:
    request_id, _view = await _open_request(client, people)
    return {"id": request_id, "reason": "Not now"}, request_id


async def _withdraw(client: GraphQLClient, people: Cast) -> tuple[dict[str, Any], str | None]:
    request_id, _view = await _open_request(client, people)
    return {"id": request_id}, request_id


async def _decide(client: GraphQLClient, people: Cast) -> tuple[dict[str, Any], str | None]:
    _request, view_id = await accepted_view(client, people)
    return {"dataViewId": view_id, "centerId": people.a, "decision": "CONSENT"}, view_id


async def _revoke(client: GraphQLClient, people: Cast) -> tuple[dict[str, Any], str | None]:
    _request, view_id = await accepted_view(client, people)
    decided = await ok(
        client,
        DECIDE,
        people.qi_lead_a,
        {"dataViewId": view_id, "centerId": people.a, "decision": "CONSENT"},
    )
    return {"id": decided["consent"]["id"], "reason": "After the session"}, decided["consent"]["id"]


async def _standing(client: GraphQLClient, people: Cast) -> tuple[dict[str, Any], str | None]:
    return {"centerId": people.a, "preference": "IDENTIFIED_WITHIN_NETWORK"}, people.a


@dataclass(frozen=True)
class Case:
    document: str
    setup: Setup
    can: str | None  # the viewerCan… query answering for the same caller
    expected: dict[str, str]
    can_also: frozenset[str] = frozenset()  # roles whose viewerCan… is true for another reason


def _expect(ok_for: set[str], forbidden_for: set[str]) -> dict[str, str]:
    """The outcome per role: OK, FORBIDDEN, NOT_FOUND for the rest; anonymous: UNAUTHENTICATED."""
    found = {}
    for role in ROLES:
        if role == "anonymous":
            found[role] = UNAUTHENTICATED
        elif role in ok_for:
            found[role] = OK
        elif role in forbidden_for:
            found[role] = FORBIDDEN
        else:
            found[role] = NOT_FOUND
    return found


SEES = {"requester", "qi_lead_a", "data_manager_a", "qi_lead_b", "network_dm", "staff"}
STEWARDS = {"network_dm", "staff"}
A_DECIDERS = {"qi_lead_a", "data_manager_a"}

CASES = {
    "requestData": Case(REQUEST_DATA, _request_data, None, _expect(set(ROLES), set())),
    "commentOnDataRequest": Case(
        COMMENT, _comment, _can("DataRequest", "viewerCanComment"), _expect(SEES, set())
    ),
    "proposeDataView": Case(
        PROPOSE, _propose, _can("DataRequest", "viewerCanPropose"), _expect(STEWARDS, SEES)
    ),
    "acceptDataView": Case(
        ACCEPT, _answer, _can("DataView", "viewerCanAccept"), _expect({"requester"}, SEES)
    ),
    "rejectDataView": Case(
        REJECT, _reject, _can("DataView", "viewerCanReject"), _expect({"requester"}, SEES)
    ),
    "declineDataRequest": Case(
        DECLINE, _decline, _can("DataRequest", "viewerCanDecline"), _expect(STEWARDS, SEES)
    ),
    "withdrawDataRequest": Case(
        WITHDRAW,
        _withdraw,
        _can("DataRequest", "viewerCanWithdraw"),
        _expect({"requester", "staff"}, SEES),
    ),
    # DataView.viewerCanDecide: for any of its centers (center B's QI lead decides for B).
    "decideConsent": Case(
        DECIDE,
        _decide,
        _can("DataView", "viewerCanDecide"),
        _expect(A_DECIDERS, SEES),
        can_also=frozenset({"qi_lead_b"}),
    ),
    # Center B's QI lead sees the request but not center A's row: not found, like a stranger.
    "revokeConsent": Case(
        REVOKE,
        _revoke,
        _can("DisplayConsent", "viewerCanRevoke"),
        _expect(A_DECIDERS, SEES - {"qi_lead_b"}),
    ),
    "setStandingConsent": Case(
        SET_STANDING,
        _standing,
        _can("Center", "viewerCanSetStandingConsent"),
        _expect(A_DECIDERS, set(ROLES)),
    ),
}


async def _attempt(
    client: GraphQLClient, document: str, token: str | None, input: dict[str, Any]
) -> str:
    body = await client.execute(document, {"input": input}, token=token)
    codes = error_codes(body)
    if codes:
        assert len(codes) == 1, body
        return codes[0]
    [payload] = body["data"].values()
    errors = payload["userErrors"]
    if not errors:
        return OK
    [error] = errors
    assert error["code"] == NOT_FOUND, error
    return NOT_FOUND


async def _viewer_can(
    client: GraphQLClient, query: str, node_id: str | None, token: str | None
) -> bool:
    """The ``viewerCan…`` of ``query``; False when the caller cannot see the node at all."""
    body = await client.execute(query, {"id": node_id}, token=token)
    if error_codes(body):
        assert error_codes(body) == ["NOT_FOUND"], body
        return False
    field = query.rsplit("{", 1)[1].split("}")[0].strip()
    value = body["data"]["node"][field]
    assert isinstance(value, bool)
    return value


@pytest.mark.parametrize("mutation", sorted(CASES))
async def test_who_may_call_each_mutation(
    mutation: str, db: Database, client: GraphQLClient
) -> None:
    case = CASES[mutation]
    people = await cast(db)
    tokens: dict[str, str | None] = {
        role: getattr(people, role).token for role in ROLES if role != "anonymous"
    }
    tokens["anonymous"] = None
    refused_input, can_id = await case.setup(client, people)
    outcomes = {}
    for role in ROLES:
        if case.expected[role] == OK:
            continue
        before = await snapshot(db)
        outcomes[role] = await _attempt(client, case.document, tokens[role], refused_input)
        assert await snapshot(db) == before, f"{mutation} by {role} wrote something"
        if case.can is not None and role != "anonymous":
            expected_can = role in case.can_also
            assert await _viewer_can(client, case.can, can_id, tokens[role]) is expected_can, (
                mutation,
                role,
            )
    for role in ROLES:
        if case.expected[role] != OK:
            continue
        fresh_input, fresh_id = await case.setup(client, people)
        if case.can is not None:
            assert await _viewer_can(client, case.can, fresh_id, tokens[role]) is True, (
                mutation,
                role,
            )
        outcomes[role] = await _attempt(client, case.document, tokens[role], fresh_input)
    assert outcomes == case.expected
