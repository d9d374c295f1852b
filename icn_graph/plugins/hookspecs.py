"""Every hook a plugin may implement. Documented in docs/plugins.md (a test checks each one is).

Hook functions may accept any subset of a hook's arguments (pluggy passes only those named), so
adding an argument to a hook later never breaks an existing plugin. ``async def`` hooks are
awaited. Project name: ``icn_graph``; entry-point group: ``icn_graph``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute

    from icn_graph.config import Settings
    from icn_graph.db.database import Database
    from icn_graph.demo.context import DemoContext
    from icn_graph.events import DomainEvent, Event
    from icn_graph.events.consumers import EventConsumer
    from icn_graph.notifications.reply_handlers import ReplyHandler
    from icn_graph.notifications.subject_types import SubjectType
    from icn_graph.plugins.contributions import MigrationLocation, SchemaContribution
    from icn_graph.plugins.manager import PluginHost
    from icn_graph.plugins.worker_jobs import WorkerJob
    from icn_graph.reports.measures.registry import Measure
    from icn_graph.services.stewardship.discussion import DataRequestDiscussion

PROJECT = "icn_graph"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_schema() -> SchemaContribution | None:
    """Contribute GraphQL fields and types. Called once at start-up.

    Return a :class:`SchemaContribution`. A root field that another plugin (or core) also
    defines stops start-up with an error naming both.
    """


@hookspec
def register_hookspecs() -> object | None:
    """Publish hooks of the plugin's own for other plugins to implement. Called once at
    start-up, after every plugin is registered and before any hook is checked.

    Return a module or a class whose functions are marked ``@hookspec`` (from
    ``icn_graph.plugins``); name them after the plugin (``icn_codesign_...``). A name that core
    or another plugin already publishes stops start-up naming both. Call the hook with
    ``PluginHost.call_hook`` (``info.context.plugins`` in a resolver).
    """


@hookspec
def register_migrations() -> MigrationLocation | None:
    """Declare the folder of the plugin's Alembic revisions and the package owning its tables.

    ``icn-graph db upgrade`` applies them after core's, on the plugin's own version table.
    """


@hookspec
def register_mail_templates() -> str | Path | None:
    """A folder of Jinja2 mail templates for the plugin's event types. Called once at start-up.

    Name them after the event type: ``kudos.given.txt`` (plain text, not escaped) and
    ``kudos.given.html`` (autoescaped). Each renders one notification (``item``: ``summary``,
    ``actor_name``, ``when``, ``reason``, ``payload``, ``note``) inside core's message layout,
    which adds the greeting, the subject's link, why the person got it and how to stop. Core's
    templates win over a plugin's of the same name; an event type without any uses core's
    generic template. A template that fails to render falls back to the generic one.
    """


@hookspec
def register_routes() -> Sequence[BaseRoute] | None:
    """Extra HTTP routes (Starlette ``Route``/``Mount``), e.g. a webhook or an export."""


@hookspec
def register_measures() -> Sequence[Measure] | None:
    """Add outcome or process measures (``icn_graph.reports.measures.Measure``). Called once
    when the measures registry loads.

    A measure key that core or another plugin also defines stops start-up with an error naming
    both. ``compute`` must be pure and vectorized: visits DataFrame in, monthly counts out.
    """


@hookspec
def register_event_consumers(
    settings: Settings, plugins: PluginHost
) -> Sequence[EventConsumer] | None:
    """Transactional consumers of committed events, called once at start-up. ``plugins`` is the
    host, for a consumer that calls hooks a plugin publishes (``plugins.acall_hook``).

    Each consumer is ``async def consume(session, events, now)``: it gets a batch of committed
    events (in commit order) and writes in ``session``, one transaction shared with core's own
    consumer (notification fan-out). If it raises, the whole batch rolls
    back and is retried event by event; an event that keeps failing is retried by the worker up
    to 10 times. Delivery is at least once, so a consumer must be idempotent (use ``event.id``).
    Prefer ``on_event`` unless the reaction must be as durable as the change itself.
    """


@hookspec
def register_worker_jobs(settings: Settings) -> Sequence[WorkerJob] | None:
    """Periodic jobs for ``icn-graph worker``, called once when the worker starts.

    Each job is ``async def job(db, now) -> int``, run every tick (ICN_WORKER_TICK_SECONDS)
    before the sweep, at the worker's clock (``now``, simulated in tests); it returns how many
    things it did. Several workers run every job at once, so a job must be idempotent: claim
    what it acts on (a conditional UPDATE in the transaction that records the change). A job
    that raises is logged and tried again next tick; it never stops the others or the mail.
    """


@hookspec
def register_event_types() -> Sequence[type[DomainEvent]] | None:
    """The plugin's event types (classes made with ``@event_type``). Called once at start-up.

    Register every type the plugin records: the outbox reads stored events back through this
    registry (a name nobody registers reads as an ``UnknownEvent``). A name that core or another
    plugin also declares stops start-up with an error naming both. Record one with
    ``record(session, KudosGiven(...), actor_id=...)`` in the transaction of the change.
    """


@hookspec
def register_subject_types() -> Sequence[SubjectType] | None:
    """The plugin's types people can follow (``SubjectType``), called once at start-up.

    Each names a GraphQL Node type the plugin serves, how people call it (``kind``), a batch
    ``describe(session, pks)`` returning a ``SubjectDescription`` (title, center, containers)
    per row that exists, in one query, who may see and follow a row (``visible``; nobody unless
    it says) and its path in the front-end app (``app_path``). Following, the inbox, mail
    (title, link, "Mute this <kind>") and roll-up onto containers use them. A type name that
    core or another plugin also declares stops start-up with an error naming both.
    """


@hookspec
def register_reply_handlers() -> Sequence[ReplyHandler] | None:
    """Accept replies by email to mail about the plugin's subjects, called once at start-up.

    Each ``ReplyHandler`` names a Node type (``type_name``, e.g. ``"IcnCodesignThread"``) and an
    ``async def handle(session, viewer, reply)`` that posts an ``InboundReply`` (the verified
    person, the subject's global ID and only the new text) as ``viewer``, in ``session``'s
    transaction; raising a ``ServiceError`` refuses the reply (nothing is posted, and the sender
    gets a mail quoting the error's message). When ICN_MAIL_REPLY_DOMAIN is set, immediate mail
    threaded on a subject of the type carries a signed ``Reply-To`` address. A type that core
    or another plugin also handles stops start-up naming both.
    """


@hookspec
def register_data_request_discussion() -> DataRequestDiscussion | None:
    """Provide the discussion of data requests (at most one plugin may). Called at start-up and
    when a request is read or changed.

    Return a ``DataRequestDiscussion``: ``open(session, viewer, opening)`` starts it when a
    request is made (``opening`` has the request's global ID, its purpose as title, a first
    message and the participants besides the requester) and returns its global ID, which
    ``DataRequest.discussion`` resolves as a ``Node``; ``post(session, viewer, discussion_id,
    body)`` posts ``commentOnDataRequest`` (someone not yet in the discussion joins by it) and
    returns the message's global ID. Each runs in the transaction of the change, after core
    checked the viewer; raising rolls the change back. Without a provider a request's comments
    are its discussion (``DataRequest.comments``).
    """


@hookspec
async def on_event(event: Event, db: Database) -> None:
    """React to a domain event after the change that caused it has committed.

    ``event.type`` is the event type's name, ``event.data`` the typed event (e.g. a
    ``GoalClosed`` with ``outcome``, ``title`` and ``owner``).

    Called on the plugin's own delivery lane, one event at a time, with a timeout
    (``ICN_PLUGIN_EVENT_TIMEOUT``, default 2 s). An exception or a timeout is logged and
    recorded, never reaches the request, core or other plugins; after repeated failures the
    plugin's event handling pauses for a cool-down. Never block the event loop in an
    ``async def`` handler (the watchdog names a plugin that does); a plain ``def`` runs in a
    thread.
    """


@hookspec
async def load_demo_data(session: AsyncSession, context: DemoContext) -> None:
    """Add to the demo network, inside the demo's transaction (``icn-graph demo load``)."""


@hookspec
async def startup(app: Starlette) -> None:
    """Run when the server starts (in the app's lifespan), after the database is ready."""


@hookspec
async def shutdown(app: Starlette) -> None:
    """Run when the server stops, before the database is closed."""


HOOK_NAMES: tuple[str, ...] = tuple(
    name for name, value in list(globals().items()) if hasattr(value, f"{PROJECT}_spec")
)
"""Every hook, in the order defined above (read from the ``@hookspec`` marks, not kept by hand)."""
