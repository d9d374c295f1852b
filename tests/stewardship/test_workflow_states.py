"""The state machine of a data request, through the API: submitted, in discussion, proposed,
awaiting centers, approved; rejected proposals, superseding ones, declined, withdrawn, expired."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from icn_graph.db.database import Database
from icn_graph.models import DataRequest
from icn_graph.schema.relay import parse_global_id
from icn_graph.testing import GraphQLClient
from tests.stewardship.workflow_helpers import (
    ACCEPT,
    COMMENT,
    DECIDE,
    DECLINE,
    PROPOSE,
    REJECT,
    REQUEST,
    VIEW,
    WITHDRAW,
    accepted_view,
    cast,
    new_request,
    ok,
    today,
    view_input,
)


async def state_of(client: GraphQLClient, request_id: str, token: str) -> str:
    data = await client.data(REQUEST, {"id": request_id}, token=token)
    state: str = data["node"]["state"]
    return state


async def test_the_story_from_request_to_approval(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    request = await new_request(client, people)
    assert request["state"] == "SUBMITTED"
    assert request["wholeNetwork"] is True
    assert request["viewerCanWithdraw"]
    assert request["viewerCanComment"]
    assert not request["viewerCanPropose"]
    assert not request["viewerCanDecline"]
    rid = request["id"]

    # The requester's own comment changes nothing; the data manager's starts the discussion.
    await ok(client, COMMENT, people.requester, {"dataRequestId": rid, "body": "Thanks!"})
    assert await state_of(client, rid, people.requester.token) == "SUBMITTED"
    payload = await ok(
        client, COMMENT, people.network_dm, {"dataRequestId": rid, "body": "Which centers?"}
    )
    assert payload["dataRequest"]["state"] == "IN_DISCUSSION"
    assert payload["comment"]["author"]["displayName"] == "Nia Network"

    first = await ok(client, PROPOSE, people.network_dm, view_input(rid, [people.a, people.b]))
    assert first["dataRequest"]["state"] == "PROPOSED"
    v1 = first["view"]
    assert v1["version"] == 1
    assert v1["status"] == "PROPOSED"
    assert sorted(c["letter"] for c in v1["centers"]) == ["A", "B"]
    rejected = await ok(
        client, REJECT, people.requester, {"id": v1["id"], "response": "No, by center."}
    )
    assert rejected["view"]["status"] == "REJECTED"
    assert rejected["view"]["response"] == "No, by center."
    assert rejected["dataRequest"]["state"] == "IN_DISCUSSION"

    second = await ok(client, PROPOSE, people.staff, view_input(rid, [people.a, people.b]))
    v2 = second["view"]
    assert v2["version"] == 2
    assert second["dataRequest"]["state"] == "PROPOSED"
    view = (await client.data(VIEW, {"id": v2["id"]}, token=people.requester.token))["node"]
    assert view["viewerCanAccept"]
    assert view["viewerCanReject"]
    accepted = await ok(client, ACCEPT, people.requester, {"id": v2["id"]})
    assert accepted["view"]["status"] == "ACCEPTED"
    assert accepted["dataRequest"]["state"] == "AWAITING_CENTERS"

    decided = await ok(
        client,
        DECIDE,
        people.qi_lead_a,
        {"dataViewId": v2["id"], "centerId": people.a, "decision": "CONSENT"},
    )
    assert decided["consent"]["purpose"] == "Spring 2014 Learning Session talk"
    assert decided["consent"]["audience"] == "PUBLIC"
    assert decided["view"]["dataRequest"]["state"] == "AWAITING_CENTERS"
    decided = await ok(
        client,
        DECIDE,
        people.qi_lead_b,
        {"dataViewId": v2["id"], "centerId": people.b, "decision": "DECLINE"},
    )
    assert decided["view"]["dataRequest"]["state"] == "APPROVED"

    # A new proposal from APPROVED supersedes the accepted view and asks the requester again.
    third = await ok(client, PROPOSE, people.network_dm, view_input(rid, [people.a]))
    assert third["dataRequest"]["state"] == "PROPOSED"
    data = await client.data(REQUEST, {"id": rid}, token=people.network_dm.token)
    statuses = [(v["version"], v["status"]) for v in data["node"]["views"]]
    assert statuses == [(1, "REJECTED"), (2, "SUPERSEDED"), (3, "PROPOSED")]
    assert data["node"]["currentView"]["version"] == 3

    withdrawn = await ok(client, WITHDRAW, people.requester, {"id": rid})
    assert withdrawn["dataRequest"]["state"] == "WITHDRAWN"
    data = await client.data(REQUEST, {"id": rid}, token=people.requester.token)
    assert not any(data["node"][f"viewerCan{verb}"] for verb in ("Comment", "Withdraw"))


async def test_a_view_naming_no_center_approves_at_once(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    request_id, view_id = await accepted_view(client, people, centers=[])
    assert await state_of(client, request_id, people.requester.token) == "APPROVED"
    view = (await client.data(VIEW, {"id": view_id}, token=people.requester.token))["node"]
    assert view["status"] == "ACCEPTED"
    assert view["centers"] == []


async def test_declined_and_withdrawn_requests_take_no_further_step(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    request = await new_request(client, people)
    declined = await ok(
        client, DECLINE, people.network_dm, {"id": request["id"], "reason": "Too small."}
    )
    assert declined["dataRequest"]["state"] == "DECLINED"
    assert declined["dataRequest"]["closedReason"] == "Too small."
    for document, who, values, field in (
        (PROPOSE, people.network_dm, view_input(request["id"], [people.a]), "dataRequestId"),
        (
            COMMENT,
            people.requester,
            {"dataRequestId": request["id"], "body": "Why?"},
            "dataRequestId",
        ),
        (WITHDRAW, people.requester, {"id": request["id"]}, "id"),
        (DECLINE, people.staff, {"id": request["id"], "reason": "Again"}, "id"),
    ):
        payload = await client.data(document, {"input": values}, token=who.token)
        [result] = payload.values()
        [error] = result["userErrors"]
        assert (error["field"], error["code"]) == (field, "CONFLICT")
        assert "declined" in error["message"]


async def test_a_request_past_its_expiry_reads_expired_and_takes_no_step(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    request_id, view_id = await accepted_view(client, people)
    withdrawn = await new_request(client, people, purpose="Another talk")
    await ok(client, WITHDRAW, people.requester, {"id": withdrawn["id"]})
    async with db.transaction() as session:
        await session.execute(update(DataRequest).values(expires_on=today() - timedelta(days=1)))
    assert await state_of(client, request_id, people.requester.token) == "EXPIRED"
    assert await state_of(client, withdrawn["id"], people.requester.token) == "WITHDRAWN"
    payload = await client.data(
        DECIDE,
        {"input": {"dataViewId": view_id, "centerId": people.a, "decision": "CONSENT"}},
        token=people.qi_lead_a.token,
    )
    [error] = payload["decideConsent"]["userErrors"]
    assert (error["field"], error["code"]) == ("dataViewId", "CONFLICT")
    assert "expired" in error["message"]
    listed = await client.data(
        "{ dataRequests(state: EXPIRED) { nodes { id } } "
        "other: dataRequests(state: WITHDRAWN) { nodes { id } } }",
        token=people.staff.token,
    )
    assert [node["id"] for node in listed["dataRequests"]["nodes"]] == [request_id]
    assert [node["id"] for node in listed["other"]["nodes"]] == [withdrawn["id"]]
    assert parse_global_id(request_id)[0] == "DataRequest"
