"""After commit, hand each outbox event to its consumers, then mark it dispatched.

Per batch (a transaction's events, or a sweep's), in order: the transactional consumers (those
registered through ``register_event_consumers``: core's notification fan-out, and any
plugin's) in one transaction (a batch that fails is retried event by event,
so one bad event holds back no other); then the listeners (the plugin engine, which only queues
the events on each plugin's lane: no listener is waited for); then ``dispatched_at``.
Delivery to consumers is at least once: an event is claimed with a lease first, and if this
process dies before marking it, the worker's sweep claims it again once the lease lapses.
Consumers are idempotent. An event whose core consumers fail is logged and left undispatched
for the sweep to retry, up to ``MAX_ATTEMPTS`` claims. Listeners get no such promise: what they
had queued when the process died is not handed out again.

Within a process batches are dispatched one at a time, in commit order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.events.claims import MAX_ATTEMPTS, claim_events, mark_dispatched
from icn_graph.events.consumers import EventConsumer, EventListener
from icn_graph.events.models import OutboxEvent
from icn_graph.events.record import Event

log = logging.getLogger(__name__)


class OutboxDispatcher:
    def __init__(
        self,
        db: Database,
        *,
        lease_seconds: float,
        consumers: Sequence[EventConsumer],
        listeners: Sequence[EventListener] = (),
    ) -> None:
        self.db = db
        self.lease_seconds = lease_seconds
        self.consumers = list(consumers)
        self.listeners = list(listeners)
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, events: list[Event]) -> None:
        """The database's event sink: dispatch a transaction's events in the background."""
        task = asyncio.get_running_loop().create_task(self._dispatch_committed(events))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self) -> None:
        for listener in self.listeners:
            await listener.start()

    async def drain(self) -> None:
        """Wait for every dispatch in flight and for the listeners to finish what they got,
        including events those listeners recorded meanwhile (tests)."""
        while True:
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
            for listener in self.listeners:
                await listener.drain()
            if not self._tasks:
                return

    async def close(self) -> None:
        """Shutdown: finish the dispatches in flight, then let the listeners close."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        for listener in self.listeners:
            await listener.close()

    async def _dispatch_committed(self, events: list[Event]) -> None:
        ids = [event.id for event in events if event.id is not None]
        try:
            async with self._lock:
                now = utcnow()
                async with self.db.transaction() as session:
                    claimed = await claim_events(
                        session, ids, now=now, lease_seconds=self.lease_seconds
                    )
                await self._dispatch(claimed, now=now)
        except Exception:
            log.exception("dispatching events %s failed; the worker's sweep retries them", ids)

    async def dispatch(self, events: Sequence[Event], *, now: datetime) -> list[int]:
        """Dispatch events claimed by the caller; the ids of those that got through."""
        async with self._lock:
            return await self._dispatch(events, now=now)

    async def _dispatch(self, events: Sequence[Event], *, now: datetime) -> list[int]:
        if not events:
            return []
        if await self._consume(events, now):
            consumed = list(events)
        elif len(events) > 1:  # one bad event must not hold back the others: each on its own
            consumed = [event for event in events if await self._consume([event], now)]
        else:
            consumed = []
        for listener in self.listeners:
            listener.deliver(consumed)
        done = [event.id for event in consumed if event.id is not None]
        if done:
            async with self.db.transaction() as session:
                await mark_dispatched(session, done, now=now)
        return done

    async def _consume(self, events: Sequence[Event], now: datetime) -> bool:
        """Run core's consumers on ``events`` in one transaction; False if any of them failed."""
        assert all(event.id is not None for event in events), "only outbox events are dispatched"
        try:
            async with self.db.transaction() as session:
                for consumer in self.consumers:
                    await consumer(session, events, now)
        except Exception:
            if len(events) > 1:
                log.warning("a batch of %d events failed; trying them one by one", len(events))
                return False
            [event] = events
            log.exception(
                "event %s (%s on %s) failed in a consumer; it stays undispatched and is retried",
                event.id,
                event.type,
                event.subject_id,
            )
            await self._give_up_if_exhausted(event)
            return False
        return True

    async def _give_up_if_exhausted(self, event: Event) -> None:
        """Say so when an event has used its last attempt: nothing will retry it any more."""
        async with self.db.session() as session:
            attempts = await session.scalar(
                select(OutboxEvent.attempts).where(OutboxEvent.id == event.id)
            )
        if attempts is not None and attempts >= MAX_ATTEMPTS:
            log.error(
                "event %s (%s on %s) failed %d times and is no longer retried; it stays in the"
                " events table with dispatched_at empty",
                event.id,
                event.type,
                event.subject_id,
                attempts,
            )
