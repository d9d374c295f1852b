"""Handing committed events to plugins, each in isolation: a timeout, a record of every
failure, and a circuit breaker. Nothing a plugin does here can fail the request or another
plugin."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections import defaultdict
from collections.abc import Callable, Sequence

from icn_graph.db.database import Database
from icn_graph.events import Event
from icn_graph.plugins.breaker import CircuitBreaker
from icn_graph.plugins.manager import EventHandler, PluginHost
from icn_graph.plugins.models import PluginError

log = logging.getLogger(__name__)


class EventDispatcher:
    def __init__(
        self,
        host: PluginHost,
        db: Database,
        *,
        timeout_seconds: float = 2.0,
        failure_threshold: int = 5,
        cooldown_seconds: float = 60.0,
        make_breaker: Callable[[], CircuitBreaker] | None = None,
    ) -> None:
        self.host = host
        self.db = db
        self.timeout_seconds = timeout_seconds
        factory = make_breaker or (lambda: CircuitBreaker(failure_threshold, cooldown_seconds))
        self.breakers: defaultdict[str, CircuitBreaker] = defaultdict(factory)
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, events: list[Event]) -> None:
        """Called by the database right after a commit; delivery runs in the background."""
        task = asyncio.get_running_loop().create_task(self.deliver(events))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every delivery in flight (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def paused(self, plugin: str) -> bool:
        return plugin in self.breakers and self.breakers[plugin].paused

    async def deliver(self, events: Sequence[Event]) -> None:
        handlers = self.host.event_handlers()
        for event in events:
            for handler in handlers:
                await self._deliver_one(handler, event)

    async def _deliver_one(self, handler: EventHandler, event: Event) -> None:
        breaker = self.breakers[handler.plugin]
        if not breaker.allows():
            log.debug("plugin %s paused; skipped %s", handler.plugin, event.type)
            return
        try:
            await asyncio.wait_for(handler(event=event, db=self.db), self.timeout_seconds)
        except TimeoutError:
            await self._failed(handler.plugin, event, f"timed out after {self.timeout_seconds} s")
        except Exception as error:
            summary = "".join(traceback.format_exception_only(error)).strip()
            log.exception("plugin %s failed handling %s", handler.plugin, event.type)
            await self._failed(handler.plugin, event, summary)
        else:
            breaker.succeeded()

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
        try:
            async with self.db.transaction() as session:
                session.add(
                    PluginError(
                        plugin=plugin, hook="on_event", event_type=event.type, error=error[:2000]
                    )
                )
        except Exception:
            log.exception("could not record the failure of plugin %s", plugin)
