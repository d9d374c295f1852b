"""Liveness and readiness probes for load balancers and orchestrators.

``/readyz`` answers 200 only when this process should get traffic: the database answers, every
migration history (core's and each plugin's) is at the revisions this code expects, and the
server is not shutting down. Otherwise 503, with a body saying which.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.db.problems import database_problem
from icn_graph.plugins.manager import PluginHost

log = logging.getLogger(__name__)

# A probe waits at most this long for the database; a host that drops packets is "unreachable".
PING_TIMEOUT_SECONDS = 3.0
# While migrations are behind, they are looked at again at most this often (once they are at the
# latest, never again: nothing but a deploy changes that, and a deploy restarts the process).
RECHECK_SECONDS = 2.0


class Readiness:
    """Whether this process should get traffic, cheaply enough to be asked every second."""

    def __init__(
        self,
        db: Database,
        plugins: PluginHost,
        *,
        recheck_seconds: float = RECHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.plugins = plugins
        self.recheck_seconds = recheck_seconds
        self.clock = clock
        self.draining = False
        # HTTP requests being answered now, probes left out (see serving.InFlight).
        self.in_flight = 0
        self._heads: dict[migrations.Track, set[str]] | None = None
        self._migrations_current = False
        self._behind: list[str] = []
        self._checked_at: float | None = None
        self._was_ready: bool | None = None

    async def report(self) -> tuple[int, dict[str, Any]]:
        """The status code and body of ``/readyz``."""
        if self.draining:
            return 503, {"status": "unavailable", "server": "shutting down"}
        try:
            await asyncio.wait_for(self.db.ping(), PING_TIMEOUT_SECONDS)
            behind = await self._migrations_behind()
        except Exception as error:
            url = self.db.engine.url.render_as_string(hide_password=False)
            why = database_problem(error, url) or f"{type(error).__name__}: {error}"
            self._changed(False, why)
            body = {"status": "unavailable", "database": "unreachable", "migrations": "unknown"}
            return 503, body
        if behind:
            self._changed(False, "; ".join(behind))
            body = {"status": "unavailable", "database": "ok", "migrations": "behind"}
            return 503, body | {"detail": behind}
        self._changed(True, "ready")
        return 200, {"status": "ok", "database": "ok", "migrations": "ok"}

    async def _migrations_behind(self) -> list[str]:
        if self._migrations_current:
            return []
        now = self.clock()
        if self._checked_at is not None and now - self._checked_at < self.recheck_seconds:
            return self._behind
        if self._heads is None:
            url = self.db.engine.url.render_as_string(hide_password=False)
            self._heads = await asyncio.to_thread(migrations.all_heads, url, self.plugins)
        self._behind = await migrations.histories_behind(self.db.engine, self._heads)
        self._checked_at = now
        self._migrations_current = not self._behind
        return self._behind

    def _changed(self, ready: bool, why: str) -> None:
        """Log when readiness changes, not on every probe."""
        if ready != self._was_ready:
            (log.info if ready else log.warning)("readiness: %s", why)
        self._was_ready = ready


async def healthz(request: Request) -> JSONResponse:
    """The process is up and serving."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """200 when this process should get traffic; 503 with the reason otherwise."""
    readiness: Readiness = request.app.state.readiness
    status, body = await readiness.report()
    return JSONResponse(body, status_code=status)
