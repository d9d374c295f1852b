"""The worker's sweep: dispatch events their process never got to (it died after the commit).

Only events older than ``grace_seconds`` are taken, so the sweep does not race the process that
committed them, and only those whose lease is free or expired (a crashed dispatcher's lease
lapses). Several workers sweep at once safely: each claims different rows.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from icn_graph.db.database import Database
from icn_graph.events.claims import claim_undispatched
from icn_graph.events.dispatcher import OutboxDispatcher

log = logging.getLogger(__name__)


async def sweep_undispatched(
    db: Database,
    dispatcher: OutboxDispatcher,
    *,
    now: datetime,
    worker_id: str,
    lease_seconds: float = 60,
    grace_seconds: float = 5,
    limit: int = 200,
) -> int:
    """Claim and dispatch up to ``limit`` leftover events; how many were claimed."""
    async with db.transaction() as session:
        events = await claim_undispatched(
            session,
            now=now,
            older_than=now - timedelta(seconds=grace_seconds),
            lease_seconds=lease_seconds,
            limit=limit,
        )
    if events:
        log.info("worker %s: dispatching %d leftover events", worker_id, len(events))
        await dispatcher.dispatch(events, now=now)
    return len(events)
