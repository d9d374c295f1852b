"""Things a transaction hands on only once it has committed (the outbox's events).

A writer registers a zero-argument function with :func:`hand_over_after_commit`; after the
commit, :class:`~icn_graph.db.database.Database` calls each (so they can read ids the commit
assigned) and passes the results to its ``event_sink``. After a rollback they are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

PENDING = "icn_graph.after_commit"


def hand_over_after_commit(session: AsyncSession, produce: Callable[[], Any]) -> None:
    session.info.setdefault(PENDING, []).append(produce)


def take_committed(session: AsyncSession) -> list[Any]:
    """What was handed over in ``session``, produced now and forgotten there."""
    produce: list[Callable[[], Any]] = session.info.pop(PENDING, [])
    return [make() for make in produce]


def discard_pending(session: AsyncSession) -> None:
    session.info.pop(PENDING, None)
