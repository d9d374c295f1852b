"""Handing committed events to plugins, each in isolation: its own lane (queue and worker), a
timeout, a record of every failure, a circuit breaker, and a watchdog for blocking calls.
Nothing a plugin does here can fail the request, hold up core's consumers or delay another
plugin.

:meth:`EventDispatcher.deliver` only queues: the outbox dispatcher calls it after core's
consumers committed, and marks the events dispatched without waiting for any plugin.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import traceback
from collections import defaultdict
from collections.abc import Callable, Sequence

from icn_graph.db.database import Database
from icn_graph.events import Event
from icn_graph.plugins.breaker import CircuitBreaker
from icn_graph.plugins.lanes import Dropped, PluginLane
from icn_graph.plugins.manager import EventHandler, PluginHost
from icn_graph.plugins.models import PluginError
from icn_graph.plugins.watchdog import LoopWatchdog

log = logging.getLogger(__name__)

# How long shutdown waits for the lanes to empty before it abandons what is left.
SHUTDOWN_GRACE_SECONDS = 10.0


class EventDispatcher:
    def __init__(
        self,
        host: PluginHost,
        db: Database,
        *,
        timeout_seconds: float = 2.0,
        failure_threshold: int = 5,
        cooldown_seconds: float = 60.0,
        queue_size: int = 1000,
        blocking_threshold: float = 0.5,
        shutdown_grace_seconds: float = SHUTDOWN_GRACE_SECONDS,
        make_breaker: Callable[[], CircuitBreaker] | None = None,
    ) -> None:
        self.host = host
        self.db = db
        self.timeout_seconds = timeout_seconds
        self.queue_size = queue_size
        self.shutdown_grace_seconds = shutdown_grace_seconds
        factory = make_breaker or (lambda: CircuitBreaker(failure_threshold, cooldown_seconds))
        self.breakers: defaultdict[str, CircuitBreaker] = defaultdict(factory)
        self.watchdog = LoopWatchdog(db, threshold_seconds=blocking_threshold)
        self.lanes: dict[str, PluginLane] = {}

    def paused(self, plugin: str) -> bool:
        return plugin in self.breakers and self.breakers[plugin].paused

    def deliver(self, events: Sequence[Event]) -> None:
        """Queue ``events`` on every plugin's lane, in order; never waits for a plugin."""
        by_plugin: dict[str, list[EventHandler]] = {}
        for handler in self.host.event_handlers():
            by_plugin.setdefault(handler.plugin, []).append(handler)
        for event in events:
            for plugin, handlers in by_plugin.items():
                if self.breakers[plugin].allows():
                    self._lane(plugin, handlers).put(event)
                else:
                    log.debug("plugin %s paused; skipped %s", plugin, event.type)

    async def start(self) -> None:
        """Start the watchdog (the app's lifespan, the worker)."""
        await self.watchdog.start()

    async def drain(self) -> None:
        """Wait until every lane is idle, and record what the watchdog found (tests)."""
        while busy := [lane for lane in self.lanes.values() if not lane.idle]:
            await asyncio.gather(*(lane.drain() for lane in busy))
        await self.watchdog.flush()

    async def close(self) -> None:
        """Shutdown: give the lanes a grace period, record what they could not deliver, stop
        the watchdog."""
        lanes = list(self.lanes.values())
        left = await asyncio.gather(*(lane.close(self.shutdown_grace_seconds) for lane in lanes))
        self.lanes.clear()  # a later start (another lifespan of the same app) gets fresh lanes
        for lane, count in zip(lanes, left, strict=True):
            if count:
                await self._record(
                    lane.plugin,
                    None,
                    f"shut down with {count} event(s) undelivered after waiting "
                    f"{self.shutdown_grace_seconds:g} s",
                )
        await self.watchdog.stop()

    def _lane(self, plugin: str, handlers: Sequence[EventHandler]) -> PluginLane:
        """The plugin's lane; it hands each event to every ``on_event`` of the plugin (pluggy
        allows several, ``@hookimpl(specname="on_event")``), one after the other."""
        lane = self.lanes.get(plugin)
        if lane is None:
            lane = PluginLane(
                plugin,
                handle=functools.partial(self._deliver_each, tuple(handlers)),
                report_dropped=functools.partial(self._dropped, plugin),
                capacity=self.queue_size,
            )
            self.lanes[plugin] = lane
        return lane

    async def _deliver_each(self, handlers: Sequence[EventHandler], event: Event) -> None:
        for handler in handlers:
            await self._deliver_one(handler, event)

    async def _deliver_one(self, handler: EventHandler, event: Event) -> None:
        breaker = self.breakers[handler.plugin]
        if not breaker.allows():
            log.debug("plugin %s paused; skipped %s", handler.plugin, event.type)
            return
        try:
            await asyncio.wait_for(self._call(handler, event), self.timeout_seconds)
        except TimeoutError:
            await self._failed(handler.plugin, event, f"timed out after {self.timeout_seconds} s")
        except Exception as error:
            summary = "".join(traceback.format_exception_only(error)).strip()
            log.exception("plugin %s failed handling %s", handler.plugin, event.type)
            await self._failed(handler.plugin, event, summary)
        else:
            breaker.succeeded()

    def _call(self, handler: EventHandler, event: Event) -> asyncio.Future[None]:
        """The handler's run: a coroutine on the loop with its steps timed by the watchdog, or
        a plain function on the lane's own thread."""
        available = {"event": event, "db": self.db}
        arguments = {name: available[name] for name in handler.argnames}
        if inspect.iscoroutinefunction(handler.function):
            timed = self.watchdog.timed(handler.plugin, event.type, handler.function(**arguments))
            return asyncio.ensure_future(timed)
        thread = self.lanes[handler.plugin].thread
        return thread.run(functools.partial(handler.function, **arguments))

    async def _dropped(self, plugin: str, dropped: Dropped) -> None:
        message = (
            f"queue full ({dropped.capacity} events waiting): dropped the {dropped.count} oldest,"
            " undelivered (raise ICN_PLUGIN_QUEUE_SIZE or make the handler faster)"
        )
        log.error("plugin %s: %s", plugin, message)
        await self._record(plugin, dropped.first_type, message)

    async def _failed(self, plugin: str, event: Event, error: str) -> None:
        breaker = self.breakers[plugin]
        breaker.failed()
        log.error("plugin %s: on_event(%s) %s", plugin, event.type, error)
        if breaker.paused:
            log.error(
                "plugin %s: %d failures in a row; event handling paused for %.0f s",
                plugin,
                breaker.failures,
                breaker.cooldown_seconds,
            )
        await self._record(plugin, event.type, error)

    async def _record(self, plugin: str, event_type: str | None, error: str) -> None:
        try:
            async with self.db.transaction() as session:
                session.add(
                    PluginError(
                        plugin=plugin, hook="on_event", event_type=event_type, error=error[:2000]
                    )
                )
        except Exception:
            log.exception("could not record the failure of plugin %s", plugin)
