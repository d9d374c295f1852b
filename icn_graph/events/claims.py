"""Claiming outbox rows with a lease, so one event is dispatched by one process at a time.

A claim sets ``lease_until`` and counts an attempt, but only on a row that is undispatched and
whose lease is free or expired. On PostgreSQL the sweep's candidates are locked with ``FOR UPDATE
SKIP LOCKED``, so concurrent workers take disjoint rows without waiting for each other; SQLite
serializes writers, which gives the same result. A claimer that dies simply lets its lease lapse.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.events import Event
from icn_graph.events.models import OutboxEvent

# An event whose consumers failed this many times stays undispatched (and visible) for a person
# to look at, instead of being retried forever.
MAX_ATTEMPTS = 10


def _claimable(now: datetime) -> ColumnElement[bool]:
    return (
        OutboxEvent.dispatched_at.is_(None)
        & or_(OutboxEvent.lease_until.is_(None), OutboxEvent.lease_until <= now)
        & (OutboxEvent.attempts < MAX_ATTEMPTS)
    )


async def _claim(
    session: AsyncSession, which: ColumnElement[bool], *, now: datetime, lease_seconds: float
) -> list[Event]:
    statement = (
        update(OutboxEvent)
        .where(which)
        .values(
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=OutboxEvent.attempts + 1,
        )
        .returning(OutboxEvent)
    )
    options: dict[str, Any] = {"synchronize_session": False}
    rows = await session.scalars(statement, execution_options=options)
    return sorted((Event.from_row(row) for row in rows), key=lambda event: event.id or 0)


async def claim_events(
    session: AsyncSession, ids: Collection[int], *, now: datetime, lease_seconds: float
) -> list[Event]:
    """Claim the events ``ids`` that nobody else holds (right after their commit)."""
    if not ids:
        return []
    which = OutboxEvent.id.in_(ids) & _claimable(now)
    return await _claim(session, which, now=now, lease_seconds=lease_seconds)


async def claim_undispatched(
    session: AsyncSession,
    *,
    now: datetime,
    older_than: datetime,
    lease_seconds: float,
    limit: int,
) -> list[Event]:
    """Claim up to ``limit`` undispatched events recorded before ``older_than``, oldest first."""
    candidates = (
        select(OutboxEvent.id)
        .where(_claimable(now), OutboxEvent.occurred_at < older_than)
        .order_by(OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    which = OutboxEvent.id.in_(candidates.scalar_subquery())
    return await _claim(session, which, now=now, lease_seconds=lease_seconds)


async def mark_dispatched(session: AsyncSession, ids: Collection[int], *, now: datetime) -> None:
    if ids:
        statement = (
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(ids))
            .values(dispatched_at=now, lease_until=None)
        )
        await session.execute(statement, execution_options={"synchronize_session": False})
