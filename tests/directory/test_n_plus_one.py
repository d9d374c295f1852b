"""A listing with nested teams costs the same number of SQL statements for 5 centers or 50."""

from __future__ import annotations

from datetime import date

from icn_graph.db.database import Database
from icn_graph.models import CenterRole, Membership, NetworkRole, PersonKind
from tests.helpers import GraphQLClient, StatementCounter, make_center, make_person, token_for

QUERY = """
query Teams($first: Int!) {
  centers(first: $first) {
    edges {
      node {
        id name
        members { id role since person { id displayName email memberships { role } } }
      }
    }
  }
}
"""


async def _network(db: Database, centers: int) -> str:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    for index in range(centers):
        center = await make_center(db)
        for role in (CenterRole.CLINICIAN, CenterRole.NURSE, CenterRole.PARENT_PARTNER):
            person = await make_person(db, PersonKind(role.value))
            async with db.transaction() as session:
                session.add(
                    Membership(
                        person_id=person.id,
                        center_id=center.id,
                        role=role,
                        since=date(2015, index % 12 + 1, 1),
                    )
                )
    return await token_for(db, staff)


async def test_statement_count_does_not_grow_with_the_page(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    token = await _network(db, 50)

    statements.reset()
    small = await client.data(QUERY, {"first": 5}, token=token)
    small_count = statements.count

    statements.reset()
    large = await client.data(QUERY, {"first": 50}, token=token)
    large_count = statements.count

    assert len(small["centers"]["edges"]) == 5
    assert len(large["centers"]["edges"]) == 50
    assert all(len(edge["node"]["members"]) == 3 for edge in large["centers"]["edges"])
    # viewer, the page, the teams with their people, their people's memberships
    assert small_count == large_count == 4, statements.statements
    print(f"\nSQL statements ({db.dialect}): first 5 -> {small_count}, first 50 -> {large_count}")
