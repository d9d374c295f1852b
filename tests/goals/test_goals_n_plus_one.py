"""Goal listings with owners, check-ins and key results cost the same SQL for 5 goals or 50."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icn_graph.db.database import Database
from icn_graph.models import (
    Center,
    CenterRole,
    CheckIn,
    CheckInValue,
    Goal,
    GoalStatus,
    KeyResult,
    Membership,
    NetworkRole,
    Person,
    PersonKind,
)
from icn_graph.testing import TaskCount
from tests.helpers import GraphQLClient, StatementCounter, make_person, token_for

GOALS_QUERY = """
query Goals($first: Int!) {
  goals(first: $first) {
    edges {
      node {
        owner { ... on Center { name } ... on Person { displayName } }
        checkIns(first: 3) { edges { node { author { displayName } note } } }
        keyResults { title progress }
        progress
      }
    }
  }
}
"""

DEEP_QUERY = """
query Deep($first: Int!) {
  goals(first: $first) {
    totalCount
    nodes {
      title kind viewerCanEdit createdBy { displayName } updatedBy { displayName }
      checkIns(first: 2) {
        totalCount
        nodes { status author { displayName } keyResultValues { value keyResult { title } } }
      }
    }
  }
}
"""

CENTERS_QUERY = """
query CenterGoals($first: Int!) {
  centers(first: $first) {
    nodes {
      name
      goals(first: 2) {
        totalCount
        nodes { title checkIns(first: 1) { nodes { note author { displayName } } } }
      }
      members { person { displayName goals { totalCount nodes { title progress } } } }
    }
  }
}
"""


async def build(db: Database, goals: int) -> str:
    """``goals`` goals, alternately a center's and a partner's, each with two key results and
    four check-ins by different authors; returns a staff token."""
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    async with db.transaction() as session:
        for index in range(goals):
            center = Center(
                name=f"Center {index:03d}",
                short_code=f"C{index:03d}",
                city="Cincinnati",
                region="Midwest",
                country="US",
                joined_on=date(2010, 1, 1),
            )
            people = [
                Person(
                    display_name=f"Person {index:03d}-{n}",
                    email=f"p{index}-{n}@example.org",
                    email_key=f"p{index}-{n}@example.org",
                    kind=PersonKind.PARENT_PARTNER,
                )
                for n in range(2)
            ]
            session.add_all([center, *people])
            await session.flush()
            session.add_all(
                Membership(
                    person_id=person.id,
                    center_id=center.id,
                    role=CenterRole.PARENT_PARTNER,
                    since=date(2012, 1, 1),
                )
                for person in people
            )
            goal = Goal(
                center_id=center.id if index % 2 == 0 else None,
                person_id=people[0].id if index % 2 == 1 else None,
                title=f"Goal {index:03d}",
                aim="Aim",
                starts_on=date(2014, 1, 1),
                due_on=date(2014, 1, 1) + timedelta(days=90 + index),
                status=GoalStatus.ON_TRACK,
                confidence=7,
                created_by_id=people[0].id,
                updated_by_id=people[1].id,
            )
            session.add(goal)
            await session.flush()
            key_results = [
                KeyResult(
                    goal_id=goal.id,
                    position=n,
                    title=f"KR {n}",
                    start_value=0,
                    target_value=10,
                    current_value=n * 3,
                )
                for n in range(2)
            ]
            session.add_all(key_results)
            await session.flush()
            for n in range(4):
                check_in = CheckIn(
                    goal_id=goal.id,
                    author_id=people[n % 2].id,
                    note=f"Note {n}",
                    status=GoalStatus.ON_TRACK,
                    confidence=7,
                    created_at=datetime(2014, 1, 10 + n, tzinfo=UTC),
                )
                session.add(check_in)
                await session.flush()
                session.add_all(
                    CheckInValue(check_in_id=check_in.id, key_result_id=kr.id, value=n)
                    for kr in key_results
                )
    return await token_for(db, staff)


async def _counts(
    client: GraphQLClient, statements: StatementCounter, query: str, token: str
) -> tuple[int, int, dict[str, object], dict[str, object]]:
    statements.reset()
    small = await client.data(query, {"first": 5}, token=token)
    small_count = statements.count
    statements.reset()
    large = await client.data(query, {"first": 50}, token=token)
    large_count = statements.count
    return small_count, large_count, small, large


async def test_goals_with_owners_check_ins_and_key_results(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    token = await build(db, 50)
    small_count, large_count, small, large = await _counts(client, statements, GOALS_QUERY, token)

    edges = large["goals"]["edges"]  # type: ignore[index]
    assert len(small["goals"]["edges"]) == 5  # type: ignore[index]
    assert len(edges) == 50
    assert {"name", "displayName"} == {key for edge in edges for key in edge["node"]["owner"]}
    for edge in edges:
        node = edge["node"]
        notes = [item["node"]["note"] for item in node["checkIns"]["edges"]]
        assert notes == ["Note 3", "Note 2", "Note 1"]
        assert [kr["progress"] for kr in node["keyResults"]] == [0.0, 30.0]
        assert node["progress"] == 15.0
    # viewer, goals page, centers (owners), people (owners), check-in pages, their authors,
    # key results
    assert small_count == large_count == 7, statements.statements
    print(f"\nSQL statements ({db.dialect}) goals: first 5 -> {small_count}, 50 -> {large_count}")


async def test_deeper_goal_fields(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    token = await build(db, 50)
    small_count, large_count, _small, large = await _counts(client, statements, DEEP_QUERY, token)
    nodes = large["goals"]["nodes"]  # type: ignore[index]
    assert all(node["checkIns"]["totalCount"] == 4 for node in nodes)
    assert all(len(node["checkIns"]["nodes"][0]["keyResultValues"]) == 2 for node in nodes)
    assert small_count == large_count, statements.statements
    print(f"\nSQL statements ({db.dialect}) deep: first 5 -> {small_count}, 50 -> {large_count}")


async def test_center_and_person_goals_in_a_listing(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    token = await build(db, 50)
    small_count, large_count, _small, large = await _counts(
        client, statements, CENTERS_QUERY, token
    )
    centers = large["centers"]["nodes"]  # type: ignore[index]
    assert len(centers) == 50
    assert sum(center["goals"]["totalCount"] for center in centers) == 25
    assert small_count == large_count, statements.statements
    print(f"\nSQL statements ({db.dialect}) centers: first 5 -> {small_count}, 50 -> {large_count}")


OWNERS_QUERY = """
query Owners($first: Int!) {
  goals(first: $first) {
    nodes { title owner { ... on Center { name } ... on Person { displayName } } }
  }
}
"""


async def test_a_goals_page_reads_its_owners_ahead(
    db: Database, client: GraphQLClient, statements: StatementCounter, tasks: TaskCount
) -> None:
    """Each goal's owner, a center or a person, answers at once: no task per goal."""
    token = await build(db, 50)
    counted: list[tuple[int, int]] = []
    for first in (5, 50):
        tasks.reset()
        statements.reset()
        nodes = (await client.data(OWNERS_QUERY, {"first": first}, token=token))["goals"]["nodes"]
        counted.append((tasks.count, statements.count))
        assert len(nodes) == first
        for node in nodes:
            index = node["title"].removeprefix("Goal ")
            owner = {"name": f"Center {index}"} if int(index) % 2 == 0 else None
            assert node["owner"] == (owner or {"displayName": f"Person {index}-0"})
    assert counted[0] == counted[1], (counted, statements.statements)
