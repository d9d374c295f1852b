"""The demo network comes with the follows its people would have had through the API (its rows
are bulk-inserted, recording no events): creators, team members, speakers, registrants."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.demo import SMALL_VISIT_SCALE, load_demo
from icn_graph.demo.personas import CLINICIAN_EMAIL, PARENT_EMAIL
from icn_graph.demo.present import STORY_TODAY
from icn_graph.host import core_host
from icn_graph.ids import to_global_id
from icn_graph.models import AgendaAssignment, Goal, Membership, Person, Registration
from icn_graph.notifications.models import Follow, FollowLevel, FollowReason
from icn_graph.plugins.manager import PluginHost
from tests.outbox_helpers import check_in, dispatching, notifications


async def test_demo_people_follow_what_they_made_joined_and_speak_at(db: Database) -> None:
    await load_demo(db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY)
    async with db.session() as session:
        follows = {
            (f.person_id, f.subject_id): (f.level, f.reason)
            for f in await session.scalars(select(Follow))
        }
        goal = (await session.scalars(select(Goal).order_by(Goal.id).limit(1))).one()
        membership = (await session.scalars(select(Membership).limit(1))).one()
        assignment = (await session.scalars(select(AgendaAssignment).limit(1))).one()
        registrations = await session.scalar(select(func.count()).select_from(Registration))
        members = await session.scalar(select(func.count()).select_from(Membership))
    goal_key = (goal.created_by_id, to_global_id("Goal", goal.id))
    assert follows[goal_key] == (FollowLevel.WATCHING, FollowReason.CREATED)
    member_key = (membership.person_id, to_global_id("Center", membership.center_id))
    assert follows[member_key] == (FollowLevel.NORMAL, FollowReason.MEMBER)
    speaker_key = (assignment.person_id, to_global_id("AgendaItem", assignment.agenda_item_id))
    assert follows[speaker_key] == (FollowLevel.NORMAL, FollowReason.ASSIGNED)
    reasons = Counter(reason for _level, reason in follows.values())
    # Every membership and registration, but the clinician persona's center and the staff
    # persona's newest session: they watch them.
    assert reasons[FollowReason.MEMBER] == (members or 0) + (registrations or 0) - 2
    assert registrations
    assert reasons[FollowReason.MANUAL] == 3


@pytest.mark.parametrize("today", [STORY_TODAY, None], ids=["story", "today"])
async def test_the_clinician_persona_hears_when_the_parent_persona_checks_in(
    db: Database, settings: Settings, plugin_host: PluginHost, today: date | None
) -> None:
    """Loaded on the story's day or today, she follows the goal the parent persona works on."""
    await load_demo(db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=today)
    async with db.session() as session:
        people = {
            person.email: person
            for person in await session.scalars(
                select(Person).where(Person.email.in_([CLINICIAN_EMAIL, PARENT_EMAIL]))
            )
        }
        clinician, parent = people[CLINICIAN_EMAIL], people[PARENT_EMAIL]
        goal = (
            await session.scalars(
                select(Goal).where(Goal.person_id == parent.id, Goal.closed_at.is_(None))
            )
        ).first()
    assert goal is not None
    before = {n.id for n in await notifications(db)}  # the demo's own recent activity
    async with dispatching(db, settings, plugin_host) as dispatcher:
        await check_in(db, parent, goal)
        await dispatcher.drain()
    made = [n for n in await notifications(db) if n.id not in before]
    assert [(n.person_id, n.type, n.reason) for n in made] == [
        (clinician.id, "goal.checked_in", "You follow this goal.")
    ]
