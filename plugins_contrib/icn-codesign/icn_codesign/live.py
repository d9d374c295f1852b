"""What ``threadActivity`` subscribers hear: activity in a thread, as it is committed.

The plugin's ``on_event`` hands each committed event about a thread to :func:`publish` (see
``activity_of``); each subscription has a bounded queue. Besides activity, a subscriber is told
to *recheck* when the person may have lost access (they left the thread, or left a center's
team): the subscription then checks the audience rules again and ends if they no longer let the
person see the thread.

Subscribers are this process's: ``on_event`` runs in the process that committed the change (or
a worker sweeping it), so on a deployment of several API processes a subscriber hears the
activity committed through its own process. (Core's notification subscriptions travel between
processes over PostgreSQL ``LISTEN/NOTIFY``; this feed does not yet.)
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

CAPACITY = 256


class ActivityKind(enum.StrEnum):
    """What happened in a thread. The drafts module adds its kinds here."""

    MESSAGE_POSTED = "MESSAGE_POSTED"
    MESSAGE_EDITED = "MESSAGE_EDITED"
    MESSAGE_HIDDEN = "MESSAGE_HIDDEN"
    PARTICIPANT_JOINED = "PARTICIPANT_JOINED"
    PARTICIPANT_LEFT = "PARTICIPANT_LEFT"
    # Drafts and decisions (draft_live.py):
    DRAFT_REVISED = "DRAFT_REVISED"
    REVISION_AGREED = "REVISION_AGREED"
    DRAFT_FINALISED = "DRAFT_FINALISED"
    DECISION_RECORDED = "DECISION_RECORDED"


@dataclass(frozen=True)
class Activity:
    """Something that happened in thread ``thread_id``; ``subject_id`` is the global ID of what
    it is about (the message, the person who joined or left)."""

    thread_id: int
    kind: ActivityKind
    subject_id: str | None
    occurred_at: datetime


class Recheck:
    """Not activity: check again that the subscriber may still see the thread."""


RECHECK = Recheck()


class FeedOverflow(Exception):
    """More activity arrived than the subscriber read."""


class Feed:
    def __init__(self, thread_id: int, person_id: int) -> None:
        self.thread_id = thread_id
        self.person_id = person_id
        self.overflowed = False
        self.queue: asyncio.Queue[Activity | Recheck] = asyncio.Queue(CAPACITY)

    def offer(self, item: Activity | Recheck) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True

    def __aiter__(self) -> AsyncIterator[Activity | Recheck]:
        return self._items()

    async def _items(self) -> AsyncIterator[Activity | Recheck]:
        while True:
            item = await self.queue.get()
            if self.overflowed:
                raise FeedOverflow(f"more than {CAPACITY} activities were waiting")
            yield item


class ActivityHub:
    """The subscribers of one database in this process, by thread and by person."""

    def __init__(self) -> None:
        self._by_thread: dict[int, set[Feed]] = {}

    @contextmanager
    def subscribe(self, thread_id: int, person_id: int) -> Iterator[Feed]:
        feed = Feed(thread_id, person_id)
        self._by_thread.setdefault(thread_id, set()).add(feed)
        try:
            yield feed
        finally:
            feeds = self._by_thread.get(thread_id)
            if feeds is not None:
                feeds.discard(feed)
                if not feeds:
                    del self._by_thread[thread_id]

    def publish(self, activity: Activity) -> None:
        for feed in list(self._by_thread.get(activity.thread_id, ())):
            feed.offer(activity)

    def recheck(self, *, thread_id: int | None = None, person_id: int | None = None) -> None:
        """Ask the subscribers of ``thread_id`` (all, or only ``person_id``'s), or every
        subscriber that is ``person_id``, to check their access again."""
        for thread, feeds in list(self._by_thread.items()):
            if thread_id is not None and thread != thread_id:
                continue
            for feed in list(feeds):
                if person_id is None or feed.person_id == person_id:
                    feed.offer(RECHECK)

    def subscriber_count(self, thread_id: int) -> int:
        return len(self._by_thread.get(thread_id, ()))


_hubs: dict[str, ActivityHub] = {}


def hub_for(database_key: str) -> ActivityHub:
    """The hub of the database ``database_key`` (its URL): two apps on two databases in one
    process (the tests) never hear each other's threads."""
    hub = _hubs.get(database_key)
    if hub is None:
        hub = _hubs[database_key] = ActivityHub()
    return hub
