"""Reading recorded events back, typed, by their outbox ids (for the inbox and mail)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.events.models import OutboxEvent
from icn_graph.events.record import Event


async def stored_events(session: AsyncSession, event_ids: Collection[int]) -> dict[int, Event]:
    """The events ``event_ids`` name, by id, in one query; ids of no event are left out."""
    if not event_ids:
        return {}
    rows = await session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(set(event_ids))))
    return {row.id: Event.from_row(row) for row in rows}
