"""Running the app under uvicorn with a shutdown that drains.

On SIGTERM (or the first Ctrl-C) ``DrainingServer`` first makes ``/readyz`` answer 503 and goes
on serving, so a load balancer stops sending traffic while the requests already in flight finish;
once none is left, or ``ICN_SHUTDOWN_GRACE_SECONDS`` have passed, uvicorn's own shutdown runs
(listening socket closed, websockets closed with 1012, anything still running cancelled). A
second signal skips the wait.
"""

from __future__ import annotations

import logging
import math
import signal
import time
from collections.abc import Callable
from types import FrameType

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from icn_graph.web.health import Readiness

log = logging.getLogger("uvicorn.error")

PROBES = frozenset({"/healthz", "/readyz"})


class InFlight:
    """Counts the HTTP requests being answered (probes aside) on ``readiness.in_flight``."""

    def __init__(self, app: ASGIApp, readiness: Readiness) -> None:
        self.app = app
        self.readiness = readiness

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PROBES:
            await self.app(scope, receive, send)
            return
        self.readiness.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.readiness.in_flight -= 1


class DrainingServer(uvicorn.Server):
    def __init__(
        self,
        config: uvicorn.Config,
        readiness: Readiness,
        grace_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        stopped_by_parent: bool = False,
    ) -> None:
        super().__init__(config)
        self.readiness = readiness
        self.grace_seconds = grace_seconds
        self.clock = clock
        # One of `serve --workers N`'s processes: Ctrl-C in a terminal reaches the whole process
        # group, and the parent turns it into SIGTERM for each process; taken here as well, it
        # would make the parent's SIGTERM a second signal, "stop now", and skip the grace.
        self.stopped_by_parent = stopped_by_parent
        self._deadline: float | None = None
        self._announced = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.stopped_by_parent and sig == signal.SIGINT:
            return
        if self._deadline is not None or self.should_exit:
            # A second signal: no more waiting; what still runs is stopped.
            self.config.timeout_graceful_shutdown = 0
            super().handle_exit(sig, frame)
            return
        # Remembered like uvicorn's own: raised again for the previous handler once stopped.
        self._captured_signals.append(sig)
        self.readiness.draining = True
        self._deadline = self.clock() + self.grace_seconds

    async def on_tick(self, counter: int) -> bool:
        if self._deadline is not None and not self.should_exit:
            left = self._deadline - self.clock()
            if not self._announced:
                self._announced = True
                log.info(
                    "Draining: /readyz answers 503; requests in flight have %.0f s to finish",
                    self.grace_seconds,
                )
            if self.readiness.in_flight == 0 or left <= 0:
                if self.readiness.in_flight:
                    log.warning(
                        "Grace period over: stopping %d request(s) still in flight",
                        self.readiness.in_flight,
                    )
                # What is left of the grace bounds uvicorn's wait for connections to close.
                self.config.timeout_graceful_shutdown = max(math.ceil(left), 1)
                self.should_exit = True
        return await super().on_tick(counter)
