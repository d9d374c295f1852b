"""Finding the plugin that blocked the event loop.

A blocking call in an ``async def on_event`` (``time.sleep``, a synchronous HTTP client) stops
every request, every other plugin and core's notifications until it returns; no timeout can cut
it short, since nothing else runs meanwhile. Two measurements name it afterwards:

- every step of a plugin's coroutine (the stretch between two of its awaits) is timed; a step
  longer than the threshold held the loop that long, and the plugin is named;
- a ticker sleeps a short interval and measures how late it wakes (the loop's lag). A lag beyond
  the threshold that no plugin step explains is logged as blocking outside plugins.

What is found is logged and recorded in ``plugin_errors`` (hook ``on_event``) by the ticker, by
:meth:`LoopWatchdog.flush` (the dispatcher's ``drain``) and when the watchdog stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from icn_graph.db.database import Database
from icn_graph.plugins.models import PluginError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Findings kept until recorded; more than this between two ticks are only counted in the log.
MAX_PENDING_FINDINGS = 100


@dataclass(frozen=True)
class Blocking:
    """A plugin's handler held the event loop for ``seconds`` while handling ``event_type``."""

    plugin: str
    event_type: str
    seconds: float

    @property
    def message(self) -> str:
        return (
            f"blocked the event loop for {self.seconds:.1f} s handling {self.event_type}; "
            "use async I/O (httpx.AsyncClient) or a plain def handler"
        )


class StepTimed(Generic[T]):
    """Awaits ``coroutine`` and reports how long each of its steps ran on the loop."""

    def __init__(self, coroutine: Coroutine[Any, Any, T], report: Callable[[float], None]) -> None:
        self._coroutine = coroutine
        self._report = report

    def __await__(self) -> Generator[Any, Any, T]:
        coroutine = self._coroutine
        value: Any = None
        error: BaseException | None = None
        while True:
            started = time.perf_counter()
            try:
                yielded = coroutine.send(value) if error is None else coroutine.throw(error)
            except StopIteration as finished:
                result: T = finished.value
                return result
            finally:
                self._report(time.perf_counter() - started)
            value, error = None, None
            try:
                value = yield yielded
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as raised:  # cancellation included: handed to the handler
                error = raised


class LoopWatchdog:
    def __init__(
        self,
        db: Database,
        *,
        threshold_seconds: float = 0.5,
        interval_seconds: float | None = None,
    ) -> None:
        self.db = db
        self.threshold_seconds = threshold_seconds
        self.interval_seconds = interval_seconds or min(0.1, threshold_seconds / 2)
        self._findings: deque[Blocking] = deque(maxlen=MAX_PENDING_FINDINGS)
        self._task: asyncio.Task[None] | None = None
        self._checked: asyncio.Future[float] | None = None

    def timed(
        self, plugin: str, event_type: str, coroutine: Coroutine[Any, Any, T]
    ) -> StepTimed[T]:
        """``coroutine`` (a plugin's handler) with its steps measured."""

        def report(seconds: float) -> None:
            if seconds >= self.threshold_seconds:
                self._findings.append(Blocking(plugin, event_type, seconds))

        return StepTimed(coroutine, report)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(
                self._watch(), name="plugin event-loop watchdog"
            )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def next_check(self) -> float:
        """The lag (seconds) the ticker measures next; for tests of the ticker."""
        if self._checked is None or self._checked.done():
            self._checked = asyncio.get_running_loop().create_future()
        return await asyncio.shield(self._checked)

    async def flush(self) -> None:
        """Log and record every blocking plugin found so far."""
        while self._findings:
            found = self._findings.popleft()
            log.error("plugin %s %s", found.plugin, found.message)
            try:
                async with self.db.transaction() as session:
                    session.add(
                        PluginError(
                            plugin=found.plugin,
                            hook="on_event",
                            event_type=found.event_type,
                            error=found.message,
                        )
                    )
            except Exception:
                log.exception("could not record that plugin %s blocked the loop", found.plugin)

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self.interval_seconds
            await asyncio.sleep(self.interval_seconds)
            lag = max(0.0, loop.time() - due)
            if lag >= self.threshold_seconds and not self._findings:
                log.warning(
                    "the event loop was blocked for %.1f s, not by a plugin's on_event", lag
                )
            await self.flush()
            if self._checked is not None and not self._checked.done():
                self._checked.set_result(lag)
