"""The demo's Learning Sessions: the story's completed Fall 2013 and Spring 2014 in planning,
each with an agenda, its speakers and panelists, and about 300 registrations in a realistic mix
of roles; then twice a year from Fall 2014 up to the next one after the demo's today
(``learning_session_present``), which is open for registration.

Everything is drawn from the context's own generator for this part and every date is fixed, so a
seed always gives the same sessions. Nobody is put on two items of one session.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.demo.context import DemoContext
from icn_graph.demo.learning_session_plans import PLANS, ItemPlan, SessionPlan
from icn_graph.demo.learning_session_present import present_plans
from icn_graph.models import (
    AgendaAssignment,
    AgendaItem,
    LearningSession,
    PersonKind,
    Registration,
    RegistrationPart,
)


def _at(plan: SessionPlan, day: int, clock: str) -> datetime:
    local = datetime.combine(
        plan.starts_on + timedelta(days=day), time.fromisoformat(clock), ZoneInfo(plan.timezone)
    )
    return local.astimezone(UTC)


def _planned_at(plan: SessionPlan, days_before: int, minute: int = 0) -> datetime:
    """A fixed instant ``days_before`` the session, in the staff's working hours (UTC); for a
    session still ahead, no later than the day before ``plan.known_on`` (a few days earlier for
    what was planned longer before)."""
    day = plan.starts_on - timedelta(days=days_before)
    if plan.known_on is not None:
        day = min(day, plan.known_on - timedelta(days=1 + days_before // 10))
    return datetime.combine(day, time(15, 0), UTC) + timedelta(minutes=minute)


class _Cast:
    """Draws distinct people for one session: nobody is picked twice."""

    def __init__(self, context: DemoContext, rng: random.Random) -> None:
        self.context = context
        self.rng = rng
        personas = set(context.persona_ids.values())
        self.pools: dict[PersonKind, list[int]] = defaultdict(list)
        for index, person in enumerate(context.network.people):
            person_id = context.person_ids[index]
            if person_id not in personas:
                self.pools[person.kind].append(person_id)
        self.kinds = {
            context.person_ids[index]: person.kind
            for index, person in enumerate(context.network.people)
        }
        self.taken: set[int] = set()

    def draw(self, who: PersonKind | str, count: int) -> list[int]:
        if not isinstance(who, PersonKind):  # a persona (PersonKind is a str too)
            person_id = self.context.persona_ids[who]
            self.taken.add(person_id)
            return [person_id]
        free = [person_id for person_id in self.pools[who] if person_id not in self.taken]
        picked = self.rng.sample(free, min(count, len(free)))
        self.taken.update(picked)
        return picked


def _item_row(plan: SessionPlan, session_id: int, item: ItemPlan, index: int) -> dict[str, Any]:
    planned = _planned_at(plan, 60 - index, index)
    return {
        "session_id": session_id,
        "title": item.title,
        "description": item.description,
        "kind": item.kind,
        "starts_at": _at(plan, item.day, item.starts),
        "ends_at": _at(plan, item.day, item.ends),
        "room": item.room,
        "created_at": planned,
        "updated_at": planned,
    }


async def _add_session(session: AsyncSession, context: DemoContext, plan: SessionPlan) -> None:
    rng = context.rng(f"learning-session:{plan.season.value}:{plan.year}")
    created = _planned_at(plan, 120)
    session_id = (
        await session.scalars(
            insert(LearningSession).returning(LearningSession.id),
            [
                {
                    "title": plan.title,
                    "season": plan.season,
                    "year": plan.year,
                    "starts_on": plan.starts_on,
                    "ends_on": plan.ends_on,
                    "venue": plan.venue,
                    "timezone": plan.timezone,
                    "status": plan.status,
                    "objectives": list(plan.objectives),
                    "priorities": list(plan.priorities),
                    "created_at": created,
                    "updated_at": created,
                }
            ],
        )
    ).one()
    item_ids = list(
        await session.scalars(
            insert(AgendaItem).returning(AgendaItem.id, sort_by_parameter_order=True),
            [_item_row(plan, session_id, item, index) for index, item in enumerate(plan.agenda)],
        )
    )

    cast = _Cast(context, rng)
    assignments: list[dict[str, Any]] = []
    for item_id, item in zip(item_ids, plan.agenda, strict=True):
        for part, who, count in item.people:
            assignments += [
                {
                    "agenda_item_id": item_id,
                    "person_id": person_id,
                    "part": part,
                    "created_at": _planned_at(plan, 45),
                }
                for person_id in cast.draw(who, count)
            ]
    if assignments:
        await session.execute(insert(AgendaAssignment), assignments)

    await session.execute(
        insert(Registration), _registrations(plan, session_id, context, cast, rng)
    )


def _registrations(
    plan: SessionPlan, session_id: int, context: DemoContext, cast: _Cast, rng: random.Random
) -> list[dict[str, Any]]:
    """Everyone on the agenda and the staff persona, then others until each kind's quota."""
    on_agenda = set(cast.taken)
    chosen = sorted(on_agenda | {context.persona_ids["staff"]})
    cast.taken.update(chosen)
    for kind, wanted in plan.mix:
        already = sum(1 for person_id in chosen if cast.kinds[person_id] is kind)
        chosen += cast.draw(kind, max(0, wanted - already))
    rows: list[dict[str, Any]] = []
    for person_id in chosen:
        if cast.kinds[person_id] is PersonKind.STAFF:
            part = RegistrationPart.STAFF
        elif person_id in on_agenda:
            part = RegistrationPart.SPEAKER
        else:
            part = RegistrationPart.ATTENDEE
        registered = _planned_at(plan, rng.randint(8, 110), rng.randint(0, 8 * 60))
        presenting = part is not RegistrationPart.ATTENDEE
        attended = plan.attendance_rate > 0 and (presenting or rng.random() < plan.attendance_rate)
        rows.append(
            {
                "session_id": session_id,
                "person_id": person_id,
                "part": part,
                "registered_at": registered,
                "attended": attended,
            }
        )
    return rows


async def contribute(session: AsyncSession, context: DemoContext) -> None:
    for plan in (*PLANS, *present_plans(context.today)):
        await _add_session(session, context, plan)
