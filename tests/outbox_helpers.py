"""Shared set-up for the outbox, following and fan-out tests: a center, people, a dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.events.dispatcher import OutboxDispatcher
from icn_graph.events.models import OutboxEvent
from icn_graph.models import Center, CenterRole, Goal, GoalStatus, Person, PersonKind
from icn_graph.notifications.models import Follow, FollowLevel, FollowReason, Notification
from icn_graph.plugins.manager import PluginHost
from icn_graph.plugins.outbox import outbox_dispatcher
from icn_graph.services import goals as goals_service
from icn_graph.services.tokens import viewer_for_token
from icn_graph.services.viewer import Viewer
from icn_graph.testing import make_center, make_person, token_for


@asynccontextmanager
async def dispatching(
    db: Database, settings: Settings, plugin_host: PluginHost
) -> AsyncIterator[OutboxDispatcher]:
    """Core's dispatcher as the database's event sink, as in the app."""
    outbox = outbox_dispatcher(plugin_host, db, settings)
    previous = db.event_sink
    db.event_sink = outbox.submit
    try:
        yield outbox
        await outbox.drain()
    finally:
        db.event_sink = previous


@dataclass
class Team:
    center: Center
    lead: Person  # QI lead: creates the goal
    clinician: Person  # checks in
    parent: Person  # parent partner on the team


async def make_team(db: Database) -> Team:
    center = await make_center(db)
    lead = await make_person(db, PersonKind.QI_LEAD, center=center, role=CenterRole.QI_LEAD)
    clinician = await make_person(db, PersonKind.CLINICIAN, center=center)
    parent = await make_person(
        db, PersonKind.PARENT_PARTNER, center=center, role=CenterRole.PARENT_PARTNER
    )
    return Team(center, lead, clinician, parent)


async def viewer_of(db: Database, person: Person) -> Viewer:
    return await viewer_for_token(db, await token_for(db, person))


async def create_goal(db: Database, person: Person, center: Center) -> Goal:
    draft = goals_service.GoalDraft(
        owner=goals_service.Owner(center_id=center.id),
        title="Families at the table",
        aim="A parent at every QI meeting",
        starts_on=date(2014, 1, 6),
        key_results=(goals_service.KeyResultDraft("Meetings", 0, 4),),
    )
    return await goals_service.create_goal(db, await viewer_of(db, person), draft)


async def check_in(db: Database, person: Person, goal: Goal, note: str = "Two so far") -> None:
    draft = goals_service.CheckInDraft(
        goal_id=goal.id, note=note, status=GoalStatus.ON_TRACK, confidence=7
    )
    await goals_service.check_in_goal(db, await viewer_of(db, person), draft)


async def follow(
    db: Database,
    person: Person,
    subject_id: str,
    level: FollowLevel = FollowLevel.WATCHING,
    reason: FollowReason = FollowReason.MANUAL,
) -> None:
    async with db.transaction() as session:
        session.add(Follow(person_id=person.id, subject_id=subject_id, level=level, reason=reason))


async def follows(db: Database) -> set[tuple[int, str, FollowLevel, FollowReason]]:
    async with db.session() as session:
        rows = await session.execute(
            select(Follow.person_id, Follow.subject_id, Follow.level, Follow.reason)
        )
        return {(p, s, level, reason) for p, s, level, reason in rows.all()}


async def notifications(db: Database) -> list[Notification]:
    async with db.session() as session:
        return list(await session.scalars(select(Notification).order_by(Notification.id)))


async def outbox(db: Database) -> list[OutboxEvent]:
    async with db.session() as session:
        return list(await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))
