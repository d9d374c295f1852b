"""Whether an error means "the database connection was lost", and telling a real cancellation
from a stray ``CancelledError``.

When PostgreSQL kills a connection in the middle of a statement, what reaches the caller varies
with the moment: SQLAlchemy's wrapped driver errors, asyncpg's own (raised unwrapped from a new
connection's set-up, or its internal protocol errors), ``OSError``, or even
``asyncio.CancelledError`` in a task nobody cancelled (SQLAlchemy's asyncpg adapter re-raises the
one its graceful close got). All of them are a lost connection, worth a retry. A task that *is*
being cancelled (server shutdown, a timeout, a task group tearing down) has ``cancelling() > 0``,
and its cancellation must go through.
"""

from __future__ import annotations

import asyncio

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
from sqlalchemy.exc import DBAPIError, InterfaceError, InternalError, OperationalError

# Unwrapped asyncpg errors: the server's (AdminShutdownError, ...) and the client's
# ("connection is closed", "cannot switch to state ...").
_DRIVER_ERRORS: tuple[type[Exception], ...] = (asyncpg.PostgresError, asyncpg.InterfaceError)


def stray_cancellation(error: BaseException) -> bool:
    """True for a ``CancelledError`` raised in a task that nobody asked to stop."""
    if not isinstance(error, asyncio.CancelledError):
        return False
    task = asyncio.current_task()
    return task is not None and task.cancelling() == 0


def connection_lost(error: BaseException) -> bool:
    """The work failed because its database connection did (retrying may work)."""
    if stray_cancellation(error) or isinstance(error, (OSError, TimeoutError, *_DRIVER_ERRORS)):
        return True
    if isinstance(error, OperationalError | InterfaceError | InternalError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def connection_dropped(error: BaseException) -> bool:
    """The connection itself is gone, so the same work may succeed on a fresh one: narrower
    than :func:`connection_lost`, which also counts any ``OperationalError`` (SQLite's "no such
    table" is one). SQLAlchemy's errors count only when it invalidated the connection."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated
    return connection_lost(error)
