"""Refused input: each problem is a userError naming its field, nothing is written, never a 500."""

from __future__ import annotations

from datetime import date
from typing import Any

from icn_graph.db.database import Database
from icn_graph.models import CenterRole, Membership
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import GraphQLClient, snapshot, user_errors
from tests.stewardship.workflow_helpers import (
    ACCEPT,
    COMMENT,
    DECIDE,
    PROPOSE,
    REJECT,
    REQUEST_DATA,
    REVOKE,
    SET_STANDING,
    Cast,
    Member,
    accepted_view,
    cast,
    in_days,
    mutate,
    new_request,
    ok,
    request_input,
    view_input,
)


async def refused(
    db: Database, client: GraphQLClient, document: str, who: Member, input: dict[str, Any]
) -> list[tuple[str, str]]:
    """The (field, code) pairs of a refused mutation, which must have written nothing."""
    before = await snapshot(db)
    payload = await mutate(client, document, who, input)
    assert await snapshot(db) == before
    for error in payload["userErrors"]:
        assert error["message"], error
    return user_errors(payload)


async def test_request_data_names_every_refused_field(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    missing = to_global_id("Center", 999_999)
    errors = await refused(
        db,
        client,
        REQUEST_DATA,
        people.requester,
        request_input(
            purpose="  ",
            measureKeys=["remission_rate", "no_such_measure", "remission_rate"],
            periodStart="2014-03-15",
            periodEnd="2013-01-01",
            presentation="",
            expiresOn="2000-01-01",
            centerIds=[people.a, missing, people.a, "not-an-id"],
        ),
    )
    assert errors == [("centerIds[3]", "INVALID")]  # IDs are decoded before anything else
    errors = await refused(
        db,
        client,
        REQUEST_DATA,
        people.requester,
        request_input(
            purpose="  ",
            measureKeys=["remission_rate", "no_such_measure", "remission_rate"],
            periodStart="2014-03-15",
            periodEnd="2013-01-01",
            presentation="",
            expiresOn="2000-01-01",
            centerIds=[people.a, missing, people.a],
        ),
    )
    assert sorted(errors) == [
        ("centerIds[1]", "NOT_FOUND"),
        ("centerIds[2]", "INVALID"),
        ("expiresOn", "INVALID"),
        ("measureKeys[1]", "NOT_FOUND"),
        ("measureKeys[2]", "INVALID"),
        ("periodEnd", "INVALID"),
        ("presentation", "REQUIRED"),
        ("purpose", "REQUIRED"),
    ]
    assert await refused(
        db, client, REQUEST_DATA, people.requester, request_input(measureKeys=[])
    ) == [("measureKeys", "REQUIRED")]
    assert await refused(
        db, client, REQUEST_DATA, people.requester, request_input(periodEnd=in_days(400))
    ) == [("periodEnd", "INVALID")]
    assert await refused(
        db, client, REQUEST_DATA, people.requester, request_input(purpose="x" * 301)
    ) == [("purpose", "TOO_LONG")]
    # A period longer than a report's 240 months is refused, for a request and a view alike.
    assert await refused(
        db, client, REQUEST_DATA, people.requester, request_input(periodStart="1900-01-01")
    ) == [("periodStart", "INVALID")]


async def test_propose_names_every_refused_field(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    request = await new_request(client, people)
    errors = await refused(
        db,
        client,
        PROPOSE,
        people.network_dm,
        view_input(
            request["id"],
            [people.a, to_global_id("Center", 424_242)],
            measureKey="nope",
            periodStart="2014-02-01",
            periodEnd="2014-01-01",
        ),
    )
    assert sorted(errors) == [
        ("centerIds[1]", "NOT_FOUND"),
        ("measureKey", "NOT_FOUND"),
        ("periodEnd", "INVALID"),
    ]
    assert await refused(
        db,
        client,
        PROPOSE,
        people.network_dm,
        view_input(request["id"], [], includeNetwork=False),
    ) == [("includeNetwork", "INVALID")]
    assert await refused(
        db,
        client,
        PROPOSE,
        people.network_dm,
        view_input(request["id"], [people.a], periodStart="0001-01-01"),
    ) == [("periodStart", "INVALID")]
    assert await refused(
        db,
        client,
        PROPOSE,
        people.network_dm,
        view_input(to_global_id("DataRequest", 999), [people.a]),
    ) == [("dataRequestId", "NOT_FOUND")]
    assert await refused(
        db, client, PROPOSE, people.network_dm, view_input(people.a, [people.a])
    ) == [("dataRequestId", "INVALID")]


async def test_answers_to_a_view_in_the_wrong_state_say_why(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    request_id, view_id = await accepted_view(client, people)
    payload = await mutate(client, ACCEPT, people.requester, {"id": view_id})
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == ("id", "CONFLICT")
    assert error["message"] == "This view is already accepted."
    assert await refused(
        db, client, REJECT, people.requester, {"id": view_id, "response": "no"}
    ) == [("id", "CONFLICT")]
    newer = await ok(client, PROPOSE, people.network_dm, view_input(request_id, [people.a]))
    payload = await mutate(
        client,
        DECIDE,
        people.qi_lead_a,
        {"dataViewId": view_id, "centerId": people.a, "decision": "CONSENT"},
    )
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == ("dataViewId", "CONFLICT")
    assert "later proposal" in error["message"]
    payload = await mutate(
        client,
        DECIDE,
        people.qi_lead_a,
        {"dataViewId": newer["view"]["id"], "centerId": people.a, "decision": "CONSENT"},
    )
    [error] = payload["userErrors"]
    assert error["message"] == "The requester has not accepted this view yet."
    assert await refused(
        db, client, REJECT, people.requester, {"id": newer["view"]["id"], "response": " "}
    ) == [("response", "REQUIRED")]


async def test_decisions_refuse_a_scope_beyond_the_request(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    _request_id, view_id = await accepted_view(client, people)
    decide = {"dataViewId": view_id, "centerId": people.a, "decision": "CONSENT"}
    assert await refused(
        db, client, DECIDE, people.qi_lead_a, decide | {"expiresOn": in_days(181)}
    ) == [("expiresOn", "INVALID")]
    assert await refused(
        db, client, DECIDE, people.qi_lead_a, decide | {"expiresOn": in_days(-1)}
    ) == [("expiresOn", "INVALID")]
    # A decider of a center the request does not name does not see it at all.
    assert await refused(db, client, DECIDE, people.qi_lead_c, decide | {"centerId": people.c}) == [
        ("dataViewId", "NOT_FOUND")
    ]
    # Center A's QI lead, who also leads center C, cannot answer for C in a view without it.
    async with db.transaction() as session:
        session.add(
            Membership(
                person_id=people.qi_lead_a.person.id,
                center_id=people.center_c.id,
                role=CenterRole.QI_LEAD,
                since=date(2015, 1, 1),
            )
        )
    assert await refused(db, client, DECIDE, people.qi_lead_a, decide | {"centerId": people.c}) == [
        ("centerId", "NOT_FOUND")
    ]
    assert await refused(
        db, client, DECIDE, people.qi_lead_a, decide | {"dataViewId": to_global_id("DataView", 9)}
    ) == [("dataViewId", "NOT_FOUND")]
    consent = (await ok(client, DECIDE, people.qi_lead_a, decide | {"expiresOn": in_days(30)}))[
        "consent"
    ]
    assert consent["expiresOn"] == in_days(30)
    declined = (
        await ok(
            client, DECIDE, people.qi_lead_b, decide | {"centerId": people.b, "decision": "DECLINE"}
        )
    )["consent"]
    assert await refused(db, client, REVOKE, people.qi_lead_b, {"id": declined["id"]}) == [
        ("id", "INVALID")
    ]
    await ok(client, REVOKE, people.qi_lead_a, {"id": consent["id"], "reason": "Changed mind"})
    assert await refused(db, client, REVOKE, people.qi_lead_a, {"id": consent["id"]}) == [
        ("id", "CONFLICT")
    ]
    assert await refused(
        db, client, REVOKE, people.qi_lead_a, {"id": to_global_id("DisplayConsent", 999)}
    ) == [("id", "NOT_FOUND")]


async def test_a_replaced_decision_cannot_be_revoked(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    _request_id, view_id = await accepted_view(client, people)
    decide = {"dataViewId": view_id, "centerId": people.a, "decision": "CONSENT"}
    first = (await ok(client, DECIDE, people.qi_lead_a, decide))["consent"]
    second = (await ok(client, DECIDE, people.data_manager_a, decide | {"decision": "UNNAMED"}))[
        "consent"
    ]
    assert first["viewerCanRevoke"] is True  # as it was answered
    payload = await mutate(client, REVOKE, people.qi_lead_a, {"id": first["id"]})
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == ("id", "CONFLICT")
    assert "later decision" in error["message"]
    await ok(client, REVOKE, people.qi_lead_a, {"id": second["id"]})


async def test_comments_and_standing_consent_validate_their_text(
    db: Database, client: GraphQLClient
) -> None:
    people: Cast = await cast(db)
    request = await new_request(client, people)
    assert await refused(
        db, client, COMMENT, people.requester, {"dataRequestId": request["id"], "body": "\u202e"}
    ) == [("body", "INVALID")]
    assert await refused(
        db,
        client,
        SET_STANDING,
        people.qi_lead_a,
        {"centerId": people.a, "preference": "IDENTIFIED", "validUntil": in_days(-2)},
    ) == [("validUntil", "INVALID")]
    assert await refused(
        db,
        client,
        SET_STANDING,
        people.qi_lead_a,
        {"centerId": to_global_id("Center", 777), "preference": "IDENTIFIED"},
    ) == [("centerId", "NOT_FOUND")]
