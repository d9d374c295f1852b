"""Core's subject types: what goals, Learning Sessions and the directory's rows are called, where
they belong and where they open. Core's internal plugins register them (``core.goals``,
``core.learning_sessions``, ``core.directory``) through ``register_subject_types``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.ids import to_global_id
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
from icn_graph.notifications.subject_types import SubjectDescription, SubjectType, every_member

Described = dict[int, SubjectDescription]


def _goal_containers(goal: Goal) -> list[str]:
    return [to_global_id("Center", goal.center_id)] if goal.center_id is not None else []


async def _centers(session: AsyncSession, pks: Sequence[int]) -> Described:
    rows = await session.execute(select(Center.id, Center.name).where(Center.id.in_(pks)))
    return {pk: SubjectDescription(name, center_id=pk) for pk, name in rows}


async def _people(session: AsyncSession, pks: Sequence[int]) -> Described:
    rows = await session.execute(select(Person.id, Person.display_name).where(Person.id.in_(pks)))
    return {pk: SubjectDescription(name) for pk, name in rows}


async def _memberships(session: AsyncSession, pks: Sequence[int]) -> Described:
    rows = await session.execute(
        select(Membership.id, Membership.center_id, Person.display_name, Center.name)
        .join(Person, Person.id == Membership.person_id)
        .join(Center, Center.id == Membership.center_id)
        .where(Membership.id.in_(pks))
    )
    return {
        pk: SubjectDescription(
            f"{person_name} on the {center_name} team",
            center_id=center_id,
            containers=[to_global_id("Center", center_id)],
        )
        for pk, center_id, person_name, center_name in rows
    }


async def _goals(session: AsyncSession, pks: Sequence[int]) -> Described:
    goals = await session.scalars(select(Goal).where(Goal.id.in_(pks)))
    return {
        goal.id: SubjectDescription(
            goal.title, center_id=goal.center_id, containers=_goal_containers(goal)
        )
        for goal in goals
    }


async def _key_results(session: AsyncSession, pks: Sequence[int]) -> Described:
    rows = await session.execute(
        select(KeyResult.id, KeyResult.title, Goal)
        .join(Goal, Goal.id == KeyResult.goal_id)
        .where(KeyResult.id.in_(pks))
    )
    return {
        pk: SubjectDescription(
            title,
            center_id=goal.center_id,
            containers=[to_global_id("Goal", goal.id), *_goal_containers(goal)],
        )
        for pk, title, goal in rows
    }


async def _check_ins(session: AsyncSession, pks: Sequence[int]) -> Described:
    rows = await session.execute(
        select(CheckIn.id, Goal).join(Goal, Goal.id == CheckIn.goal_id).where(CheckIn.id.in_(pks))
    )
    return {
        pk: SubjectDescription(
            f"Check-in on '{goal.title}'",
            center_id=goal.center_id,
            containers=[to_global_id("Goal", goal.id), *_goal_containers(goal)],
        )
        for pk, goal in rows
    }


async def _learning_sessions(session: AsyncSession, pks: Sequence[int]) -> Described:
    rows = await session.execute(
        select(LearningSession.id, LearningSession.title).where(LearningSession.id.in_(pks))
    )
    return {pk: SubjectDescription(title) for pk, title in rows}


async def _agenda_items(session: AsyncSession, pks: Sequence[int]) -> Described:
    rows = await session.execute(
        select(AgendaItem.id, AgendaItem.title, AgendaItem.session_id).where(AgendaItem.id.in_(pks))
    )
    return {
        pk: SubjectDescription(title, containers=[to_global_id("LearningSession", session_id)])
        for pk, title, session_id in rows
    }


async def _registrations(session: AsyncSession, pks: Sequence[int]) -> Described:
    rows = await session.execute(
        select(Registration.id, Registration.session_id, LearningSession.title)
        .join(LearningSession, LearningSession.id == Registration.session_id)
        .where(Registration.id.in_(pks))
    )
    return {
        pk: SubjectDescription(
            f"Registration for '{session_title}'",
            containers=[to_global_id("LearningSession", session_id)],
        )
        for pk, session_id, session_title in rows
    }


DIRECTORY_SUBJECT_TYPES = (
    SubjectType("Center", "center", _centers, every_member, "/centers/{id}"),
    SubjectType("Person", "person", _people, every_member, "/people/{id}"),
    SubjectType("Membership", "team membership", _memberships, every_member, "/memberships/{id}"),
)

GOAL_SUBJECT_TYPES = (
    SubjectType("Goal", "goal", _goals, every_member, "/goals/{id}"),
    SubjectType("KeyResult", "key result", _key_results, every_member, "/key-results/{id}"),
    SubjectType("CheckIn", "check-in", _check_ins, every_member, "/check-ins/{id}"),
)

LEARNING_SESSION_SUBJECT_TYPES = (
    SubjectType(
        "LearningSession", "Learning Session", _learning_sessions, every_member, "/sessions/{id}"
    ),
    SubjectType("AgendaItem", "agenda item", _agenda_items, every_member, "/agenda-items/{id}"),
    SubjectType(
        "Registration", "registration", _registrations, every_member, "/registrations/{id}"
    ),
)
