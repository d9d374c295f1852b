"""The demo network lives today: after the 2014 story, visits, Learning Sessions, goals and
notifications go on up to the day it is loaded (here a fixed ``today``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from icn_graph.db.database import Database
from icn_graph.demo import DEMO_PERSONAS, SMALL_VISIT_SCALE, load_demo
from icn_graph.demo.context import DemoContext
from icn_graph.demo.generator import generate_network
from icn_graph.demo.goal_planner import AS_OF, CURRENT_START
from icn_graph.demo.goals import _plan as plan_goals
from icn_graph.demo.goals_present import window_start
from icn_graph.demo.present import STORY_TODAY
from icn_graph.demo.visits import LAST_VISIT, plan_visits, simulate_demo_visits
from icn_graph.host import core_host
from icn_graph.models import (
    AgendaAssignment,
    AgendaItem,
    Center,
    CenterStatus,
    CheckIn,
    Goal,
    GoalStatus,
    LearningSession,
    LearningSessionStatus,
    Person,
    PersonKind,
    Registration,
    Visit,
)
from icn_graph.models.goals import CLOSED_STATUSES, OPEN_STATUSES
from icn_graph.testing import GraphQLClient, token_for

INBOX = """
{
  viewer {
    unreadNotificationsCount
    notifications(first: 20) { nodes { type summary createdAt readAt } }
  }
}
"""


SOONEST_OPEN = """
{
  goals(first: 5, filter: { status: [ON_TRACK, AT_RISK, OFF_TRACK] }) {
    nodes { title startsOn dueOn status }
  }
}
"""
VIEWER_GOALS = """
{ viewer { goals(first: 5) { nodes { title startsOn dueOn status } } } }
"""


async def _token(db: Database, email: str) -> str:
    async with db.session() as session:
        person = (await session.scalars(select(Person).where(Person.email == email))).one()
    return await token_for(db, person)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


async def _check_present(db: Database, client: GraphQLClient, today: date) -> None:
    await load_demo(db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=today)
    last_month_end = today.replace(day=1) - timedelta(days=1)
    async with db.session() as session:
        last_visit = await session.scalar(select(func.max(Visit.visit_date)))
        months = {(day.year, day.month) for day in await session.scalars(select(Visit.visit_date))}
        centers = list(await session.scalars(select(Center)))
        sessions = list(
            await session.scalars(select(LearningSession).order_by(LearningSession.starts_on))
        )
        goals = list(await session.scalars(select(Goal)))
        recent_check_ins = set(
            await session.scalars(
                select(CheckIn.goal_id).where(
                    CheckIn.created_at >= _midnight(today - timedelta(days=30)),
                    CheckIn.created_at < _midnight(today),
                )
            )
        )
        future_check_ins = await session.scalar(
            select(func.count()).select_from(CheckIn).where(CheckIn.created_at >= _midnight(today))
        )

    # Registry visits every month from the story to the last complete month.
    assert last_visit == last_month_end
    month, expected = date(2007, 1, 1), set()
    while month <= last_month_end:
        expected.add((month.year, month.month))
        month = (month + timedelta(days=32)).replace(day=1)
    assert months == expected

    # Twice a year: the story's two, then every season up to the one ahead, open to register.
    ahead = [s for s in sessions if s.starts_on > today]
    assert len(ahead) == 1
    upcoming = ahead[0]
    assert upcoming.status is LearningSessionStatus.REGISTRATION_OPEN
    assert timedelta(days=1) <= upcoming.starts_on - today <= timedelta(days=200)
    assert [(s.season.value, s.year) for s in sessions[:2]] == [("FALL", 2013), ("SPRING", 2014)]
    after_story = sessions[2:]
    seasons = [(s.year, s.season.value) for s in after_story]
    years = range(2014, upcoming.year + 1)
    every = [(year, season) for year in years for season in ("SPRING", "FALL")]
    assert seasons == every[1 : every.index((upcoming.year, upcoming.season.value)) + 1]
    assert all(s.status is LearningSessionStatus.COMPLETE for s in after_story[:-1])
    async with db.session() as session:
        speakers = (
            await session.execute(
                select(AgendaItem.title, Person.kind, Person.email)
                .join(AgendaAssignment, AgendaAssignment.agenda_item_id == AgendaItem.id)
                .join(Person, Person.id == AgendaAssignment.person_id)
                .where(AgendaItem.session_id == upcoming.id)
            )
        ).all()
        registered = list(
            await session.scalars(
                select(Registration.registered_at).where(Registration.session_id == upcoming.id)
            )
        )
    assert len({title for title, _kind, _email in speakers}) >= 5
    assert PersonKind.PARENT_PARTNER in {kind for _title, kind, _email in speakers}
    assert DEMO_PERSONAS["parent"] in {email for _title, _kind, email in speakers}
    assert len(registered) >= 50
    assert all(at < _midnight(today) for at in registered)

    # Every active center has a goal in the current window, checked in on lately; the previous
    # window's are closed.
    current = window_start(today)
    in_window = [g for g in goals if g.starts_on >= current and g.center_id is not None]
    active = {c.id for c in centers if c.status is CenterStatus.ACTIVE}
    assert {g.center_id for g in in_window} == active
    assert all(g.starts_on <= today <= g.due_on for g in in_window)
    assert all(g.id in recent_check_ins for g in in_window)
    statuses = {g.status for g in in_window}
    assert GoalStatus.ON_TRACK in statuses
    assert statuses & {GoalStatus.AT_RISK, GoalStatus.OFF_TRACK}
    previous = [g for g in goals if current - timedelta(weeks=13) <= g.starts_on < current]
    assert previous
    assert all(g.closed_at is not None for g in previous)
    assert future_check_ins == 0

    # The story's goals are history: those due before today were closed back then, after the
    # story's today, with a reflection; none is left open, so the open goals soonest due are
    # the present's.
    story_goals = [g for g in goals if g.starts_on < date(2014, 4, 1)]
    assert story_goals
    assert all(g.status in CLOSED_STATUSES for g in story_goals if g.due_on < today)
    outcomes = {g.status for g in story_goals}
    assert outcomes == {GoalStatus.DONE, GoalStatus.DROPPED}
    closed_on = {g.id: g.closed_at.date() for g in story_goals if g.closed_at is not None}
    assert len(closed_on) == len(story_goals)
    assert all(
        g.due_on <= closed_on[g.id] <= g.due_on + timedelta(days=6)
        for g in story_goals
        if g.starts_on >= CURRENT_START
    )
    parent_goal = min(story_goals, key=lambda g: g.id)
    assert parent_goal.title.endswith("Spring 2014 Learning Session")
    assert parent_goal.status is GoalStatus.DONE
    open_goals = [g for g in goals if g.status in OPEN_STATUSES]
    assert open_goals
    assert all(g.due_on >= today for g in open_goals)
    staff = await _token(db, DEMO_PERSONAS["staff"])
    soonest = await client.execute(SOONEST_OPEN, token=staff)
    nodes = soonest["data"]["goals"]["nodes"]
    assert len(nodes) == 5
    assert all(date.fromisoformat(n["startsOn"]) >= current for n in nodes), nodes
    parent = await _token(db, DEMO_PERSONAS["parent"])
    home = await client.execute(VIEWER_GOALS, token=parent)
    nodes = home["data"]["viewer"]["goals"]["nodes"]
    assert nodes
    assert all(date.fromisoformat(n["startsOn"]) >= current for n in nodes), nodes

    # Each persona's inbox has something new.
    for label, email in DEMO_PERSONAS.items():
        async with db.session() as session:
            person = (await session.scalars(select(Person).where(Person.email == email))).one()
        body = await client.execute(INBOX, token=await token_for(db, person))
        viewer = body["data"]["viewer"]
        assert viewer["unreadNotificationsCount"] >= 1, label
        unread = [n for n in viewer["notifications"]["nodes"] if n["readAt"] is None]
        assert unread, label
        assert all(n["createdAt"] >= (today - timedelta(days=7)).isoformat() for n in unread)


async def test_the_demo_reaches_the_day_it_is_loaded(db: Database, client: GraphQLClient) -> None:
    await _check_present(db, client, date(2026, 12, 6))


async def test_the_present_is_relative_to_today(db: Database, client: GraphQLClient) -> None:
    await _check_present(db, client, date(2015, 6, 1))


@pytest.mark.parametrize("today", [date(2015, 6, 1), date(2026, 12, 6)])
def test_the_story_is_the_same_whatever_today(today: date) -> None:
    network = generate_network(2014)
    ids = tuple(range(1, len(network.people) + 1))
    story = DemoContext(2014, network, tuple(range(1, 66)), ids, {}, today=STORY_TODAY)
    story = replace(story, persona_ids={"parent": 5, "clinician": 3, "staff": 700})
    later = replace(story, today=today)

    story_visits = simulate_demo_visits(story, plan_visits(story))
    later_visits = simulate_demo_visits(later, plan_visits(later))
    assert np.array_equal(story_visits.visit_date, later_visits.visit_date)
    assert np.array_equal(story_visits.pga, later_visits.pga)
    assert story_visits.visit_date.max() <= np.datetime64(LAST_VISIT)

    story_goals = plan_goals(story)
    later_goals = plan_goals(later)
    assert len(later_goals) > len(story_goals)
    # Up to the story's today the story's goals are the same; after it, those due before the
    # later today were checked in on to their end and closed.
    for told, lived in zip(story_goals, later_goals, strict=False):
        at_story_today = [c for c in lived.check_ins if c.at.date() <= AS_OF]
        assert replace(lived, check_ins=at_story_today, archived_at=None) == replace(
            told, archived_at=None
        )
        if told.closed:
            assert lived == told
        else:
            assert lived.closed
            assert lived.check_ins[: len(told.check_ins)] == told.check_ins
