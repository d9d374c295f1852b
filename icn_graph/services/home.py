"""What a person sees when they open the app: their centers, open goals, upcoming agenda items
and registrations. Everything here is about the viewer themself."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.models import (
    AgendaAssignment,
    AgendaItem,
    Goal,
    GoalStatus,
    LearningSession,
    Registration,
)
from icn_graph.services.pagination import MAX_PAGE_SIZE, Page, SortKey, check_page_size, paginate
from icn_graph.services.viewer import Viewer

OPEN_STATUSES = (GoalStatus.ON_TRACK, GoalStatus.AT_RISK, GoalStatus.OFF_TRACK)


async def my_goals(
    db: Database, viewer: Viewer, *, first: int | None, after: str | None
) -> Page[Goal]:
    """Open goals the viewer owns or their centers own, soonest due first."""
    person_id = viewer.require_member()
    statement = select(Goal).where(
        Goal.archived_at.is_(None),
        Goal.status.in_(OPEN_STATUSES),
        or_(Goal.person_id == person_id, Goal.center_id.in_(sorted(viewer.center_ids))),
    )
    key = SortKey("due_on", Goal.due_on, Goal.id, lambda goal: goal.due_on)
    return await paginate(
        db, statement, key, first=first, after=after, parse_value=date.fromisoformat
    )


async def my_upcoming_agenda_items(db: Database, viewer: Viewer, *, first: int) -> list[AgendaItem]:
    """Agenda items the viewer speaks at, moderates, ... that have not ended, soonest first."""
    person_id = viewer.require_member()
    statement = (
        select(AgendaItem)
        .join(AgendaAssignment, AgendaAssignment.agenda_item_id == AgendaItem.id)
        .where(AgendaAssignment.person_id == person_id, AgendaItem.ends_at > utcnow())
        .order_by(AgendaItem.starts_at, AgendaItem.id)
        .limit(check_page_size(first))
    )
    async with db.session() as session:
        return list(await session.scalars(statement))


async def my_registrations(db: Database, viewer: Viewer) -> list[Registration]:
    """The viewer's Learning Session registrations, the latest session first."""
    person_id = viewer.require_member()
    statement = (
        select(Registration)
        .join(LearningSession, LearningSession.id == Registration.session_id)
        .where(Registration.person_id == person_id)
        .order_by(LearningSession.starts_on.desc(), Registration.id.desc())
        .limit(MAX_PAGE_SIZE)
    )
    async with db.session() as session:
        return list(await session.scalars(statement))
