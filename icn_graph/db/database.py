"""The async engine and session factory for one process; the app's lifespan owns an instance."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from icn_graph.db.after_commit import discard_pending, take_committed
from icn_graph.db.before_commit import discard_before_commit, run_before_commit
from icn_graph.db.problems import VARIABLE, DatabaseUnusable


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    """An engine for ``url``; on SQLite, foreign keys on, WAL, and the file's folder created."""
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
    engine = create_async_engine(url, pool_pre_ping=not is_sqlite)
    if is_sqlite:
        event.listen(engine.sync_engine, "connect", _enable_sqlite_pragmas)
    return engine


# Receives what a committed transaction handed over: the outbox's events, with their row ids.
EventSink = Callable[[list[Any]], None]


class Database:
    """Engine plus session factory. One ``AsyncSession`` per unit of work, never shared.

    ``event_sink`` receives the domain events a transaction recorded, once it has committed.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self.event_sink: EventSink | None = None

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(create_engine(url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A read session; nothing it does is committed."""
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside a transaction: committed on success, rolled back on any error.

        Steps registered with :func:`~icn_graph.db.before_commit.before_commit` run last, inside
        it. Events recorded in it (outbox rows written in the same transaction) go to
        ``event_sink`` after the commit, with their row ids; after a rollback there are none.
        """
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

    async def dispose(self) -> None:
        await self.engine.dispose()
