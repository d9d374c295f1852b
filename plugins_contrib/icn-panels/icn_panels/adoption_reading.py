"""Reading adoptions for many proposals at once (one query each, whatever their number), and
how an adopted goal is doing.

**How a goal is doing** (``AdoptionStatus``), from core's goal state (its status, which each
check-in sets, its due date) and its latest check-in:

- ``DONE``: the goal closed ``DONE``;
- ``AT_RISK``: the goal was ``DROPPED``; or its latest check-in says ``AT_RISK`` or
  ``OFF_TRACK``; or it is past its due date and still open; or nobody has checked in on it for
  ``STALE_DAYS`` (30) days (counted from its creation when it has no check-in yet);
- ``ON_TRACK``: otherwise (open, ``ON_TRACK``, on time, checked in on within 30 days).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from icn_graph.plugin_api import (
    PARTNER_KINDS,
    Center,
    CheckIn,
    Database,
    Goal,
    GoalStatus,
    Person,
    Viewer,
    grouped,
)
from icn_panels.access import delivered_clause
from icn_panels.adoptions import may_adopt_for
from icn_panels.models import Adoption, Proposal

STALE_DAYS = 30


class AdoptionStatus(enum.StrEnum):
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    DONE = "DONE"


@dataclass(frozen=True)
class GoalState:
    status: GoalStatus
    due_on: date
    created_at: datetime
    latest_check_in_at: datetime | None


def summarise(state: GoalState, now: datetime) -> AdoptionStatus:
    """The rule in this module's docstring."""
    if state.status == GoalStatus.DONE:
        return AdoptionStatus.DONE
    if state.status in (GoalStatus.DROPPED, GoalStatus.AT_RISK, GoalStatus.OFF_TRACK):
        return AdoptionStatus.AT_RISK
    if state.due_on < now.date():
        return AdoptionStatus.AT_RISK
    last = state.latest_check_in_at or state.created_at
    if now - last > timedelta(days=STALE_DAYS):
        return AdoptionStatus.AT_RISK
    return AdoptionStatus.ON_TRACK


@dataclass(frozen=True)
class AdoptionRow:
    adoption: Adoption
    goal: GoalState


async def adoptions_of(db: Database, proposal_ids: Sequence[int]) -> list[list[AdoptionRow]]:
    """Each proposal's adoptions, oldest first, with their goals' state: one query. The caller
    may see the proposals; the goals' details go through core's rules."""
    latest = (
        select(func.max(CheckIn.created_at)).where(CheckIn.goal_id == Goal.id).scalar_subquery()
    )
    async with db.session() as session:
        rows = await session.execute(
            select(Adoption, Goal.status, Goal.due_on, Goal.created_at, latest)
            .join(Goal, Goal.id == Adoption.goal_id)
            .where(Adoption.proposal_id.in_(sorted(set(proposal_ids))))
            .order_by(Adoption.proposal_id, Adoption.adopted_at, Adoption.id)
        )
        found = [
            (adoption.proposal_id, AdoptionRow(adoption, GoalState(status, due, created, last)))
            for adoption, status, due, created, last in rows
        ]
    return grouped(found, proposal_ids)


async def adoption_by_goal(db: Database, goal_ids: Sequence[int]) -> list[Adoption | None]:
    """The adoption each goal came from, if any: one query."""
    async with db.session() as session:
        rows = await session.scalars(
            select(Adoption).where(Adoption.goal_id.in_(sorted(set(goal_ids))))
        )
        found = {row.goal_id: row for row in rows}
    return [found.get(pk) for pk in goal_ids]


@dataclass(frozen=True)
class Offer:
    """What the viewer may do with one proposal's call to action."""

    open: bool  # delivered, with a call to action
    centers: tuple[Center, ...] = ()  # the centers the viewer may still adopt it for, by name
    as_partner: bool = False  # the viewer may still adopt it as their own goal

    @property
    def can_adopt(self) -> bool:
        return self.open and (bool(self.centers) or self.as_partner)


async def offers(db: Database, viewer: Viewer, proposal_ids: Sequence[int]) -> list[Offer]:
    """For each proposal, where the viewer may adopt its call to action: four queries at most
    whatever the number of proposals (network staff: every center not adopted yet; a QI lead:
    the centers they lead; a partner: their own goal)."""
    me = viewer.person_id
    if me is None or not proposal_ids:
        return [Offer(open=False) for _ in proposal_ids]
    wanted = sorted(set(proposal_ids))
    async with db.session() as session:
        offered = set(
            await session.scalars(
                select(Proposal.id).where(
                    Proposal.id.in_(wanted),
                    delivered_clause(),
                    func.length(func.trim(func.coalesce(Proposal.call_to_action, ""))) > 0,
                )
            )
        )
        if not offered:
            return [Offer(open=False) for _ in proposal_ids]
        taken = list(
            await session.execute(
                select(Adoption.proposal_id, Adoption.center_id, Adoption.person_id).where(
                    Adoption.proposal_id.in_(sorted(offered)),
                    (Adoption.center_id.is_not(None)) | (Adoption.person_id == me),
                )
            )
        )
        led = [pk for pk in viewer.center_roles if may_adopt_for(viewer, pk)]
        centers: list[Center] = []
        if viewer.is_staff or led:
            which = select(Center).order_by(Center.name, Center.id)
            if not viewer.is_staff:
                which = which.where(Center.id.in_(sorted(led)))
            centers = list(await session.scalars(which))
        kind = await session.scalar(select(Person.kind).where(Person.id == me))
    partner = kind in PARTNER_KINDS
    result: list[Offer] = []
    for pk in proposal_ids:
        if pk not in offered:
            result.append(Offer(open=False))
            continue
        adopted = {center for proposal, center, _ in taken if proposal == pk and center}
        mine = any(proposal == pk and person == me for proposal, _, person in taken)
        result.append(
            Offer(
                open=True,
                centers=tuple(c for c in centers if c.id not in adopted),
                as_partner=partner and not mine,
            )
        )
    return result
