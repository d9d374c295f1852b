"""Who may do what, for every mutation and for reading a proposal: network staff, a member of
the session's review committee, a QI lead, a clinician proposed as presenter, the parent who
proposed, a clinician of another center, and someone not signed in.

A proposal someone may not see reads exactly like one that does not exist: ``NOT_FOUND``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from panels_helpers import (
    CONFIRM,
    DECIDE,
    GRANT,
    OPEN_CALL,
    REVIEW,
    SUBMIT,
    Cast,
    cast,
    icn_plugins,
    ok,
    propose,
    session_with_open_call,
)

from icn_graph.plugin_api import Database, utcnow
from icn_graph.testing import GraphQLClient

__all__ = ["icn_plugins"]

ROLES = ("staff", "committee", "qi_lead", "clinician", "parent", "outsider", "anonymous")
NODE = "query($id: ID!) { node(id: $id) { id } }"


def token(people: Cast, role: str) -> str | None:
    return None if role == "anonymous" else getattr(people, role).token


def outcome(body: dict[str, Any], field: str) -> str:
    """ "ok", a GraphQL error's code, or "userErrors:<field>:<code>"."""
    if body.get("errors"):
        assert len(body["errors"]) == 1, body
        code: str = body["errors"][0]["extensions"]["code"]
        return code
    value = body["data"][field]
    if isinstance(value, dict) and value.get("userErrors"):
        [error] = value["userErrors"]
        return f"userErrors:{error['field']}:{error['code']}"
    return "ok" if value is not None else "null"


@pytest.fixture
async def scene(db: Database, client: GraphQLClient) -> tuple[Cast, str]:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    await ok(
        client,
        GRANT,
        "grantReviewerRole",
        people.staff,
        learningSessionId=session,
        personId=people.committee.id,
    )
    return people, session


async def test_staff_alone_open_calls_and_grant_the_reviewer_role(
    client: GraphQLClient, scene: tuple[Cast, str]
) -> None:
    people, session = scene
    now = utcnow()
    call = {
        "learningSessionId": session,
        "opensAt": now.isoformat(),
        "closesAt": (now + timedelta(days=9)).isoformat(),
    }
    for role in ROLES:
        want = {"staff": "ok", "anonymous": "UNAUTHENTICATED"}.get(role, "FORBIDDEN")
        body = await client.execute(OPEN_CALL, {"input": call}, token=token(people, role))
        assert outcome(body, "openCallForProposals") == want, (role, body)
        grant = {"learningSessionId": session, "personId": people.qi_lead.id}
        body = await client.execute(GRANT, {"input": grant}, token=token(people, role))
        assert outcome(body, "grantReviewerRole") == want, (role, body)


async def test_every_member_may_propose_while_the_call_is_open(
    client: GraphQLClient, scene: tuple[Cast, str]
) -> None:
    people, session = scene
    for role in ROLES:
        proposal = {
            "learningSessionId": session,
            "title": f"An idea of the {role}",
            "kind": "POSTER",
            "abstract": "What we learned.",
        }
        body = await client.execute(SUBMIT, {"input": proposal}, token=token(people, role))
        want = "UNAUTHENTICATED" if role == "anonymous" else "ok"
        assert outcome(body, "submitProposal") == want, (role, body)


async def test_who_sees_answers_reviews_and_decides_a_proposal(
    client: GraphQLClient, scene: tuple[Cast, str]
) -> None:
    people, session = scene
    proposal = await propose(client, people.parent, session, presenters=[people.clinician])
    sees = {"staff", "committee", "clinician", "parent"}

    def seen_or(role: str, when_seen: str) -> str:
        if role == "anonymous":
            return "UNAUTHENTICATED"
        return when_seen if role in sees else "NOT_FOUND"

    for role in ROLES:
        body = await client.execute(NODE, {"id": proposal}, token=token(people, role))
        assert outcome(body, "node") == seen_or(role, "ok"), (role, body)
        answer = {"proposalId": proposal, "confirm": True}
        body = await client.execute(CONFIRM, {"input": answer}, token=token(people, role))
        presenter_only = "ok" if role == "clinician" else "FORBIDDEN"
        assert outcome(body, "confirmPresenter") == seen_or(role, presenter_only), (role, body)
        review = {"id": proposal, "score": 4, "comment": "Good"}
        body = await client.execute(REVIEW, {"input": review}, token=token(people, role))
        committee = "ok" if role in {"staff", "committee"} else "FORBIDDEN"
        assert outcome(body, "reviewProposal") == seen_or(role, committee), (role, body)

    # Staff decide last: a decision is final.
    for role in (*[r for r in ROLES if r != "staff"], "staff"):
        decision = {"id": proposal, "decision": "ACCEPT"}
        body = await client.execute(DECIDE, {"input": decision}, token=token(people, role))
        staff_only = "ok" if role == "staff" else "FORBIDDEN"
        assert outcome(body, "decideProposal") == seen_or(role, staff_only), (role, body)


async def test_nobody_reviews_or_decides_their_own_proposal(
    client: GraphQLClient, scene: tuple[Cast, str]
) -> None:
    people, session = scene
    by_staff = await propose(client, people.staff, session, presenters=[people.committee])
    for who in (people.staff, people.committee):
        body = await client.execute(
            REVIEW, {"input": {"id": by_staff, "score": 5}}, token=who.token
        )
        assert outcome(body, "reviewProposal") == "FORBIDDEN"
    body = await client.execute(
        DECIDE, {"input": {"id": by_staff, "decision": "ACCEPT"}}, token=people.staff.token
    )
    assert outcome(body, "decideProposal") == "FORBIDDEN"
