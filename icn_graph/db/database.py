"""The async engine and session factory for one process; the app's lifespan owns an instance."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, cast

from sqlalchemy import event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.exc import DBAPIError, SADeprecationWarning
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import QueuePool

from icn_graph.config import DEFAULT_POOL_SIZE, DEFAULT_POOL_TIMEOUT, Settings
from icn_graph.db.after_commit import discard_pending, take_committed
from icn_graph.db.before_commit import discard_before_commit, run_before_commit
from icn_graph.db.problems import VARIABLE, DatabaseUnusable

log = logging.getLogger(__name__)


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# How many connections a burst may open beyond the pool's ICN_DATABASE_POOL_SIZE: those are
# closed as they come back, and opening one costs both sides far more than a request's reads (a
# backend process, authentication, asyncpg's type introspection).
BURST_CONNECTIONS = 5


def create_engine(
    url: str, pool_size: int = DEFAULT_POOL_SIZE, pool_timeout: float = DEFAULT_POOL_TIMEOUT
) -> AsyncEngine:
    """An engine for ``url`` whose pool keeps ``pool_size`` connections open and makes a
    checkout wait at most ``pool_timeout`` seconds for one; on SQLite, foreign keys on, WAL, and
    the file's folder created."""
    parsed = make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            why = "a file has that name" if isinstance(error, FileExistsError) else error.strerror
            raise DatabaseUnusable(
                f"{VARIABLE}: cannot create {folder}, the folder of the SQLite file "
                f"{parsed.database} ({why}); choose a path this user may write"
            ) from error
    # No pre-ping (a round trip before every checkout): a dead connection shows itself by its
    # error, the pool is then invalidated, and a request's reads retry once (ReadUnit).
    # An in-memory SQLite database lives in one connection (SQLAlchemy's StaticPool): no size.
    dialect = cast("type[DefaultDialect]", parsed.get_dialect())
    with warnings.catch_warnings():  # about `mode=memory`: the engine below says it once
        warnings.simplefilter("ignore", SADeprecationWarning)
        pooled = issubclass(dialect.get_pool_class(parsed), QueuePool)
    pool: dict[str, Any] = {
        "pool_size": pool_size,
        "max_overflow": BURST_CONNECTIONS,
        "pool_timeout": pool_timeout,
    }
    engine = create_async_engine(url, **(pool if pooled else {}))
    if is_sqlite:
        event.listen(engine.sync_engine, "connect", _enable_sqlite_pragmas)
    return engine


# Set in a connection's ``info`` when one of its statements failed in the database (not a lost
# connection): on PostgreSQL its transaction is then aborted (ReadUnit._aborted).
STATEMENT_FAILED = "icn_graph_statement_failed"


def _note_failed_statement(context: ExceptionContext) -> None:
    connection = context.connection
    if (
        connection is None
        or connection.invalidated  # its info would reconnect it
        or context.is_disconnect
        or not isinstance(context.sqlalchemy_exception, DBAPIError)  # never reached it
    ):
        return
    connection.info[STATEMENT_FAILED] = True


# Receives what a committed transaction handed over: the outbox's events, with their row ids.
EventSink = Callable[[list[Any]], None]


class Database:
    """Engine plus session factory. One ``AsyncSession`` per unit of work, never shared.

    Inside :meth:`read_unit` (a GraphQL request over HTTP), every :meth:`session` and
    :meth:`reading` reads on the unit's one connection instead, one at a time;
    :meth:`transaction` always has its own connection (the unit's is handed back first when
    idle, so a request holds one).

    ``event_sink`` receives the domain events a transaction recorded, once it has committed.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        if not event.contains(engine.sync_engine, "handle_error", _note_failed_statement):
            event.listen(engine.sync_engine, "handle_error", _note_failed_statement)
        # When a pooled connection last came back (time.monotonic): a pool whose connections
        # all stay out while none comes back is stuck, not busy (see ``busy``).
        self.connection_returned_at = time.monotonic()
        event.listen(engine.sync_engine, "checkin", self._connection_returned)
        self.sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self.event_sink: EventSink | None = None

    @classmethod
    def from_url(
        cls,
        url: str,
        pool_size: int = DEFAULT_POOL_SIZE,
        pool_timeout: float = DEFAULT_POOL_TIMEOUT,
    ) -> Database:
        return cls(create_engine(url, pool_size, pool_timeout))

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The database of ``ICN_DATABASE_URL``, its pool as ``ICN_DATABASE_POOL_*`` say."""
        return cls.from_url(
            settings.database_url_value,
            settings.database_pool_size,
            settings.database_pool_timeout,
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A read session; nothing it does is committed (on the read unit's connection when
        one is open: see :meth:`read_unit`)."""
        unit = self._unit()
        if unit is not None:
            async with unit.session() as shared:
                yield shared
            return
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection for Core reads, where an ORM session would only add its cost (on the read
        unit's connection when one is open); nothing it does is committed."""
        unit = self._unit()
        if unit is not None:
            async with unit.reading() as shared:
                yield shared
            return
        async with self.engine.connect() as connection:
            yield connection

    def _unit(self) -> ReadUnit | None:
        unit = _current_unit.get()
        return unit if unit is not None and unit.db is self and not unit.closed else None

    @asynccontextmanager
    async def read_unit(self) -> AsyncIterator[ReadUnit]:
        """Until the block ends, this task's (and its child tasks') :meth:`session` and
        :meth:`reading` calls share one connection, checked out at the first read, in one
        read-only transaction."""
        unit = ReadUnit(self)
        token = _current_unit.set(unit)
        try:
            yield unit
        finally:
            _current_unit.reset(token)
            await unit.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside a transaction: committed on success, rolled back on any error.

        Steps registered with :func:`~icn_graph.db.before_commit.before_commit` run last, inside
        it. Events recorded in it (outbox rows written in the same transaction) go to
        ``event_sink`` after the commit, with their row ids; after a rollback there are none.
        """
        forgetting = _forgetting.get()
        if forgetting is not None:
            forgetting.before_write()
        unit = self._unit()
        if unit is not None:
            await unit.before_write()
        async with self.sessions() as session:
            try:
                async with session.begin():
                    yield session
                    await run_before_commit(session)
            except BaseException:
                discard_before_commit(session)
                discard_pending(session)
                raise
            events = take_committed(session)
        if events and self.event_sink is not None:
            self.event_sink(events)

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    def every_connection_in_use(self) -> bool:
        """The pool has checked out every connection it may open (ICN_DATABASE_POOL_SIZE and
        the burst, or being opened): a checkout now waits for one to come back."""
        pool = self.engine.pool
        if not isinstance(pool, QueuePool):  # an in-memory SQLite database's one connection
            return False
        burst: int = getattr(pool, "_max_overflow", BURST_CONNECTIONS)  # SQLAlchemy's own
        return burst >= 0 and pool.checkedout() >= pool.size() + burst

    def busy(self, within: float) -> bool:
        """Every connection is in use and one came back in the last ``within`` seconds: the
        pool is serving more requests than it holds, and moving. Connections that all hang
        (a database that stopped answering, a half-open TCP connection) are not busy."""
        recently = time.monotonic() - self.connection_returned_at <= within
        return recently and self.every_connection_in_use()

    def _connection_returned(self, *_: object) -> None:
        self.connection_returned_at = time.monotonic()

    async def dispose(self) -> None:
        await self.engine.dispose()


# The read unit of the running request, if any (child tasks inherit it).
_current_unit: ContextVar[ReadUnit | None] = ContextVar("icn_graph_read_unit", default=None)
# Set inside one of the unit's turns (a session or a reading): one opened within it shares it.
_holding: ContextVar[ReadUnit | None] = ContextVar("icn_graph_read_unit_turn", default=None)


class _Forgetting:
    """An operation's ``forget``, for transactions its own task starts while it runs."""

    def __init__(self, forget: Callable[[], None]) -> None:
        self.forget: Callable[[], None] | None = forget
        self.task = asyncio.current_task()

    def before_write(self) -> None:
        if self.forget is not None and asyncio.current_task() is self.task:
            self.forget()


_forgetting: ContextVar[_Forgetting | None] = ContextVar("icn_graph_forgetting", default=None)


@contextmanager
def forgetting_on_write(forget: Callable[[], None]) -> Iterator[None]:
    """While this block runs, every transaction its task starts first calls ``forget``: a
    GraphQL operation's loaders forget what they loaded, so a later field of a mutation reads
    what an earlier field's write changed, not a row loaded before it.

    Only the block's own task: mutations run their fields there, one after another. Tasks it
    starts (a loader's batch that writes an audit row, events dispatched after a commit) do not
    forget, nor does anything once the block has ended."""
    forgetting = _Forgetting(forget)
    token = _forgetting.set(forgetting)
    try:
        yield
    finally:
        forgetting.forget = None
        _forgetting.reset(token)


def current_read_unit() -> ReadUnit | None:
    """The read unit this task runs in (see :meth:`Database.read_unit`), if any."""
    unit = _current_unit.get()
    return unit if unit is not None and not unit.closed else None


class ReadUnit:
    """One request's reads: one connection, checked out once, in one read-only transaction
    (``BEGIN READ ONLY`` on PostgreSQL), that every read of the request uses in turn (a lock:
    the loaders' batches run one after another; each DataLoader still merges its keys). Its
    turns share one ORM session, emptied as each turn starts and ends (``expunge_all``): rows
    come back detached, as from a closed session, and a later turn reads them again, never from
    memory.

    On PostgreSQL, a turn in which a statement failed in the database (whoever caught the
    error) ends the transaction it aborted, and the next turn reads in a fresh one. A read that
    fails because the connection died marks the unit ``lost`` and drops the connection; the
    next read checks out a fresh one. Whoever runs the unit may then run its reads again, once,
    if it wrote nothing (``may_run_again``): see ``GraphQLApp.execute_single`` and
    ``web.route_reads``.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.lock = asyncio.Lock()
        self.connection: AsyncConnection | None = None
        self.closed = False
        self.lost = False
        self.wrote = False
        self.busy: PoolTimeout | None = None
        self._session: AsyncSession | None = None
        # Whoever runs the unit will run it again if it loses its connection (web.route_reads).
        self.runs_again_if_lost = False

    @property
    def may_run_again(self) -> bool:
        """A read lost its connection and nothing was written: running the same work again, on
        a fresh connection, does nothing twice."""
        return self.lost and not self.wrote

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.reading() as connection:
            # None again once the connection is released or discarded: one session per connection.
            if self._session is None:
                self._session = self.db.sessions(bind=connection)
            yield self._session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """The unit's connection, for this task's turn."""
        nested = _holding.get() is self
        if not nested:
            await self.lock.acquire()
            self._forget()  # what a straggler loaded after the last turn ended
        token = _holding.set(self)
        try:
            connection = await self._connection()
            try:
                yield connection
            except BaseException as error:
                if _lost(error):
                    self.lost = True
                    await self._discard()
                raise
        finally:
            _holding.reset(token)
            if not nested:
                self._forget()
                try:
                    if self._aborted():
                        await self.release()  # the next turn reads in a fresh transaction
                finally:
                    self.lock.release()
                if self.closed:  # the request ended while this (a straggler's) read ran
                    await self.release()

    def _aborted(self) -> bool:
        """A statement failed in the database during the turn, whoever caught its error: on
        PostgreSQL that aborted the transaction, and every later statement in it would fail."""
        connection = self.connection
        if connection is None or self.db.dialect != "postgresql":
            return False
        return bool(connection.info.pop(STATEMENT_FAILED, False))

    def _forget(self) -> None:
        """Empty the shared session as a turn starts and ends, whichever way the turn took
        it (``session()``, or a session opened inside a ``reading()``)."""
        if self._session is not None:
            self._session.expunge_all()

    async def _connection(self) -> AsyncConnection:
        if self.busy is not None:
            # The pool had no connection free for this request: its later reads fail at once,
            # rather than each waiting ICN_DATABASE_POOL_TIMEOUT again.
            raise self.busy
        if self.connection is None:
            try:
                connection = await self.db.engine.connect()
            except PoolTimeout as error:
                self.busy = error
                raise
            connection.info.pop(STATEMENT_FAILED, None)  # kept with the pooled connection
            try:
                if self.db.dialect == "postgresql":
                    await connection.execution_options(postgresql_readonly=True)
                await connection.begin()
            except BaseException:
                await _invalidate(connection)
                raise
            self.connection = connection
        return self.connection

    async def before_write(self) -> None:
        """A transaction is about to start: hand the connection back now if no read uses it,
        so the request holds one connection at a time."""
        self.wrote = True
        if not self.lock.locked():
            await self.release()

    async def release(self) -> None:
        """End the read-only transaction and give the connection back to the pool."""
        connection, self.connection = self.connection, None
        session, self._session = self._session, None
        if session is not None:
            await session.close()
        if connection is None:
            return
        try:
            await connection.close()
        except BaseException as error:
            if not _lost(error):
                raise
            await _invalidate(connection)

    async def _discard(self) -> None:
        connection, self.connection = self.connection, None
        self._session = None
        if connection is not None:
            await _invalidate(connection)

    async def close(self) -> None:
        self.closed = True
        if not self.lock.locked():
            await self.release()


def _lost(error: BaseException) -> bool:
    from icn_graph.db.connection_errors import connection_dropped  # imports asyncpg

    return connection_dropped(error)


async def _invalidate(connection: AsyncConnection) -> None:
    """Drop a connection that died: never back into the pool, whatever closing it raises."""
    try:
        await connection.invalidate()
    except Exception as error:  # it is dead already; nothing else to do
        log.debug("invalidating a lost connection: %s", error)
