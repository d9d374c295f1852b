"""The hooks icn_graph calls. This module is the ``icn_graph`` entry point."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign import demo, hooks, live_events
from icn_codesign.discussions import ThreadDiscussion
from icn_codesign.draft_events import DRAFT_EVENT_TYPES
from icn_codesign.events import EVENT_TYPES
from icn_codesign.replies import post_reply
from icn_codesign.subjects import THREAD_SUBJECT, THREAD_TYPE
from icn_graph.plugin_api import (
    Database,
    DemoContext,
    DomainEvent,
    Event,
    EventConsumer,
    MigrationLocation,
    PluginHost,
    ReplyHandler,
    SchemaContribution,
    SubjectType,
    hookimpl,
)


@hookimpl
def register_schema() -> SchemaContribution:
    from icn_codesign.schema import contribution

    return contribution()


@hookimpl
def register_migrations() -> MigrationLocation:
    return MigrationLocation(path=Path(__file__).parent / "migrations", owns_module="icn_codesign")


@hookimpl
def register_event_types() -> Sequence[type[DomainEvent]]:
    return [*EVENT_TYPES, *DRAFT_EVENT_TYPES]


@hookimpl
def register_subject_types() -> Sequence[SubjectType]:
    return [THREAD_SUBJECT]


@hookimpl
def register_mail_templates() -> Path:
    return Path(__file__).parent / "mail_templates"


@hookimpl
async def on_event(event: Event, db: Database) -> None:
    await live_events.deliver(db, event)


@hookimpl
def register_reply_handlers() -> Sequence[ReplyHandler]:
    return [ReplyHandler(type_name=THREAD_TYPE, handle=post_reply)]


@hookimpl
def register_data_request_discussion() -> ThreadDiscussion:
    return ThreadDiscussion()


@hookimpl
def register_hookspecs() -> type:
    return hooks.CodesignHooks


@hookimpl
def register_event_consumers(plugins: PluginHost) -> Sequence[EventConsumer]:
    return [hooks.finalised_consumer(plugins)]


@hookimpl
async def load_demo_data(session: AsyncSession, context: DemoContext) -> None:
    await demo.load(session, context)
