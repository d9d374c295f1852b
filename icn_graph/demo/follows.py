"""The demo network's follows: what people would follow had they made it through the API.

The demo is written with bulk inserts, which record no events, so the automatic-follow rules are
applied here to the rows themselves: creators and owners watch their goals, speakers follow
their agenda items, team members their centers and registrants their sessions. The clinician
persona also made a few choices of her own (see ``_persona_choices``).
"""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.demo.context import DemoContext
from icn_graph.ids import to_global_id
from icn_graph.models import AgendaAssignment, Goal, Membership, Registration
from icn_graph.notifications.models import Follow, FollowLevel, FollowReason

Row = tuple[int, str, FollowLevel, FollowReason]


async def _rows(session: AsyncSession) -> list[Row]:
    watching, normal = FollowLevel.WATCHING, FollowLevel.NORMAL
    rows: list[Row] = []
    for goal_id, created_by, owner in await session.execute(
        select(Goal.id, Goal.created_by_id, Goal.person_id)
    ):
        rows.append((created_by, to_global_id("Goal", goal_id), watching, FollowReason.CREATED))
        if owner is not None:
            rows.append((owner, to_global_id("Goal", goal_id), watching, FollowReason.ASSIGNED))
    for person_id, item_id in await session.execute(
        select(AgendaAssignment.person_id, AgendaAssignment.agenda_item_id)
    ):
        rows.append((person_id, to_global_id("AgendaItem", item_id), normal, FollowReason.ASSIGNED))
    for person_id, center_id in await session.execute(
        select(Membership.person_id, Membership.center_id)
    ):
        rows.append((person_id, to_global_id("Center", center_id), normal, FollowReason.MEMBER))
    for person_id, session_id in await session.execute(
        select(Registration.person_id, Registration.session_id)
    ):
        subject = to_global_id("LearningSession", session_id)
        rows.append((person_id, subject, normal, FollowReason.MEMBER))
    return rows


async def _persona_choices(session: AsyncSession, context: DemoContext) -> list[Row]:
    """Choices the clinician persona made by hand, so that signing in as her shows the network
    talking: she watches her center (its goals' check-ins reach her) and follows the parent
    persona's current goal."""
    clinician, parent = context.persona_ids["clinician"], context.persona_ids["parent"]
    rows: list[Row] = []
    center_id = await session.scalar(
        select(Membership.center_id)
        .where(Membership.person_id == clinician)
        .order_by(Membership.id)
        .limit(1)
    )
    if center_id is not None:
        subject = to_global_id("Center", center_id)
        rows.append((clinician, subject, FollowLevel.WATCHING, FollowReason.MANUAL))
    goal_id = await session.scalar(
        select(Goal.id).where(Goal.person_id == parent).order_by(Goal.id).limit(1)
    )
    if goal_id is not None:
        subject = to_global_id("Goal", goal_id)
        rows.append((clinician, subject, FollowLevel.NORMAL, FollowReason.MANUAL))
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
                {"person_id": p, "subject_id": s, "level": level, "reason": reason}
                for p, s, level, reason in first.values()
            ],
        )
