"""Data stewardship: data requests, the views proposed for them and centers' display consent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.events import DomainEvent
from icn_graph.notifications.data_request_subjects import DATA_REQUEST_SUBJECT_TYPES
from icn_graph.notifications.subject_types import SubjectType
from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.schema.stewardship.mutations import StewardshipMutations
from icn_graph.schema.stewardship.queries import CenterStewardship, StewardshipQuery
from icn_graph.services.stewardship.events import EVENT_TYPES

if TYPE_CHECKING:
    from icn_graph.demo.context import DemoContext


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(
        query=StewardshipQuery,
        mutation=StewardshipMutations,
        extend={"Center": CenterStewardship},
    )


@hookimpl
def register_event_types() -> Sequence[type[DomainEvent]]:
    return EVENT_TYPES


@hookimpl
def register_subject_types() -> Sequence[SubjectType]:
    return DATA_REQUEST_SUBJECT_TYPES


@hookimpl
async def load_demo_data(session: AsyncSession, context: DemoContext) -> None:
    from icn_graph.demo.data_requests import contribute

    await contribute(session, context)
