"""Plain fields cost no asyncio task: a page of people with seven scalars makes as many tasks for
50 people as for 5 (``schema/fast_fields.py``; ``Person.email`` is sync unless the viewer's
shared centers decide it), and what they answer is unchanged."""

from __future__ import annotations

from icn_graph.db.database import Database
from icn_graph.models import NetworkRole, PersonKind
from icn_graph.testing import TaskCount
from tests.helpers import GraphQLClient, make_center, make_person, token_for

PEOPLE = """
query People($first: Int!) {
  people(first: $first) {
    edges { cursor }
    nodes { displayName kind timezone networkRole createdAt pronouns email }
  }
}
"""


async def test_a_page_of_people_makes_no_task_per_person(
    db: Database, client: GraphQLClient, tasks: TaskCount
) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    for _ in range(60):
        await make_person(db, timezone="America/New_York", pronouns="she/her")
    token = await token_for(db, staff)
    await client.data(PEOPLE, {"first": 5}, token=token)  # the token's first use is written

    counts = []
    for first in (5, 50):
        tasks.count = 0
        data = await client.data(PEOPLE, {"first": first}, token=token)
        counts.append(tasks.count)
        nodes = data["people"]["nodes"]
        assert len(nodes) == first
        assert all(node["email"] and "@" in node["email"] for node in nodes)
        assert {node["kind"] for node in nodes} <= {"CLINICIAN", "STAFF"}
        assert {node["networkRole"] for node in nodes} <= {"MEMBER", "STAFF"}
        cursors = [edge["cursor"] for edge in data["people"]["edges"]]
        assert len(set(cursors)) == first
    assert counts[0] == counts[1], counts


async def test_emails_of_people_who_share_a_center_still_show(
    db: Database, client: GraphQLClient
) -> None:
    """The async branch of ``Person.email``: a member sees the emails of their center's team."""
    center = await make_center(db)
    member = await make_person(db, center=center)
    teammate = await make_person(db, center=center)
    stranger = await make_person(db)
    token = await token_for(db, member)

    data = await client.data(PEOPLE, {"first": 50}, token=token)

    emails = {node["displayName"]: node["email"] for node in data["people"]["nodes"]}
    assert emails[teammate.display_name] == teammate.email
    assert emails[member.display_name] == member.email
    assert emails[stranger.display_name] is None
