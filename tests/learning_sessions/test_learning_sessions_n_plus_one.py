"""Listing Learning Sessions with their agendas, people and registrations costs the same number
of SQL statements for 5 sessions as for 50."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import (
    AgendaAssignment,
    AgendaItem,
    AgendaItemKind,
    AgendaPart,
    Center,
    CenterRole,
    LearningSession,
    LearningSessionStatus,
    Membership,
    NetworkRole,
    Person,
    PersonKind,
    Registration,
    Season,
)
from icn_graph.testing import TaskCount
from tests.helpers import GraphQLClient, StatementCounter, make_person, token_for

AGENDA_PEOPLE = """
query Sessions($first: Int!) {
  learningSessions(first: $first) {
    edges { node { agenda { people { person { memberships { center { name } } } } } } }
  }
}
"""

EVERYTHING = """
query Sessions($first: Int!) {
  learningSessions(first: $first) {
    edges {
      node {
        title
        attendanceMix { registered attended byKind { kind registered } }
        registrations(first: 5) { totalCount nodes { part registeredAt person { displayName } } }
        agenda {
          title localStartsAt session { title }
          people { part person { agendaItems { title } } }
        }
      }
    }
  }
}
"""

SESSIONS = 50
ITEMS_PER_SESSION = 3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """50 sessions with whole agendas cost more than one operation may (37,551 and 26,301
    points, docs/api.md "Query cost"); this test is about statement counts, so it lifts the
    limit."""
    return settings.model_copy(update={"max_query_cost": 100_000, "cost_budget": 1_000_000})


async def _network(db: Database) -> str:
    """50 sessions, each with 3 items of 2 people (each on a center's team) and 4 registrants."""
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    async with db.transaction() as session:
        centers = [
            Center(
                name=f"Center {index}",
                short_code=f"C{index}",
                city="Dayton",
                region="Midwest",
                country="US",
                joined_on=date(2010, 1, 1),
            )
            for index in range(10)
        ]
        session.add_all(centers)
        rows = []
        for index in range(SESSIONS):
            year = 2014 - index // 2
            season = Season.SPRING if index % 2 else Season.FALL
            starts = date(year, 4 if season is Season.SPRING else 10, 2)
            rows.append(
                LearningSession(
                    title=f"{season.value} {year}",
                    season=season,
                    year=year,
                    starts_on=starts,
                    ends_on=starts + timedelta(days=2),
                    venue="Somewhere",
                    timezone="America/Chicago",
                    status=LearningSessionStatus.COMPLETE,
                    objectives=[],
                    priorities=[],
                )
            )
        session.add_all(rows)
        await session.flush()
        for index, row in enumerate(rows):
            for slot in range(ITEMS_PER_SESSION):
                start = datetime.combine(row.starts_on, datetime.min.time(), UTC) + timedelta(
                    hours=15 + slot
                )
                item = AgendaItem(
                    session_id=row.id,
                    title=f"Item {slot}",
                    description="",
                    kind=AgendaItemKind.PANEL,
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    room="",
                )
                session.add(item)
                await session.flush()
                for seat in range(2):
                    person = Person(
                        display_name=f"Speaker {index}-{slot}-{seat}",
                        email=f"s{index}-{slot}-{seat}@example.org",
                        email_key=f"s{index}-{slot}-{seat}@example.org",
                        kind=PersonKind.CLINICIAN,
                    )
                    session.add(person)
                    await session.flush()
                    session.add(
                        Membership(
                            person_id=person.id,
                            center_id=centers[(index + seat) % 10].id,
                            role=CenterRole.CLINICIAN,
                            since=date(2012, 1, 1),
                        )
                    )
                    session.add(
                        AgendaAssignment(
                            agenda_item_id=item.id, person_id=person.id, part=AgendaPart.PANELIST
                        )
                    )
                    if slot < 2:
                        session.add(
                            Registration(session_id=row.id, person_id=person.id, attended=True)
                        )
    return await token_for(db, staff)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # viewer, the page, agendas, their people, persons, memberships, centers
        pytest.param(AGENDA_PEOPLE, range(7, 8), id="agenda-people-memberships-centers"),
        # viewer, the page, mixes, registration pages, their totals, agendas, the items'
        # sessions (for local times), the items' people; then persons and the items they are
        # on, in one batch each or two: speakers who are also registrants may reach the loaders
        # a tick before the others, depending on scheduling. 10 to 12 whatever the page size.
        pytest.param(EVERYTHING, range(10, 13), id="registrations-mix-and-agenda"),
    ],
)
async def test_statement_count_does_not_grow_with_the_page(
    db: Database,
    client: GraphQLClient,
    statements: StatementCounter,
    query: str,
    expected: range,
) -> None:
    token = await _network(db)

    statements.reset()
    small = await client.data(query, {"first": 5}, token=token)
    small_count = statements.count

    statements.reset()
    large = await client.data(query, {"first": SESSIONS}, token=token)
    large_count = statements.count

    assert len(small["learningSessions"]["edges"]) == 5
    assert len(large["learningSessions"]["edges"]) == SESSIONS
    for edge in large["learningSessions"]["edges"]:
        agenda = edge["node"]["agenda"]
        assert len(agenda) == ITEMS_PER_SESSION
        assert all(len(item["people"]) == 2 for item in agenda)
        if "registrations" in edge["node"]:
            assert edge["node"]["registrations"]["totalCount"] == 4
            assert edge["node"]["attendanceMix"]["attended"] == 4
    first_person = large["learningSessions"]["edges"][0]["node"]["agenda"][0]["people"][0]
    if "memberships" in first_person["person"]:
        assert first_person["person"]["memberships"][0]["center"]["name"].startswith("Center")
    if "agendaItems" in first_person["person"]:
        assert [item["title"] for item in first_person["person"]["agendaItems"]] == ["Item 0"]
    assert small_count in expected, statements.statements
    assert large_count in expected, statements.statements
    print(f"\nSQL statements ({db.dialect}): first 5 -> {small_count}, first 50 -> {large_count}")


REGISTRATIONS = """
query Registrations($id: ID!) { node(id: $id) { ... on LearningSession {
  registrations(first: 50) { nodes { part person { displayName } session { title } } } } } }
"""


async def _session_with(db: Database, registrants: int) -> str:
    async with db.transaction() as session:
        row = LearningSession(
            title=f"Spring with {registrants}",
            season=Season.SPRING,
            year=2000 + registrants,
            starts_on=date(2000 + registrants, 4, 2),
            ends_on=date(2000 + registrants, 4, 4),
            venue="Somewhere",
            timezone="America/Chicago",
            status=LearningSessionStatus.COMPLETE,
            objectives=[],
            priorities=[],
        )
        session.add(row)
    people = [
        await make_person(db, display_name=f"Registrant {registrants}-{n:02d}")
        for n in range(registrants)
    ]
    async with db.transaction() as session:
        session.add_all(Registration(session_id=row.id, person_id=p.id) for p in people)
    return to_global_id("LearningSession", row.id)


async def test_a_registrations_page_reads_its_people_ahead(
    db: Database, client: GraphQLClient, statements: StatementCounter, tasks: TaskCount
) -> None:
    """Each registration's person and session answer at once: no task per registration."""
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    counted: list[tuple[int, int]] = []
    for registrants in (3, 30):
        session_id = await _session_with(db, registrants)
        tasks.reset()
        statements.reset()
        data = await client.data(REGISTRATIONS, {"id": session_id}, token=token)
        counted.append((tasks.count, statements.count))
        nodes = data["node"]["registrations"]["nodes"]
        assert [node["person"]["displayName"] for node in nodes] == [
            f"Registrant {registrants}-{n:02d}" for n in range(registrants)
        ]
        assert {node["session"]["title"] for node in nodes} == {f"Spring with {registrants}"}
    assert counted[0] == counted[1], (counted, statements.statements)
