"""``viewer``: the signed-in person's home view over the demo network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.demo import SMALL_VISIT_SCALE, load_demo
from icn_graph.demo.personas import PARENT_EMAIL
from icn_graph.demo.present import STORY_TODAY
from icn_graph.host import core_host
from icn_graph.models import (
    AgendaAssignment,
    AgendaItem,
    AgendaItemKind,
    AgendaPart,
    Goal,
    GoalStatus,
    LearningSession,
    LearningSessionStatus,
    Membership,
    Person,
    Season,
)
from icn_graph.testing import GraphQLClient, StatementCounter, token_for

HOME = """
{
  viewer {
    person { displayName }
    centers { name }
    goals(first: 100) { totalCount nodes { title status owner { __typename } } }
    upcomingAgendaItems { title session { title } }
    registrations { part session { title } }
  }
}
"""


async def _parent(db: Database) -> Person:
    async with db.session() as session:
        person = (await session.scalars(select(Person).where(Person.email == PARENT_EMAIL))).one()
    return person


async def test_home_view_of_a_parent_partner(db: Database, client: GraphQLClient) -> None:
    await load_demo(db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY)
    parent = await _parent(db)
    async with db.session() as session:
        center_ids = set(
            await session.scalars(
                select(Membership.center_id).where(Membership.person_id == parent.id)
            )
        )
        expected_goals = set(
            await session.scalars(
                select(Goal.title).where(
                    Goal.archived_at.is_(None),
                    Goal.status.in_(
                        [GoalStatus.ON_TRACK, GoalStatus.AT_RISK, GoalStatus.OFF_TRACK]
                    ),
                    (Goal.person_id == parent.id) | Goal.center_id.in_(center_ids),
                )
            )
        )
    data = await client.data(HOME, token=await token_for(db, parent))
    home = data["viewer"]
    assert home["person"] == {"displayName": "Dana Whitfield"}
    assert home["centers"] == [{"name": "Cincinnati Children's Hospital"}]
    assert {goal["title"] for goal in home["goals"]["nodes"]} == expected_goals
    assert home["goals"]["totalCount"] == len(expected_goals) > 0
    assert all(goal["status"] not in {"DONE", "DROPPED"} for goal in home["goals"]["nodes"])
    assert {"Person", "Center"} == {goal["owner"]["__typename"] for goal in home["goals"]["nodes"]}
    # The demo's sessions are in 2013 and 2014: registered, but nothing is upcoming.
    assert {r["session"]["title"] for r in home["registrations"]} >= {
        "Spring 2014 Learning Session"
    }
    assert home["upcomingAgendaItems"] == []


async def test_upcoming_items_are_future_ones_soonest_first(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    await load_demo(db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY)
    parent = await _parent(db)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    async with db.transaction() as session:
        future = LearningSession(
            title="Fall 2099 Learning Session",
            season=Season.FALL,
            year=2099,
            starts_on=soon.date(),
            ends_on=soon.date() + timedelta(days=2),
            venue="Columbus",
            timezone="UTC",
            status=LearningSessionStatus.PLANNING,
        )
        session.add(future)
        await session.flush()
        for offset, title in [(26, "Second: parent panel"), (2, "First: welcome")]:
            item = AgendaItem(
                session_id=future.id,
                title=title,
                kind=AgendaItemKind.PANEL,
                starts_at=soon + timedelta(hours=offset),
                ends_at=soon + timedelta(hours=offset + 1),
            )
            session.add(item)
            await session.flush()
            session.add(
                AgendaAssignment(
                    agenda_item_id=item.id, person_id=parent.id, part=AgendaPart.PANELIST
                )
            )
    token = await token_for(db, parent)
    statements.reset()
    data = await client.data(HOME, token=token)
    assert [item["title"] for item in data["viewer"]["upcomingAgendaItems"]] == [
        "First: welcome",
        "Second: parent panel",
    ]
    assert statements.count < 20, statements.statements


async def test_anonymous_has_no_home(client: GraphQLClient) -> None:
    assert await client.data("{ viewer { person { id } } }") == {"viewer": None}
