"""Learning Sessions: agendas, registrations, the attendance mix, the agenda calendar and
calendar feeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import BaseRoute, Route

from icn_graph.events import DomainEvent
from icn_graph.notifications.core_subjects import LEARNING_SESSION_SUBJECT_TYPES
from icn_graph.notifications.subject_types import SubjectType
from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.schema.root import LearningSessionMutations, LearningSessionsQuery
from icn_graph.services.learning_sessions.events import EVENT_TYPES
from icn_graph.web import calendar, calendar_feeds

if TYPE_CHECKING:
    from icn_graph.demo.context import DemoContext


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(query=LearningSessionsQuery, mutation=LearningSessionMutations)


@hookimpl
def register_routes() -> Sequence[BaseRoute]:
    return [
        Route(calendar.PATH, calendar.agenda_ics, methods=calendar.METHODS),
        Route(calendar_feeds.MINE_PATH, calendar_feeds.mine_ics, methods=calendar_feeds.METHODS),
        Route(
            calendar_feeds.SESSION_PATH, calendar_feeds.session_ics, methods=calendar_feeds.METHODS
        ),
    ]


@hookimpl
async def load_demo_data(session: AsyncSession, context: DemoContext) -> None:
    from icn_graph.demo.learning_sessions import contribute

    await contribute(session, context)


@hookimpl
def register_event_types() -> Sequence[type[DomainEvent]]:
    return EVENT_TYPES


@hookimpl
def register_subject_types() -> Sequence[SubjectType]:
    return LEARNING_SESSION_SUBJECT_TYPES
