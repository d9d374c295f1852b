"""No pooled connection came free in time: the process has more requests at once than its
pool (ICN_DATABASE_POOL_SIZE and 5 more) serves. Not a lost connection, nor a bug: the request
is told to try again and the operator which setting to raise, at WARNING, without a traceback."""

from __future__ import annotations

from sqlalchemy.exc import TimeoutError as PoolTimeout

BUSY = "The database is busy; try again shortly."
UNAVAILABLE = "The database is unavailable; try again shortly."
POOL_ADVICE = (
    "more requests at once than ICN_DATABASE_POOL_SIZE (and 5 more) allow waited past "
    'ICN_DATABASE_POOL_TIMEOUT: see docs/operations.md, "How large a pool"'
)


def no_connection_free(error: BaseException | None) -> bool:
    """SQLAlchemy's pool gave up waiting for a connection (``ICN_DATABASE_POOL_TIMEOUT``)."""
    return isinstance(error, PoolTimeout)


def unavailable_message(error: BaseException) -> str:
    """What to tell the client whose request the database could not serve."""
    return BUSY if no_connection_free(error) else UNAVAILABLE
