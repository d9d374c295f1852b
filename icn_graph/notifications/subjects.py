"""What a subject (any node's global ID) is: its title, where it belongs and where to see it.

Notification fan-out uses ``ancestors`` (people watching a center hear about its goals), mail uses
``title`` and ``path``, and following checks that a subject exists. One query per type, however
many subjects of it are described at once (``describe_subjects``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.errors import BadInput
from icn_graph.ids import parse_global_id, to_global_id
from icn_graph.models import (
    AgendaItem,
    Center,
    CheckIn,
    Goal,
    KeyResult,
    LearningSession,
    Membership,
    Person,
    Registration,
)


@dataclass(frozen=True)
class SubjectInfo:
    subject_id: str
    type_name: str
    title: str
    # The center whose data this is, if any (patient-level data never leaves it).
    center_id: int | None = None
    # Global IDs of what contains the subject, nearest first (an AgendaItem's LearningSession).
    ancestors: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The explorer opened on this subject (relative to ``ICN_PUBLIC_URL``)."""
        query = f'{{ node(id: "{self.subject_id}") {{ id __typename }} }}'
        return f"/graphql?explore={quote(query, safe='')}"

    @property
    def label(self) -> str:
        """The type for people: "goal", "Learning Session", "agenda item"."""
        return TYPE_LABELS.get(self.type_name, self.type_name)


TYPE_LABELS = {
    "AgendaItem": "agenda item",
    "Center": "center",
    "CheckIn": "check-in",
    "Goal": "goal",
    "KeyResult": "key result",
    "LearningSession": "Learning Session",
    "Membership": "team membership",
    "Person": "person",
    "Registration": "registration",
}

# Describes the rows ``pks`` of one type; rows that don't exist are left out.
Describer = Callable[[AsyncSession, list[int]], Awaitable[dict[int, "SubjectInfo"]]]


def _goal_ancestors(goal: Goal) -> list[str]:
    return [to_global_id("Center", goal.center_id)] if goal.center_id is not None else []


async def _centers(session: AsyncSession, pks: list[int]) -> dict[int, SubjectInfo]:
    rows = await session.execute(select(Center.id, Center.name).where(Center.id.in_(pks)))
    return {
        pk: SubjectInfo(to_global_id("Center", pk), "Center", name, center_id=pk)
        for pk, name in rows
    }


async def _people(session: AsyncSession, pks: list[int]) -> dict[int, SubjectInfo]:
    rows = await session.execute(select(Person.id, Person.display_name).where(Person.id.in_(pks)))
    return {pk: SubjectInfo(to_global_id("Person", pk), "Person", name) for pk, name in rows}


async def _goals(session: AsyncSession, pks: list[int]) -> dict[int, SubjectInfo]:
    goals = await session.scalars(select(Goal).where(Goal.id.in_(pks)))
    return {
        goal.id: SubjectInfo(
            to_global_id("Goal", goal.id),
            "Goal",
            goal.title,
            center_id=goal.center_id,
            ancestors=_goal_ancestors(goal),
        )
        for goal in goals
    }


async def _key_results(session: AsyncSession, pks: list[int]) -> dict[int, SubjectInfo]:
    rows = await session.execute(
        select(KeyResult.id, KeyResult.title, Goal)
        .join(Goal, Goal.id == KeyResult.goal_id)
        .where(KeyResult.id.in_(pks))
    )
    return {
        pk: SubjectInfo(
            to_global_id("KeyResult", pk),
            "KeyResult",
            title,
            center_id=goal.center_id,
            ancestors=[to_global_id("Goal", goal.id), *_goal_ancestors(goal)],
        )
        for pk, title, goal in rows
    }


async def _check_ins(session: AsyncSession, pks: list[int]) -> dict[int, SubjectInfo]:
    rows = await session.execute(
        select(CheckIn.id, Goal).join(Goal, Goal.id == CheckIn.goal_id).where(CheckIn.id.in_(pks))
    )
    return {
        pk: SubjectInfo(
            to_global_id("CheckIn", pk),
            "CheckIn",
            f"Check-in on '{goal.title}'",
            center_id=goal.center_id,
            ancestors=[to_global_id("Goal", goal.id), *_goal_ancestors(goal)],
        )
        for pk, goal in rows
    }


async def _learning_sessions(session: AsyncSession, pks: list[int]) -> dict[int, SubjectInfo]:
    rows = await session.execute(
        select(LearningSession.id, LearningSession.title).where(LearningSession.id.in_(pks))
    )
    return {
        pk: SubjectInfo(to_global_id("LearningSession", pk), "LearningSession", title)
        for pk, title in rows
    }


async def _agenda_items(session: AsyncSession, pks: list[int]) -> dict[int, SubjectInfo]:
    rows = await session.execute(
        select(AgendaItem.id, AgendaItem.title, AgendaItem.session_id).where(AgendaItem.id.in_(pks))
    )
    return {
        pk: SubjectInfo(
            to_global_id("AgendaItem", pk),
            "AgendaItem",
            title,
            ancestors=[to_global_id("LearningSession", session_id)],
        )
        for pk, title, session_id in rows
    }


async def _registrations(session: AsyncSession, pks: list[int]) -> dict[int, SubjectInfo]:
    rows = await session.execute(
        select(Registration.id, Registration.session_id, LearningSession.title)
        .join(LearningSession, LearningSession.id == Registration.session_id)
        .where(Registration.id.in_(pks))
    )
    return {
        pk: SubjectInfo(
            to_global_id("Registration", pk),
            "Registration",
            f"Registration for '{session_title}'",
            ancestors=[to_global_id("LearningSession", session_id)],
        )
        for pk, session_id, session_title in rows
    }


async def _memberships(session: AsyncSession, pks: list[int]) -> dict[int, SubjectInfo]:
    rows = await session.execute(
        select(Membership.id, Membership.center_id, Person.display_name, Center.name)
        .join(Person, Person.id == Membership.person_id)
        .join(Center, Center.id == Membership.center_id)
        .where(Membership.id.in_(pks))
    )
    return {
        pk: SubjectInfo(
            to_global_id("Membership", pk),
            "Membership",
            f"{person_name} on the {center_name} team",
            center_id=center_id,
            ancestors=[to_global_id("Center", center_id)],
        )
        for pk, center_id, person_name, center_name in rows
    }


DESCRIBERS: dict[str, Describer] = {
    "AgendaItem": _agenda_items,
    "Center": _centers,
    "CheckIn": _check_ins,
    "Goal": _goals,
    "KeyResult": _key_results,
    "LearningSession": _learning_sessions,
    "Membership": _memberships,
    "Person": _people,
    "Registration": _registrations,
}


async def describe_subjects(
    session: AsyncSession, subject_ids: Iterable[str]
) -> dict[str, SubjectInfo]:
    """The subjects among ``subject_ids``, by ID, in one query per type named; IDs that are not
    IDs, of a type core does not know (a plugin's), or of a deleted row are left out."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for subject_id in subject_ids:
        try:
            type_name, pk = parse_global_id(subject_id)
        except BadInput:
            continue
        if type_name in DESCRIBERS:
            wanted[type_name].add(pk)
    found: dict[str, SubjectInfo] = {}
    for type_name, pks in sorted(wanted.items()):
        for info in (await DESCRIBERS[type_name](session, sorted(pks))).values():
            found[info.subject_id] = info
    return found


async def describe_subject(session: AsyncSession, subject_id: str) -> SubjectInfo | None:
    """The subject ``subject_id`` names, or None when it is not an ID, unknown, or deleted."""
    return (await describe_subjects(session, [subject_id])).get(subject_id)
