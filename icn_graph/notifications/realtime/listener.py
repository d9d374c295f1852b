"""A dedicated PostgreSQL connection that ``LISTEN``s for new notifications (and plugins' topic
messages, see ``topics``), and keeps doing so.

The connection is opened outside the SQLAlchemy pool (it is held for the life of the process).
When it drops — a restart, a failover, an idle connection cut by the network — the listener
reconnects with exponential backoff; notifications sent while it was away are not replayed
(clients catch up with ``viewer.notifications``). A periodic ``SELECT 1`` notices a connection
that died silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

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
    ) -> None:
        self._arguments = connect_arguments(database_url)
        # Channel -> what to do with a message on it: notifications, and any other channels.
        self._handlers = {CHANNEL: on_message, **(also or {})}
        self._min_retry = min_retry_seconds
        self._max_retry = max_retry_seconds
        self._check_seconds = check_seconds
        self._connect_timeout = connect_timeout
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()
        self.connections_made = 0

    async def start(self) -> None:
        """Listen; the first attempt happens before this returns, later ones in the background.

        A database that is down at start-up does not stop the API from starting.
        """
        connection = await self._listen_once()
        self._task = asyncio.create_task(self._run(connection), name="icn-notifications-listener")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _listen_once(self) -> asyncpg.Connection | None:
        try:
            connection: asyncpg.Connection = await asyncpg.connect(
                **self._arguments,
                timeout=self._connect_timeout,
                server_settings={"application_name": APPLICATION_NAME},
            )
        except (TimeoutError, OSError, asyncpg.PostgresError) as error:
            log.warning("cannot listen for notifications (will retry): %s", error)
            return None
        try:
            for channel in self._handlers:
                await connection.add_listener(channel, self._notified)
        except (OSError, asyncpg.PostgresError) as error:
            log.warning("cannot listen for notifications (will retry): %s", error)
            connection.terminate()
            return None
        self.connections_made += 1
        self.listening.set()
        if self.connections_made > 1:
            log.info("listening for notifications again")
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
                delay = self._min_retry
                await self._hold(connection)
                if self._stopping.is_set():
                    return
                log.warning("lost the notifications listener connection; reconnecting")
                self.listening.clear()
                connection.terminate()
                connection = None
        finally:
            self.listening.clear()
            if connection is not None:
                await self._close(connection)

    async def _hold(self, connection: asyncpg.Connection) -> None:
        """Return when the connection is lost (or stops answering) or the listener stops."""
        lost = asyncio.Event()

        def on_termination(_connection: object) -> None:
            lost.set()

        connection.add_termination_listener(on_termination)
        try:
            while not await self._interrupted_within(self._check_seconds, lost):
                if not await self._alive(connection):
                    return
        finally:
            connection.remove_termination_listener(on_termination)

    async def _alive(self, connection: asyncpg.Connection) -> bool:
        try:
            await connection.fetchval("SELECT 1", timeout=self._connect_timeout)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        return True

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
        with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            for channel in self._handlers:
                await connection.remove_listener(channel, self._notified)
        try:
            await asyncio.wait_for(connection.close(), timeout=self._connect_timeout)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            connection.terminate()

    def _notified(self, _connection: object, _pid: int, channel: str, payload: object) -> None:
        handler = self._handlers.get(channel)
        if handler is not None and isinstance(payload, str):
            handler(payload)
