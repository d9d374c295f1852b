"""90-day goals, key results and check-ins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.events import DomainEvent
from icn_graph.notifications.core_subjects import GOAL_SUBJECT_TYPES
from icn_graph.notifications.subject_types import SubjectType
from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.schema.root import GoalMutations, GoalsQuery
from icn_graph.services.goals.events import EVENT_TYPES

if TYPE_CHECKING:
    from icn_graph.demo.context import DemoContext


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(query=GoalsQuery, mutation=GoalMutations)


@hookimpl
async def load_demo_data(session: AsyncSession, context: DemoContext) -> None:
    from icn_graph.demo.goals import contribute

    await contribute(session, context)


@hookimpl
def register_event_types() -> Sequence[type[DomainEvent]]:
    return EVENT_TYPES


@hookimpl
def register_subject_types() -> Sequence[SubjectType]:
    return GOAL_SUBJECT_TYPES
