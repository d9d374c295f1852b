"""Reading requests: who sees which in ``dataRequests`` and its filters, which center rows each
sees, and standing preferences that suggest an answer (and are named when the answer follows)."""

from __future__ import annotations

from icn_graph.db.database import Database
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import GraphQLClient
from tests.helpers import error_codes
from tests.stewardship.workflow_helpers import (
    ACCEPT,
    DECIDE,
    PROPOSE,
    REQUEST_DATA,
    SET_STANDING,
    VIEW,
    Member,
    accepted_view,
    cast,
    in_days,
    new_request,
    ok,
    request_input,
    view_input,
)

LIST = """
query($state: DataRequestState, $requesterId: ID, $centerId: ID) {
  dataRequests(state: $state, requesterId: $requesterId, centerId: $centerId) {
    totalCount nodes { purpose }
  }
}
"""

STANDING = """
query($id: ID!) { node(id: $id) { ... on Center {
  standingConsent { preference validUntil inForce } viewerCanSetStandingConsent
} } }
"""


async def purposes(client: GraphQLClient, who: Member, **variables: str) -> list[str]:
    data = await client.data(LIST, variables, token=who.token)
    assert data["dataRequests"]["totalCount"] == len(data["dataRequests"]["nodes"])
    return [node["purpose"] for node in data["dataRequests"]["nodes"]]


async def test_each_person_lists_the_requests_they_may_see(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    await new_request(client, people, purpose="Network only")
    asked = await new_request(client, people, purpose="Asks B", centerIds=[people.b])
    proposed = await new_request(client, people, purpose="View names A")
    await ok(client, PROPOSE, people.network_dm, view_input(proposed["id"], [people.a]))
    await ok(
        client,
        PROPOSE,
        people.network_dm,
        view_input(asked["id"], []),
    )
    other = (
        await ok(client, REQUEST_DATA, people.other_parent, request_input(purpose="Other parent's"))
    )["dataRequest"]
    await ok(client, PROPOSE, people.staff, view_input(other["id"], [people.a]))
    everything = ["View names A", "Asks B", "Network only"]

    assert await purposes(client, people.requester) == everything
    assert await purposes(client, people.network_dm) == ["Other parent's", *everything]
    assert await purposes(client, people.staff) == ["Other parent's", *everything]
    assert await purposes(client, people.qi_lead_a) == ["Other parent's", "View names A"]
    assert await purposes(client, people.data_manager_a) == ["Other parent's", "View names A"]
    assert await purposes(client, people.qi_lead_b) == ["Asks B"]
    assert await purposes(client, people.qi_lead_c) == []
    assert await purposes(client, people.other_parent) == ["Other parent's"]

    staff = people.staff
    assert await purposes(client, staff, centerId=people.b) == ["Asks B"]
    assert await purposes(client, staff, centerId=people.a) == ["Other parent's", "View names A"]
    assert await purposes(client, staff, requesterId=people.requester.id) == everything
    assert await purposes(client, staff, requesterId=people.staff.id) == []
    assert await purposes(client, staff, state="SUBMITTED") == ["Network only"]
    assert await purposes(client, staff, state="PROPOSED") == [
        "Other parent's",
        "View names A",
        "Asks B",
    ]
    body = await client.execute(LIST, {"centerId": people.requester.id}, token=staff.token)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    body = await client.execute(LIST, {})
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_a_center_sees_its_own_row_and_no_other(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    _request, view_id = await accepted_view(client, people)
    rows = {}
    for who in (people.requester, people.qi_lead_a, people.qi_lead_b, people.network_dm):
        data = await client.data(VIEW, {"id": view_id}, token=who.token)
        rows[who.person.display_name] = sorted(
            row["center"]["name"] for row in data["node"]["centers"]
        )
    both = ["Cincinnati Children's", "Seattle Children's"]
    assert rows == {
        "Pat Parent": both,
        "Dr. Quinn A": ["Cincinnati Children's"],
        "Dr. Quinn B": ["Seattle Children's"],
        "Nia Network": both,
    }
    # Staff see the view but may not decide for a center.
    data = await client.data(VIEW, {"id": view_id}, token=people.staff.token)
    assert not any(row["viewerCanDecide"] for row in data["node"]["centers"])
    assert data["node"]["viewerCanDecide"] is False


async def test_only_stewards_and_a_center_s_own_team_know_its_letter(
    db: Database, client: GraphQLClient
) -> None:
    """A blinded center's values are in every rendering of the view: the requester, who knows
    which centers were asked, would read them by name if told which letter is whose. Pat, the
    requester, is a parent partner at Cincinnati: its own center's letter is no secret to her."""
    people = await cast(db)
    _request, view_id = await accepted_view(client, people)
    letters = {}
    for who in (people.requester, people.qi_lead_a, people.network_dm, people.staff):
        data = await client.data(VIEW, {"id": view_id}, token=who.token)
        letters[who.person.display_name] = {
            row["center"]["name"]: row["letter"] for row in data["node"]["centers"]
        }
    steward = letters["Nia Network"]
    assert sorted(steward.values()) == ["A", "B"]
    assert letters == {
        "Pat Parent": {
            "Cincinnati Children's": steward["Cincinnati Children's"],
            "Seattle Children's": None,
        },
        "Dr. Quinn A": {"Cincinnati Children's": steward["Cincinnati Children's"]},
        "Nia Network": steward,
        people.staff.person.display_name: steward,
    }


async def test_a_standing_preference_suggests_the_answer_and_is_named_when_followed(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    set_a = await ok(
        client,
        SET_STANDING,
        people.qi_lead_a,
        {"centerId": people.a, "preference": "IDENTIFIED_WITHIN_NETWORK", "note": "Fine by us"},
    )
    assert set_a["standingConsent"]["setBy"] == {"displayName": "Dr. Quinn A"}
    await ok(
        client,
        SET_STANDING,
        people.data_manager_a,
        {"centerId": people.a, "preference": "IDENTIFIED", "validUntil": in_days(30)},
    )
    await ok(
        client, SET_STANDING, people.qi_lead_b, {"centerId": people.b, "preference": "DECLINE"}
    )

    # Who sees a center's standing preference: its team, staff and data managers.
    center_a = to_global_id("Center", people.center_a.id)
    for who, sees, may_set in (
        (people.requester, True, False),  # a parent partner of center A: its team
        (people.qi_lead_a, True, True),
        (people.network_dm, True, False),
        (people.staff, True, False),
        (people.qi_lead_b, False, False),
        (people.other_parent, False, False),
    ):
        data = await client.data(STANDING, {"id": center_a}, token=who.token)
        node = data["node"]
        assert (node["standingConsent"] is not None) is sees, who.person.display_name
        assert node["viewerCanSetStandingConsent"] is may_set, who.person.display_name
        if sees:
            assert node["standingConsent"] == {
                "preference": "IDENTIFIED",
                "validUntil": in_days(30),
                "inForce": True,
            }

    request = await new_request(client, people, audience="PUBLIC")
    view = (
        await ok(
            client, PROPOSE, people.network_dm, view_input(request["id"], [people.a, people.b])
        )
    )["view"]
    suggested = {row["center"]["name"]: row["suggestedDecision"] for row in view["centers"]}
    assert suggested == {"Cincinnati Children's": "CONSENT", "Seattle Children's": "DECLINE"}
    # The requester (on center A's team as a parent partner) sees A's suggestion, not B's.
    data = await client.data(VIEW, {"id": view["id"]}, token=people.requester.token)
    seen = {row["center"]["name"]: row["suggestedDecision"] for row in data["node"]["centers"]}
    assert seen == {"Cincinnati Children's": "CONSENT", "Seattle Children's": None}
    await ok(client, ACCEPT, people.requester, {"id": view["id"]})
    decide = {"dataViewId": view["id"], "centerId": people.a}
    # The suggestion is followed: the decision names the preference. It is never skipped: no
    # decision exists until a decider records one.
    data = await client.data(VIEW, {"id": view["id"]}, token=people.qi_lead_a.token)
    assert data["node"]["centers"][0]["decision"] is None
    followed = await ok(client, DECIDE, people.qi_lead_a, decide | {"decision": "CONSENT"})
    assert followed["consent"]["prefilledFrom"] == {"preference": "IDENTIFIED"}
    changed = await ok(client, DECIDE, people.qi_lead_a, decide | {"decision": "UNNAMED"})
    assert changed["consent"]["prefilledFrom"] is None
    b = await ok(
        client,
        DECIDE,
        people.qi_lead_b,
        {"dataViewId": view["id"], "centerId": people.b, "decision": "DECLINE"},
    )
    assert b["consent"]["prefilledFrom"] == {"preference": "DECLINE"}
    assert b["view"]["dataRequest"]["state"] == "APPROVED"
