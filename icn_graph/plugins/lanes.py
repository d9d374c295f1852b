"""One delivery lane per plugin: its own bounded queue and its own worker task, so a plugin that
is slow or hung delays only its own events, never core's or another plugin's.

Handing an event to a lane never waits: :meth:`PluginLane.put` appends to the queue and starts
the lane's worker if it is idle (the worker stops when the queue is empty, so an idle lane holds
no task). A full queue drops its oldest event to make room; the worker records how many it lost
before it delivers the next one. A lane's plain-function (``def``) handlers run on the lane's
own daemon thread, one at a time: one that never returns holds that thread only, not a shared
pool, and does not keep the process from exiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from icn_graph.events import Event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dropped:
    """Events a lane lost: ``count`` of them, the oldest first, since its last report."""

    count: int
    first_type: str
    capacity: int


class LaneThread:
    """A daemon thread that runs a lane's plain-function handlers, one at a time."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[
            tuple[Callable[[], None], asyncio.Future[None], asyncio.AbstractEventLoop] | None
        ] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    def run(self, function: Callable[[], None]) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._jobs.put((function, future, loop))
        return future

    def stop(self) -> None:
        self._jobs.put(None)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            function, future, loop = job
            if future.cancelled():  # timed out while waiting for the thread
                continue
            try:
                function()
            except BaseException as error:
                self._settle(loop, future, error)
            else:
                self._settle(loop, future, None)

    @staticmethod
    def _settle(
        loop: asyncio.AbstractEventLoop, future: asyncio.Future[None], error: BaseException | None
    ) -> None:
        def settle() -> None:
            if future.done():
                return
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
            loop.call_soon_threadsafe(settle)


class PluginLane:
    """The queue and worker of one plugin.

    ``handle`` delivers one event (with the plugin's timeout, breaker and error recording) and
    must not raise; ``report_dropped`` records events lost to a full queue.
    """

    def __init__(
        self,
        plugin: str,
        *,
        handle: Callable[[Event], Awaitable[None]],
        report_dropped: Callable[[Dropped], Awaitable[None]],
        capacity: int,
    ) -> None:
        self.plugin = plugin
        self.capacity = capacity
        self._handle = handle
        self._report_dropped = report_dropped
        self._queue: deque[Event] = deque()
        self._dropped = 0
        self._first_dropped = ""
        self._worker: asyncio.Task[None] | None = None
        self._thread: LaneThread | None = None
        self._closed = False

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @property
    def idle(self) -> bool:
        return self._worker is None or self._worker.done()

    @property
    def thread(self) -> LaneThread:
        """The lane's thread for plain-function handlers, started on first use."""
        if self._thread is None:
            self._thread = LaneThread(f"plugin-lane-{self.plugin}")
        return self._thread

    def put(self, event: Event) -> None:
        """Queue ``event``; never waits."""
        if self._closed:
            log.warning("plugin %s: lane closed; %s not delivered", self.plugin, event.type)
            return
        if len(self._queue) >= self.capacity:
            lost = self._queue.popleft()
            if not self._dropped:
                self._first_dropped = lost.type
            self._dropped += 1
        self._queue.append(event)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(
                self._work(), name=f"plugin lane {self.plugin}"
            )

    async def drain(self) -> None:
        """Wait until the lane is idle: every queued event handled or reported."""
        while self._worker is not None and not self._worker.done():
            await asyncio.wait({self._worker})

    async def close(self, grace_seconds: float) -> int:
        """Stop taking events, give the queue ``grace_seconds`` to empty, then cancel; the
        number of events left undelivered."""
        self._closed = True
        left = 0
        worker = self._worker
        if worker is not None and not worker.done():
            await asyncio.wait({worker}, timeout=grace_seconds)
            if not worker.done():
                left = len(self._queue) + 1  # the one in hand, too
                self._queue.clear()
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
        if self._thread is not None:
            self._thread.stop()
        return left

    async def _work(self) -> None:
        while self._queue or self._dropped:
            if self._dropped:
                dropped = Dropped(self._dropped, self._first_dropped, self.capacity)
                self._dropped = 0
                await self._guarded(self._report_dropped(dropped))
            if self._queue:
                await self._guarded(self._handle(self._queue.popleft()))

    async def _guarded(self, step: Awaitable[Any]) -> None:
        try:
            await step
        except Exception:  # the callbacks should not raise; the lane must outlive it if they do
            log.exception("plugin %s: lane step failed", self.plugin)
