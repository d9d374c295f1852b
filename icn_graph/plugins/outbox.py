"""The outbox dispatcher wired to plugins: their transactional consumers, then their isolated
``on_event`` delivery (queued on each plugin's lane)."""

from __future__ import annotations

from collections.abc import Sequence

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.events.consumers import EventConsumer
from icn_graph.events.dispatcher import OutboxDispatcher
from icn_graph.plugins.dispatch import EventDispatcher
from icn_graph.plugins.manager import PluginHost


def plugin_event_dispatcher(host: PluginHost, db: Database, settings: Settings) -> EventDispatcher:
    return EventDispatcher(
        host,
        db,
        timeout_seconds=settings.plugin_event_timeout,
        failure_threshold=settings.plugin_failure_threshold,
        cooldown_seconds=settings.plugin_cooldown_seconds,
        queue_size=settings.plugin_queue_size,
        blocking_threshold=settings.plugin_blocking_threshold,
    )


def outbox_dispatcher(
    host: PluginHost,
    db: Database,
    settings: Settings,
    *,
    consumers: Sequence[EventConsumer] | None = None,
    plugin_events: EventDispatcher | None = None,
    lease_seconds: float | None = None,
) -> OutboxDispatcher:
    """``consumers`` replaces the registered consumers (tests)."""
    plugin_events = plugin_events or plugin_event_dispatcher(host, db, settings)
    return OutboxDispatcher(
        db,
        lease_seconds=lease_seconds or settings.worker_lease_seconds,
        consumers=consumers if consumers is not None else host.event_consumers(settings),
        listeners=[plugin_events],
    )
