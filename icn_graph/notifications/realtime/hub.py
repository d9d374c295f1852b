"""Routing new notifications to the subscribers of one process, by person.

Publishing never waits: each subscriber has a bounded inbox, and one that falls behind (its
client reads too slowly) is marked *overflowed* and told so, instead of holding up the others or
growing without bound. Publishing is safe from any thread; delivery happens on the event loop
of the subscriber.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

DEFAULT_CAPACITY = 256


class InboxOverflow(Exception):
    """More notifications arrived than the subscriber read; some were dropped."""


class Inbox:
    """One subscriber's queue of notification ids; iterate it for batches of ids."""

    def __init__(self, person_id: int, capacity: int) -> None:
        self.person_id = person_id
        self.capacity = capacity
        self.overflowed = False
        self.closed = False
        self._ids: deque[int] = deque()
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def offer(self, notification_id: int) -> None:
        """Hand over ``notification_id`` from any thread; never blocks."""
        # RuntimeError: the subscriber's loop has closed, so nobody is listening any more.
        with suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._deliver, notification_id)

    def close(self) -> None:
        with suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._close)

    def _deliver(self, notification_id: int) -> None:
        if self.closed or self.overflowed:
            return
        if len(self._ids) >= self.capacity:
            self.overflowed = True
            self._ids.clear()
        else:
            self._ids.append(notification_id)
        self._wake.set()

    def _close(self) -> None:
        self.closed = True
        self._wake.set()

    def __aiter__(self) -> Inbox:
        return self

    async def __anext__(self) -> list[int]:
        """Every id waiting now (at least one); ends when the hub closes."""
        while True:
            if self.overflowed:
                raise InboxOverflow(f"more than {self.capacity} notifications were waiting")
            if self._ids:
                batch = list(self._ids)
                self._ids.clear()
                return batch
            if self.closed:
                raise StopAsyncIteration
            self._wake.clear()
            await self._wake.wait()


class Hub:
    """The subscribers of this process, by person id."""

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        *,
        also: Callable[[int, int], None] | None = None,
    ) -> None:
        self.capacity = capacity
        # Live subscribers fed in batches (live.LiveRoom.announce) hear of every publication too.
        self.also = also
        self._inboxes: dict[int, set[Inbox]] = {}
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def subscribe(self, person_id: int) -> Iterator[Inbox]:
        """An inbox receiving ``person_id``'s new notifications while the block runs."""
        inbox = Inbox(person_id, self.capacity)
        with self._lock:
            if self._closed:
                inbox.closed = True
            else:
                self._inboxes.setdefault(person_id, set()).add(inbox)
        try:
            yield inbox
        finally:
            with self._lock:
                inboxes = self._inboxes.get(person_id)
                if inboxes is not None:
                    inboxes.discard(inbox)
                    if not inboxes:
                        del self._inboxes[person_id]

    def open(self) -> None:
        with self._lock:
            self._closed = False

    def publish(self, person_id: int, notification_id: int) -> None:
        if self.also is not None:
            self.also(person_id, notification_id)
        with self._lock:
            inboxes = list(self._inboxes.get(person_id, ()))
        for inbox in inboxes:
            inbox.offer(notification_id)

    def subscriber_count(self, person_id: int | None = None) -> int:
        with self._lock:
            if person_id is not None:
                return len(self._inboxes.get(person_id, ()))
            return sum(len(inboxes) for inboxes in self._inboxes.values())

    def close(self) -> None:
        """End every subscription (shutdown); later subscriptions end at once."""
        with self._lock:
            self._closed = True
            inboxes = [inbox for group in self._inboxes.values() for inbox in group]
        for inbox in inboxes:
            inbox.close()
