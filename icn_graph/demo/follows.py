"""The demo network's follows: what people would follow had they made it through the API.

The demo is written with bulk inserts, which record no events, so the automatic-follow rules are
applied here to the rows themselves: creators and owners watch their goals, speakers follow
their agenda items, team members their centers and registrants their sessions, each since the
moment the rule would have applied (so the demo's recent events reach them). The clinician
persona also made a few choices of her own (see ``_persona_choices``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.demo.context import DemoContext
from icn_graph.ids import to_global_id
from icn_graph.models import AgendaAssignment, Goal, LearningSession, Membership, Registration
from icn_graph.notifications.models import Follow, FollowLevel, FollowReason

Row = tuple[int, str, FollowLevel, FollowReason, datetime]


async def _rows(session: AsyncSession) -> list[Row]:
    watching, normal = FollowLevel.WATCHING, FollowLevel.NORMAL
    rows: list[Row] = []
    for goal_id, created_by, owner, at in await session.execute(
        select(Goal.id, Goal.created_by_id, Goal.person_id, Goal.created_at)
    ):
        goal = to_global_id("Goal", goal_id)
        rows.append((created_by, goal, watching, FollowReason.CREATED, at))
        if owner is not None:
            rows.append((owner, goal, watching, FollowReason.ASSIGNED, at))
    for person_id, item_id, at in await session.execute(
        select(
            AgendaAssignment.person_id,
            AgendaAssignment.agenda_item_id,
            AgendaAssignment.created_at,
        )
    ):
        item = to_global_id("AgendaItem", item_id)
        rows.append((person_id, item, normal, FollowReason.ASSIGNED, at))
    for person_id, center_id, at in await session.execute(
        select(Membership.person_id, Membership.center_id, Membership.created_at)
    ):
        center = to_global_id("Center", center_id)
        rows.append((person_id, center, normal, FollowReason.MEMBER, at))
    for person_id, session_id, at in await session.execute(
        select(Registration.person_id, Registration.session_id, Registration.registered_at)
    ):
        subject = to_global_id("LearningSession", session_id)
        rows.append((person_id, subject, normal, FollowReason.MEMBER, at))
    return rows


async def _persona_choices(session: AsyncSession, context: DemoContext) -> list[Row]:
    """Choices the clinician persona made by hand, so that signing in as her shows the network
    talking: she watches her center (its goals' check-ins reach her) and follows the parent
    persona's current goal; and the staff persona's, who watches the newest Learning Session,
    the one she is organising."""
    clinician, parent = context.persona_ids["clinician"], context.persona_ids["parent"]
    staff = context.persona_ids["staff"]
    rows: list[Row] = []
    membership = (
        await session.execute(
            select(Membership.center_id, Membership.created_at)
            .where(Membership.person_id == clinician)
            .order_by(Membership.id)
            .limit(1)
        )
    ).first()
    if membership is not None:
        subject = to_global_id("Center", membership.center_id)
        watching = FollowLevel.WATCHING
        rows.append((clinician, subject, watching, FollowReason.MANUAL, membership.created_at))
    goal = (
        await session.execute(
            select(Goal.id, Goal.created_at)
            .where(Goal.person_id == parent)
            # Her current goal: open, the latest begun (the story's, loaded on its own day).
            .order_by(Goal.closed_at.is_not(None), Goal.starts_on.desc(), Goal.id)
            .limit(1)
        )
    ).first()
    if goal is not None:
        subject = to_global_id("Goal", goal.id)
        rows.append((clinician, subject, FollowLevel.NORMAL, FollowReason.MANUAL, goal.created_at))
    newest = (
        await session.execute(
            select(LearningSession.id, LearningSession.created_at)
            .order_by(LearningSession.starts_on.desc())
            .limit(1)
        )
    ).first()
    if newest is not None:
        subject = to_global_id("LearningSession", newest.id)
        watching = FollowLevel.WATCHING
        rows.append((staff, subject, watching, FollowReason.MANUAL, newest.created_at))
    return rows


async def contribute(session: AsyncSession, context: DemoContext) -> None:
    first: dict[tuple[int, str], Row] = {}
    for row in await _persona_choices(session, context):
        first[(row[0], row[1])] = row  # a person's own choice outranks every rule
    for row in await _rows(session):
        first.setdefault((row[0], row[1]), row)  # the first rule wins, as through the API
    if first:
        await session.execute(
            insert(Follow),
            [
                {
                    "person_id": p,
                    "subject_id": s,
                    "level": level,
                    "reason": reason,
                    "created_at": at,
                }
                for p, s, level, reason, at in first.values()
            ],
        )
