"""Reading invitations: ``Center.invitations`` and ``viewerCanInvite`` for each kind of viewer,
states, pages, ``node``, and a statement count that does not grow with the centers listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from icn_graph.db.database import Database
from icn_graph.ids import parse_global_id
from icn_graph.models import CenterRole, Invitation, Membership, NetworkRole, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import (
    GraphQLClient,
    StatementCounter,
    make_center,
    make_person,
    snapshot,
    token_for,
)
from tests.helpers import error_codes
from tests.invitations.helpers import CENTER_INVITATIONS, Team
from tests.sign_in.helpers import FakeClock

NOW = datetime.now(UTC).replace(microsecond=0)


async def add_invitation(
    db: Database, center_id: int, invited_by_id: int | None, n: int, **fields: Any
) -> Invitation:
    """An invitation row as invitePerson writes it, sent ``n`` minutes before NOW."""
    values: dict[str, Any] = {
        "email": f"invitee{n}@example.org",
        "email_key": f"invitee{n}@example.org",
        "display_name": f"Invitee {n}",
        "center_id": center_id,
        "role": CenterRole.PARENT_PARTNER,
        "invited_by_id": invited_by_id,
        "token_hash": f"{center_id:032d}{n:032d}",
        "created_at": NOW - timedelta(minutes=n),
        "expires_at": NOW + timedelta(days=14),
    } | fields
    row = Invitation(**values)
    async with db.transaction() as session:
        session.add(row)
    return row


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


async def test_staff_and_the_centers_qi_lead_read_its_invitations_others_get_null(
    db: Database, client: GraphQLClient, team: Team
) -> None:
    row = await add_invitation(db, team.center.id, team.qi_lead.id, 1)
    clinician = await make_person(db, PersonKind.CLINICIAN, center=team.center)
    expected = {
        "viewerCanInvite": True,
        "invitations": {
            "totalCount": 1,
            "nodes": [
                {
                    "id": to_global_id("Invitation", row.id),
                    "state": "PENDING",
                    "email": "invitee1@example.org",
                    "displayName": "Invitee 1",
                    "acceptedBy": None,
                }
            ],
        },
    }
    for token in (team.staff_token, team.lead_token):
        data = await client.data(CENTER_INVITATIONS, {"id": team.center_id}, token=token)
        assert data["node"] == expected
    for token in (
        team.other_lead_token,
        team.partner_token,
        await token_for(db, clinician),
    ):
        body = await client.execute(CENTER_INVITATIONS, {"id": team.center_id}, token=token)
        # Null with a reason, not an error that erases the center.
        assert "errors" not in body
        assert body["data"]["node"] == {"viewerCanInvite": False, "invitations": None}


async def test_node_refetches_an_invitation_for_those_who_may_see_it(
    db: Database, client: GraphQLClient, team: Team
) -> None:
    row = await add_invitation(db, team.center.id, team.qi_lead.id, 1)
    query = (
        "query($id: ID!) { node(id: $id) { id ... on Invitation { email state"
        " center { name } invitedBy { displayName } } } }"
    )
    variables = {"id": to_global_id("Invitation", row.id)}
    for token in (team.staff_token, team.lead_token):
        data = await client.data(query, variables, token=token)
        assert data["node"] == {
            "id": variables["id"],
            "email": "invitee1@example.org",
            "state": "PENDING",
            "center": {"name": "Alpha Hospital"},
            "invitedBy": {"displayName": "Quinn Lead"},
        }
    for token in (team.other_lead_token, team.partner_token):
        body = await client.execute(query, variables, token=token)
        assert error_codes(body) == ["NOT_FOUND"]
    # Whoever sent it still sees it after leaving the role, but not the address.
    await _demote(db, team)
    data = await client.data(query, variables, token=team.lead_token)
    assert data["node"]["state"] == "PENDING"
    assert data["node"]["email"] is None


async def _demote(db: Database, team: Team) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(Membership)
            .where(Membership.person_id == team.qi_lead.id)
            .values(role=CenterRole.CLINICIAN)
        )


async def test_states_filter_and_pages(db: Database, client: GraphQLClient, team: Team) -> None:
    dana = await make_person(db, PersonKind.PARENT_PARTNER, display_name="Dana Parent")
    pending = [await add_invitation(db, team.center.id, team.qi_lead.id, n) for n in (1, 2, 3)]
    accepted = await add_invitation(
        db, team.center.id, None, 4, accepted_at=NOW - timedelta(minutes=1), person_id=dana.id
    )
    revoked = await add_invitation(db, team.center.id, None, 5, revoked_at=NOW)
    expired = await add_invitation(
        db, team.center.id, None, 6, expires_at=NOW - timedelta(seconds=1)
    )
    await add_invitation(db, team.other_center.id, None, 7)

    async def ids(state: str | None) -> list[int]:
        data = await client.data(
            CENTER_INVITATIONS, {"id": team.center_id, "state": state}, token=team.lead_token
        )
        return [_pk(node["id"]) for node in data["node"]["invitations"]["nodes"]]

    assert await ids(None) == [row.id for row in [*pending, accepted, revoked, expired]]
    assert await ids("PENDING") == [row.id for row in pending]
    assert await ids("ACCEPTED") == [accepted.id]
    assert await ids("REVOKED") == [revoked.id]
    assert await ids("EXPIRED") == [expired.id]

    page_query = (
        "query($id: ID!, $after: String) { node(id: $id) { ... on Center {"
        " invitations(state: PENDING, first: 2, after: $after) { totalCount"
        " pageInfo { hasNextPage endCursor } nodes { displayName } } } } }"
    )
    first = await client.data(page_query, {"id": team.center_id}, token=team.lead_token)
    page = first["node"]["invitations"]
    assert page["totalCount"] == 3
    assert [node["displayName"] for node in page["nodes"]] == ["Invitee 1", "Invitee 2"]
    assert page["pageInfo"]["hasNextPage"] is True
    second = await client.data(
        page_query,
        {"id": team.center_id, "after": page["pageInfo"]["endCursor"]},
        token=team.lead_token,
    )
    rest = second["node"]["invitations"]
    assert [node["displayName"] for node in rest["nodes"]] == ["Invitee 3"]
    assert rest["pageInfo"]["hasNextPage"] is False


def _pk(global_id: str) -> int:
    return parse_global_id(global_id, field="id")[1]


LISTING = """
query($first: Int!) {
  centers(first: $first) {
    nodes {
      name
      viewerCanInvite
      invitations(first: 5) {
        totalCount
        nodes { id state email center { name } invitedBy { displayName } acceptedBy { id } }
      }
    }
  }
}
"""


async def test_statement_count_does_not_grow_with_the_centers(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    for index in range(12):
        center = await make_center(db)
        lead = await make_person(db, PersonKind.QI_LEAD, center=center)
        joined = await make_person(db, PersonKind.PARENT_PARTNER)
        for n in range(3):
            await add_invitation(db, center.id, lead.id, index * 10 + n)
        await add_invitation(
            db, center.id, lead.id, index * 10 + 5, accepted_at=NOW, person_id=joined.id
        )
    token = await token_for(db, staff)
    before = await snapshot(db)

    statements.reset()
    small = await client.data(LISTING, {"first": 2}, token=token)
    small_count = statements.count
    statements.reset()
    large = await client.data(LISTING, {"first": 12}, token=token)
    large_count = statements.count

    assert len(large["centers"]["nodes"]) == 12
    for center in large["centers"]["nodes"]:
        assert center["viewerCanInvite"] is True
        assert center["invitations"]["totalCount"] == 4
        assert len(center["invitations"]["nodes"]) == 4
        assert {node["center"]["name"] for node in center["invitations"]["nodes"]} == {
            center["name"]
        }
    assert len(small["centers"]["nodes"]) == 2
    # viewer, the centers, their invitations, their counts, the invitations' centers, the people
    # (inviters and accepters)
    assert small_count == large_count == 6, statements.statements
    assert await snapshot(db) == before
