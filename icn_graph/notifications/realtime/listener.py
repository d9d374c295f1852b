"""A dedicated PostgreSQL connection that ``LISTEN``s for new notifications (and plugins' topic
messages, see ``topics``), and keeps doing so.

The connection is opened outside the SQLAlchemy pool (it is held for the life of the process).
When it drops — a restart, a failover, an idle connection cut by the network, an administrator's
``pg_terminate_backend`` — the listener logs it and reconnects with capped exponential backoff;
notifications sent while it was away are not replayed (clients catch up with
``viewer.notifications``). A periodic ``SELECT 1`` notices a connection that died silently.

Whatever the driver raises while connecting, listening or checking (asyncpg's error classes,
``OSError``, its internal protocol errors, a stray ``CancelledError`` after a kill) counts as a
lost connection; only a real cancellation of the listener's task ends it. ``down_for()`` is the
health flag ``/readyz`` reports.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from icn_graph.db.connection_errors import stray_cancellation
from icn_graph.lazy import lazy_module
from icn_graph.notifications.realtime.channel import CHANNEL

if TYPE_CHECKING:
    import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
else:
    asyncpg = lazy_module("asyncpg")  # PostgreSQL only: not loaded on SQLite

log = logging.getLogger(__name__)

APPLICATION_NAME = "icn_graph notifications listener"


def connect_arguments(database_url: str) -> dict[str, Any]:
    """asyncpg's ``connect`` arguments for a ``postgresql+asyncpg://`` URL.

    Query options asyncpg knows (``ssl=require``) are kept; SQLAlchemy's own (such as
    ``prepared_statement_cache_size``) mean nothing to a bare connection and are left out.
    """
    url = make_url(database_url)
    arguments: dict[str, Any] = url.translate_connect_args(username="user")
    known = inspect.signature(asyncpg.connect).parameters
    arguments.update({name: value for name, value in url.query.items() if name in known})
    return arguments


class PostgresListener:
    def __init__(
        self,
        database_url: str,
        on_message: Callable[[str], None],
        *,
        also: Mapping[str, Callable[[str], None]] | None = None,
        min_retry_seconds: float = 0.5,
        max_retry_seconds: float = 15.0,
        check_seconds: float = 30.0,
        connect_timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._arguments = connect_arguments(database_url)
        # Channel -> what to do with a message on it: notifications, and any other channels.
        self._handlers = {CHANNEL: on_message, **(also or {})}
        self._min_retry = min_retry_seconds
        self._max_retry = max_retry_seconds
        self._check_seconds = check_seconds
        self._connect_timeout = connect_timeout
        self._clock = clock
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()
        self.connections_made = 0
        # Between start() and stop(); the moment the last good connection was lost (or the first
        # attempt began), None while listening.
        self.running = False
        self._down_since: float | None = None

    def down_for(self) -> float | None:
        """Seconds without a listening connection, while running; None when listening or stopped."""
        if not self.running or self._down_since is None:
            return None
        return max(0.0, self._clock() - self._down_since)

    async def start(self) -> None:
        """Listen; the first attempt happens before this returns, later ones in the background.

        A database that is down at start-up does not stop the API from starting.
        """
        self._stopping.clear()
        self.running = True
        self._down_since = self._clock()
        connection = await self._listen_once()
        self._task = asyncio.create_task(self._run(connection), name="icn-notifications-listener")
        self._task.add_done_callback(self._ended)

    async def stop(self) -> None:
        self._stopping.set()
        task, self._task = self._task, None
        try:
            if task is not None:
                # Only a bug ends the task with an error; _ended has logged it already.
                await asyncio.gather(task, return_exceptions=True)
        finally:
            self.running = False
            self._down_since = None

    def _ended(self, task: asyncio.Task[None]) -> None:
        """Never silent: a listener that ends without being stopped says so (and stays down)."""
        if task.cancelled() or self._stopping.is_set():
            return
        error = task.exception()
        log.error(
            "the notifications listener stopped; live notifications are off until a restart",
            exc_info=error,
        )

    async def _listen_once(self) -> asyncpg.Connection | None:
        connection: asyncpg.Connection | None = None
        try:
            connection = await asyncpg.connect(
                **self._arguments,
                timeout=self._connect_timeout,
                server_settings={"application_name": APPLICATION_NAME},
            )
            for channel in self._handlers:
                await connection.add_listener(channel, self._notified)
        except BaseException as error:
            if connection is not None:
                connection.terminate()
            if not _connection_trouble(error):
                raise
            log.warning("cannot listen for notifications (will retry): %s", _describe(error))
            return None
        self.connections_made += 1
        self.listening.set()
        if self.connections_made > 1:
            down = self.down_for()
            log.info("listening for notifications again (after %.1f s)", down or 0.0)
        self._down_since = None
        return connection

    async def _run(self, connection: asyncpg.Connection | None) -> None:
        delay = self._min_retry
        try:
            while not self._stopping.is_set():
                if connection is None:
                    if await self._stopped_within(delay):
                        return
                    delay = min(delay * 2, self._max_retry)
                    connection = await self._listen_once()
                    continue
                held_from = self._clock()
                why = await self._hold(connection)
                if self._stopping.is_set():
                    return
                self.listening.clear()
                self._down_since = self._clock()
                connection.terminate()
                connection = None
                # A connection that keeps being cut right after it is made backs off too.
                if self._clock() - held_from >= self._max_retry:
                    delay = self._min_retry
                log.warning(
                    "lost the notifications listener connection (%s); reconnecting in %.1f s",
                    why,
                    delay,
                )
        finally:
            self.listening.clear()
            if connection is not None:
                await self._close(connection)

    async def _hold(self, connection: asyncpg.Connection) -> str:
        """Return why, once the connection is lost (or stops answering) or the listener stops."""
        lost = asyncio.Event()

        def on_termination(_connection: object) -> None:
            lost.set()

        connection.add_termination_listener(on_termination)
        try:
            while not await self._interrupted_within(self._check_seconds, lost):
                problem = await self._problem(connection)
                if problem is not None:
                    return problem
        finally:
            connection.remove_termination_listener(on_termination)
        return "the connection was closed"

    async def _problem(self, connection: asyncpg.Connection) -> str | None:
        """What is wrong with the connection, or None when it answers ``SELECT 1``."""
        try:
            await connection.fetchval("SELECT 1", timeout=self._connect_timeout)
        except BaseException as error:
            if not _connection_trouble(error):
                raise
            return _describe(error)
        return None

    async def _stopped_within(self, seconds: float) -> bool:
        return await self._interrupted_within(seconds, self._stopping)

    async def _interrupted_within(self, seconds: float, event: asyncio.Event) -> bool:
        """Wait ``seconds`` or until stopping or ``event``; True unless the time just ran out."""
        waiters = {asyncio.ensure_future(done.wait()) for done in (self._stopping, event)}
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        return self._stopping.is_set() or event.is_set()

    async def _close(self, connection: asyncpg.Connection) -> None:
        try:
            for channel in self._handlers:
                await connection.remove_listener(channel, self._notified)
            await asyncio.wait_for(connection.close(), timeout=self._connect_timeout)
        except BaseException as error:
            connection.terminate()
            if not _connection_trouble(error):
                raise

    def _notified(self, _connection: object, _pid: int, channel: str, payload: object) -> None:
        handler = self._handlers.get(channel)
        if handler is not None and isinstance(payload, str):
            handler(payload)


def _connection_trouble(error: BaseException) -> bool:
    """Anything the driver raises means a lost connection, except a real cancellation (and
    ``KeyboardInterrupt``/``SystemExit``), which must go on up."""
    return isinstance(error, Exception) or stray_cancellation(error)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
