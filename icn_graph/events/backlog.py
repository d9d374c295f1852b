"""How the outbox is doing: events waiting for dispatch, and those given up on.

For operators (``icn-graph notifications status``): a growing ``waiting`` means no worker is
sweeping; ``given_up`` events failed in core's consumers ``MAX_ATTEMPTS`` times and need a person
to look at the log (they stay in ``events`` with ``dispatched_at`` empty).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.events.claims import MAX_ATTEMPTS
from icn_graph.events.models import OutboxEvent


@dataclass(frozen=True)
class OutboxBacklog:
    waiting: int  # undispatched and still to be tried
    given_up: int  # undispatched after MAX_ATTEMPTS failures
    oldest_waiting: datetime | None


async def outbox_backlog(session: AsyncSession) -> OutboxBacklog:
    """One query, on the partial index of undispatched events."""
    exhausted = OutboxEvent.attempts >= MAX_ATTEMPTS
    waiting, given_up, oldest = (
        await session.execute(
            select(
                func.count().filter(~exhausted),
                func.count().filter(exhausted),
                func.min(OutboxEvent.occurred_at).filter(~exhausted),
            ).where(OutboxEvent.dispatched_at.is_(None))
        )
    ).one()
    return OutboxBacklog(waiting=waiting, given_up=given_up, oldest_waiting=oldest)
