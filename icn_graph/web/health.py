"""Liveness and readiness probes for load balancers and orchestrators.

``/readyz`` answers 200 only when this process should get traffic: the database answers, every
migration history (core's and each plugin's) is at the revisions this code expects, the
notifications listener (PostgreSQL) has not been reconnecting for longer than its grace period,
and the server is not shutting down. Otherwise 503, with a body saying which. A process whose
every pooled connection is in use stays ready (``"database": "busy"``): it is busy, not cut off.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from icn_graph.db import migration_state
from icn_graph.db.connection_errors import stray_cancellation
from icn_graph.db.database import Database
from icn_graph.db.migration_tracks import Track
from icn_graph.db.problems import database_problem
from icn_graph.notifications.realtime.listener import PostgresListener
from icn_graph.plugins.manager import PluginHost

log = logging.getLogger(__name__)

# A probe waits at most this long for the database; a host that drops packets is "unreachable".
PING_TIMEOUT_SECONDS = 3.0
# While migrations are behind, they are looked at again at most this often (once they are at the
# latest, never again: nothing but a deploy changes that, and a deploy restarts the process).
RECHECK_SECONDS = 2.0
# How long the notifications listener may be reconnecting before /readyz answers 503
# (ICN_LISTENER_GRACE_SECONDS): a failover or a killed connection is back well within it.
LISTENER_GRACE_SECONDS = 30.0
# What the body says of a database whose every pooled connection is in use.
BUSY = "busy"
BUSY_ADVICE = (
    "still ready: requests wait up to ICN_DATABASE_POOL_TIMEOUT for one (docs/operations.md, "
    '"How large a pool")'
)


class Readiness:
    """Whether this process should get traffic, cheaply enough to be asked every second."""

    def __init__(
        self,
        db: Database,
        plugins: PluginHost,
        *,
        listener: PostgresListener | None = None,
        listener_grace_seconds: float = LISTENER_GRACE_SECONDS,
        recheck_seconds: float = RECHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.plugins = plugins
        self.listener = listener
        self.listener_grace_seconds = listener_grace_seconds
        self.recheck_seconds = recheck_seconds
        self.clock = clock
        self.draining = False
        # HTTP requests being answered now, probes left out (see serving.InFlight).
        self.in_flight = 0
        self._heads: dict[Track, set[str]] | None = None
        self._migrations_current = False
        self._behind: list[str] = []
        self._checked_at: float | None = None
        self._was_ready: bool | None = None
        self._was_busy = False

    async def report(self) -> tuple[int, dict[str, Any]]:
        """The status code and body of ``/readyz``."""
        if self.draining:
            return 503, {"status": "unavailable", "server": "shutting down"}
        listener, listener_problem = self._listener()
        try:
            database = await self._database()
        except BaseException as error:
            return self._unreachable(error, listener)
        if database == BUSY and not self._migrations_current:
            why = "every pooled connection is in use: the migration histories cannot be read yet"
            self._changed(False, why)
            body = {"status": "unavailable", "database": BUSY, "migrations": "unknown"}
            return 503, body | listener
        try:
            heads = await self._heads_on_disk()
        except Exception as error:  # the installed code's fault, not the database's
            why = f"the migration history cannot be read: {type(error).__name__}: {error}"
            self._changed(False, why)
            body = {"status": "unavailable", "database": database, "migrations": "unreadable"}
            return 503, body | listener | {"detail": [why]}
        try:
            behind = await self._migrations_behind(heads)
        except BaseException as error:
            return self._unreachable(error, listener)
        if behind:
            self._changed(False, "; ".join(behind))
            body = {"status": "unavailable", "database": database, "migrations": "behind"}
            return 503, body | listener | {"detail": behind}
        if listener_problem is not None:
            self._changed(False, listener_problem)
            body = {"status": "unavailable", "database": database, "migrations": "ok"}
            return 503, body | listener | {"detail": [listener_problem]}
        self._changed(True, "ready")
        return 200, {"status": "ok", "database": database, "migrations": "ok"} | listener

    async def _database(self) -> str:
        """``ok`` once the database answered a ping; ``busy`` while every pooled connection is
        in use and connections keep coming back. Waiting for one would only time out and call
        the database unreachable, and taking a busy process out of the load balancer would move
        its load onto the others (ready, its requests still wait ICN_DATABASE_POOL_TIMEOUT).
        Connections that all stay out, none coming back within the ping's time, are stuck: the
        ping then waits and fails like any other."""
        if self.db.busy(within=PING_TIMEOUT_SECONDS):
            if not self._was_busy:
                log.warning("readiness: every pooled connection is in use; %s", BUSY_ADVICE)
            self._was_busy = True
            return BUSY
        self._was_busy = False
        async with asyncio.timeout(PING_TIMEOUT_SECONDS):
            await self.db.ping()
        return "ok"

    def _unreachable(
        self, error: BaseException, listener: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        # A stray CancelledError is a connection killed mid-ping, not a shutdown.
        if not (isinstance(error, Exception) or stray_cancellation(error)):
            raise error
        url = self.db.engine.url.render_as_string(hide_password=False)
        why = database_problem(error, url) or f"{type(error).__name__}: {error}"
        self._changed(False, why)
        body = {"status": "unavailable", "database": "unreachable", "migrations": "unknown"}
        return 503, body | listener

    async def _heads_on_disk(self) -> dict[Track, set[str]]:
        """Each history's heads as the installed code has them, read once they can be."""
        if self._heads is None:
            self._heads = await asyncio.to_thread(migration_state.heads_by_track, self.plugins)
        return self._heads

    def _listener(self) -> tuple[dict[str, str], str | None]:
        """The ``listener`` entry of the body (none without a running listener: SQLite), and the
        problem that makes the process unready, if it has been reconnecting past its grace."""
        if self.listener is None or not self.listener.running:
            return {}, None
        down_for = self.listener.down_for()
        if down_for is None:
            return {"listener": "ok"}, None
        if down_for <= self.listener_grace_seconds:
            return {"listener": "reconnecting"}, None
        problem = (
            f"the notifications listener has been reconnecting for {down_for:.0f} s (more than "
            f"ICN_LISTENER_GRACE_SECONDS, {self.listener_grace_seconds:g} s): live "
            "notifications from this process are off"
        )
        return {"listener": "reconnecting"}, problem

    async def _migrations_behind(self, heads: dict[Track, set[str]]) -> list[str]:
        if self._migrations_current:
            return []
        now = self.clock()
        if self._checked_at is not None and now - self._checked_at < self.recheck_seconds:
            return self._behind
        self._behind = await migration_state.histories_behind(self.db.engine, heads)
        self._checked_at = now
        self._migrations_current = not self._behind
        return self._behind

    def _changed(self, ready: bool, why: str) -> None:
        """Log when readiness changes, not on every probe."""
        if ready != self._was_ready:
            (log.info if ready else log.warning)("readiness: %s", why)
        self._was_ready = ready


# A probe's answer is about this moment: never kept by a cache between the prober and the server.
NO_STORE = {"Cache-Control": "no-store"}


async def healthz(request: Request) -> JSONResponse:
    """The process is up and serving."""
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


async def readyz(request: Request) -> JSONResponse:
    """200 when this process should get traffic; 503 with the reason otherwise."""
    readiness: Readiness = request.app.state.readiness
    status, body = await readiness.report()
    return JSONResponse(body, status_code=status, headers=NO_STORE)
