"""Live delivery of new notifications in O(events): this process's live subscribers by person,
and the announcements for them gathered into batches.

Announcements (``person_id``, ``notification_id``) arrive one by one (a ``NOTIFY`` each on
PostgreSQL, a commit hook on SQLite) but belong together: one event notifies many people in one
transaction. The room keeps only those of people with a live subscriber in this process and
hands them to its ``deliver`` handler a batch at a time, from one task: everything announced
while a batch is being delivered makes the next batch. The handler (set by the web layer, which
renders GraphQL) reads what every recipient's payload needs in set-based queries, renders once
per distinct payload shape and pushes each subscriber its payload with :meth:`LiveSubscriber.push`.

Each subscriber has a bounded queue: one whose client reads too slowly overflows (and is told
so) instead of holding up the others.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 256

Announcement = tuple[int, int]  # (person_id, notification_id)


class LiveOverflow(Exception):
    """More payloads arrived than the subscriber's client read; some were dropped."""


class LiveSubscriber:
    """One live subscription: who it is for, what it selects (``shape``, opaque here) and the
    queue of rendered payloads waiting to be sent. Iterate it for batches of payloads."""

    def __init__(self, person_id: int, shape: Any, capacity: int = DEFAULT_CAPACITY) -> None:
        self.person_id = person_id
        self.shape = shape
        self.capacity = capacity
        self.overflowed = False
        self.closed = False
        self._payloads: deque[Any] = deque()
        self._wake = asyncio.Event()

    def push(self, payload: Any) -> None:
        """Queue ``payload`` (on the event loop); never blocks."""
        if self.closed or self.overflowed:
            return
        if len(self._payloads) >= self.capacity:
            self.overflowed = True
            self._payloads.clear()
        else:
            self._payloads.append(payload)
        self._wake.set()

    def close(self) -> None:
        self.closed = True
        self._wake.set()

    def __aiter__(self) -> LiveSubscriber:
        return self

    async def __anext__(self) -> list[Any]:
        while True:
            if self.overflowed:
                raise LiveOverflow(f"more than {self.capacity} notifications were waiting")
            if self._payloads:
                batch = list(self._payloads)
                self._payloads.clear()
                return batch
            if self.closed:
                raise StopAsyncIteration
            self._wake.clear()
            await self._wake.wait()


Deliver = Callable[[list[Announcement], dict[int, list[LiveSubscriber]]], Awaitable[None]]


class LiveRoom:
    """This process's live subscribers, by person, and the batches announced for them."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self.deliver: Deliver | None = None
        self._subscribers: dict[int, set[LiveSubscriber]] = {}
        self._pending: list[Announcement] = []
        self._lock = threading.Lock()
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self.batches = 0  # batches delivered so far (tests and benchmarks read it)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="icn-live-notifications")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        with self._lock:
            subscribers = [s for group in self._subscribers.values() for s in group]
            self._pending.clear()
        for subscriber in subscribers:
            subscriber.close()

    @contextmanager
    def subscribe(self, person_id: int, shape: Any) -> Iterator[LiveSubscriber]:
        subscriber = LiveSubscriber(person_id, shape, self.capacity)
        with self._lock:
            if not self.running:
                subscriber.closed = True
            else:
                self._subscribers.setdefault(person_id, set()).add(subscriber)
        try:
            yield subscriber
        finally:
            with self._lock:
                group = self._subscribers.get(person_id)
                if group is not None:
                    group.discard(subscriber)
                    if not group:
                        del self._subscribers[person_id]

    def subscribers_of(self, person_id: int) -> list[LiveSubscriber]:
        with self._lock:
            return list(self._subscribers.get(person_id, ()))

    def subscriber_count(self, person_id: int | None = None) -> int:
        with self._lock:
            if person_id is not None:
                return len(self._subscribers.get(person_id, ()))
            return sum(len(group) for group in self._subscribers.values())

    def announce(self, person_id: int, notification_id: int) -> None:
        """Note a new notification; safe from any thread, never blocks. Ignored unless the
        person has a live subscriber in this process."""
        with self._lock:
            if person_id not in self._subscribers or self._loop is None:
                return
            first = not self._pending
            self._pending.append((person_id, notification_id))
        if first:
            with suppress(RuntimeError):  # the loop has closed: nobody is listening
                self._loop.call_soon_threadsafe(self._signal)

    def _signal(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            # Let the rest of a transaction's NOTIFY messages (read from the same packets)
            # join this batch.
            await asyncio.sleep(0)
            with self._lock:
                batch, self._pending = self._pending, []
                subscribers = {
                    person_id: list(self._subscribers.get(person_id, ()))
                    for person_id in {person_id for person_id, _ in batch}
                }
            subscribers = {person: group for person, group in subscribers.items() if group}
            if not batch or not subscribers or self.deliver is None:
                continue
            try:
                await self.deliver(batch, subscribers)
            except Exception:
                # The database may be away: these notifications stay in viewer.notifications.
                log.exception("could not deliver %d live notification(s)", len(batch))
            self.batches += 1
