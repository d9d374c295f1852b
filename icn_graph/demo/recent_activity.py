"""The network's last weeks, played through the notification engine so the personas' inboxes
are not empty.

The demo's rows are bulk inserts, which record no events. Here the last ``RECENT`` days before
the demo's today are recorded as the services would have recorded them — the part of them
around the personas, to keep loading quick: the check-ins and closings of their centers' goals
and their own, and, for the Learning Session ahead, the network admin opening its registration,
moving its panel to the ballroom and describing the clinician persona's breakout. They are
played with ``MailedHistory``, so follows decide who hears of what (the clinician persona
watches her center's goals, the parent persona her panel, the staff persona the session she is
organising) and the mail is composed as it would have been. What happened in the last
``UNREAD`` days is left unread. While the demo's today is still in the story's own quarter
there is nothing to play: the story is told by its rows alone, as it always was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.demo.context import DemoContext
from icn_graph.demo.goal_planner import CURRENT_START
from icn_graph.demo.goals_present import window_start
from icn_graph.events import record
from icn_graph.events.types import DomainEvent, FieldChange, SubjectRef
from icn_graph.models import (
    AgendaAssignment,
    AgendaItem,
    AgendaItemKind,
    CheckIn,
    Goal,
    GoalStatus,
    LearningSession,
    LearningSessionStatus,
    Membership,
    NetworkRole,
    Person,
)
from icn_graph.notifications.history import MailedHistory
from icn_graph.notifications.models import Notification
from icn_graph.services.goals.events import GoalCheckedIn, GoalClosed, goal_refs
from icn_graph.services.learning_sessions.events import (
    AgendaItemUpdated,
    LearningSessionUpdated,
    agenda_refs,
)

RECENT = timedelta(days=21)
UNREAD = timedelta(days=7)
PANEL_ROOM_BEFORE = "Room C"


@dataclass(frozen=True)
class Step:
    at: datetime
    event: DomainEvent
    actor_id: int | None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


async def _goal_steps(
    session: AsyncSession, context: DemoContext, since: datetime, until: datetime
) -> list[Step]:
    """The check-ins on the goals of the personas' centers and of the personas themselves."""
    personas = list(context.persona_ids.values())
    centers = select(Membership.center_id).where(Membership.person_id.in_(personas))
    rows = await session.execute(
        select(CheckIn, Goal)
        .join(Goal, Goal.id == CheckIn.goal_id)
        .where(
            CheckIn.created_at >= since,
            CheckIn.created_at < until,
            Goal.center_id.in_(centers) | Goal.person_id.in_(personas),
        )
        .order_by(CheckIn.created_at, CheckIn.id)
    )
    steps: list[Step] = []
    for check_in, goal in rows:
        ref = SubjectRef("CheckIn", check_in.id)
        event: DomainEvent
        if check_in.status in (GoalStatus.DONE, GoalStatus.DROPPED):
            event = GoalClosed(
                **goal_refs(goal), check_in=ref, outcome=check_in.status, reflection=check_in.note
            )
        else:
            event = GoalCheckedIn(
                **goal_refs(goal),
                check_in=ref,
                status=check_in.status,
                confidence=check_in.confidence,
                note=check_in.note or None,
            )
        steps.append(Step(check_in.created_at, event, check_in.author_id))
    return steps


async def _session_steps(
    session: AsyncSession, context: DemoContext, since: datetime, until: datetime
) -> list[Step]:
    """The session ahead: registration opened early in the weeks, its panel moved later."""
    ahead = await session.scalar(
        select(LearningSession)
        .where(
            LearningSession.starts_on > context.today,
            LearningSession.status == LearningSessionStatus.REGISTRATION_OPEN,
        )
        .order_by(LearningSession.starts_on)
        .limit(1)
    )
    admin = await session.scalar(
        select(Person.id).where(Person.network_role == NetworkRole.ADMIN).order_by(Person.id)
    )
    if ahead is None or admin is None:
        return []
    opened = since + timedelta(days=2, hours=15)
    steps = [
        Step(
            opened,
            LearningSessionUpdated(
                learning_session=SubjectRef("LearningSession", ahead.id),
                title=ahead.title,
                changes=(
                    FieldChange(
                        "status",
                        LearningSessionStatus.PLANNING.value,
                        LearningSessionStatus.REGISTRATION_OPEN.value,
                    ),
                ),
            ),
            admin,
        )
    ]
    panel = await session.scalar(
        select(AgendaItem)
        .where(AgendaItem.session_id == ahead.id, AgendaItem.kind == AgendaItemKind.PANEL)
        .order_by(AgendaItem.id)
        .limit(1)
    )
    if panel is not None:
        moved = until - timedelta(days=2) + timedelta(hours=16)
        change = FieldChange("room", PANEL_ROOM_BEFORE, panel.room)
        steps.append(
            Step(moved, AgendaItemUpdated(**agenda_refs(panel, ahead), changes=(change,)), admin)
        )
    breakout = await session.scalar(
        select(AgendaItem)
        .join(AgendaAssignment, AgendaAssignment.agenda_item_id == AgendaItem.id)
        .where(
            AgendaItem.session_id == ahead.id,
            AgendaAssignment.person_id == context.persona_ids["clinician"],
        )
        .order_by(AgendaItem.id)
        .limit(1)
    )
    if breakout is not None:
        described = until - timedelta(days=3) + timedelta(hours=14)
        change = FieldChange("description", "", breakout.description)
        refs = agenda_refs(breakout, ahead)
        steps.append(Step(described, AgendaItemUpdated(**refs, changes=(change,)), admin))
    return steps


async def contribute(session: AsyncSession, context: DemoContext) -> None:
    if window_start(context.today) <= CURRENT_START:
        return  # the story's own quarter: its past is told by its rows alone, as it always was
    until = _midnight(context.today)
    since = until - RECENT
    steps = await _goal_steps(session, context, since, until)
    steps += await _session_steps(session, context, since, until)
    steps.sort(key=lambda step: step.at)
    history = MailedHistory(session, context.settings, context.plugins)
    for step in steps:
        async with history.at(step.at):
            record(session, step.event, actor_id=step.actor_id)
    await history.finish()
    if history.event_ids:
        await session.execute(
            update(Notification)
            .where(
                Notification.event_id.in_(history.event_ids),
                Notification.created_at >= until - UNREAD,
            )
            .values(read_at=None)
            .execution_options(synchronize_session=False)
        )
