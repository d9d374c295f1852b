"""Topics: short live messages for plugins' subscriptions, within and across API processes.

A plugin publishes a message on a named topic once a change has committed
(:func:`publish_topic`, typically from ``on_event``: ``"codesign.thread.12"``, ``'{"kind": ...}'``)
and its GraphQL subscriptions listen on topics (``listen_topics``, through the ``Broadcaster`` in
the request context). On PostgreSQL a message travels as a ``NOTIFY`` on the channel
``icn_topics``, so every API process's listener hears it, whichever process (API or worker)
published it; on SQLite it reaches the subscribers of this process only.

Delivery is best effort and at most once: a listener that reconnects misses what was sent
meanwhile. Carry ids, not content, and let the subscriber read the current state as its viewer:
any session on the database can ``LISTEN``, so nothing private belongs in a message.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import deque
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import text
from sqlalchemy.engine import URL

from icn_graph.db.database import Database
from icn_graph.notifications.realtime.local import url_key

CHANNEL = "icn_topics"
MAX_MESSAGE_BYTES = 7_000  # NOTIFY takes up to 8,000 bytes, the topic included
DEFAULT_CAPACITY = 256
_TOPIC = re.compile(r"^[a-z][a-z0-9_.:-]{0,99}$")
_NOTIFY = text("SELECT pg_notify(:channel, :message)")


class TopicOverflow(Exception):
    """More messages arrived than the subscriber read; some were dropped."""


def check_topic(topic: str) -> str:
    if not _TOPIC.match(topic):
        raise ValueError(
            f"topic {topic[:120]!r} must be lower case letters, digits and . _ : - "
            "(at most 100, starting with a letter), e.g. 'codesign.thread.12'"
        )
    return topic


def encode(topic: str, message: str) -> str:
    return f"{check_topic(topic)} {message}"


def decode(raw: str) -> tuple[str, str] | None:
    topic, space, message = raw.partition(" ")
    return (topic, message) if space and _TOPIC.match(topic) else None


class TopicFeed:
    """One subscription's queue of ``(topic, message)``; iterate it. Ends when the hub closes."""

    def __init__(self, topics: frozenset[str], capacity: int) -> None:
        self.topics = topics
        self.capacity = capacity
        self.overflowed = False
        self.closed = False
        self._items: deque[tuple[str, str]] = deque()
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def offer(self, topic: str, message: str) -> None:
        """Hand over a message from any thread; never blocks."""
        with suppress(RuntimeError):  # the subscriber's loop has closed: nobody listens
            self._loop.call_soon_threadsafe(self._deliver, topic, message)

    def close(self) -> None:
        with suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._close)

    def _deliver(self, topic: str, message: str) -> None:
        if self.closed or self.overflowed:
            return
        if len(self._items) >= self.capacity:
            self.overflowed = True
            self._items.clear()
        else:
            self._items.append((topic, message))
        self._wake.set()

    def _close(self) -> None:
        self.closed = True
        self._wake.set()

    def __aiter__(self) -> TopicFeed:
        return self

    async def __anext__(self) -> tuple[str, str]:
        while True:
            if self.overflowed:
                raise TopicOverflow(f"more than {self.capacity} messages were waiting")
            if self._items:
                return self._items.popleft()
            if self.closed:
                raise StopAsyncIteration
            self._wake.clear()
            await self._wake.wait()


class TopicHub:
    """This process's topic subscriptions."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._feeds: dict[str, set[TopicFeed]] = {}
        self._watchers: list[tuple[str, Callable[[str, str], None]]] = []
        self._lock = threading.Lock()
        self._closed = False

    def watch(self, prefix: str, heard: Callable[[str, str], None]) -> None:
        """Call ``heard(topic, message)`` for every message on a topic starting with ``prefix``,
        at once and before any subscription's feed gets it (the viewer cache forgets a revoked
        token before an open websocket checks it again)."""
        with self._lock:
            self._watchers.append((prefix, heard))

    @contextmanager
    def subscribe(self, topics: Collection[str]) -> Iterator[TopicFeed]:
        """A feed of the messages on any of ``topics`` while the block runs."""
        feed = TopicFeed(frozenset(check_topic(topic) for topic in topics), self.capacity)
        with self._lock:
            if self._closed:
                feed.closed = True
            else:
                for topic in feed.topics:
                    self._feeds.setdefault(topic, set()).add(feed)
        try:
            yield feed
        finally:
            with self._lock:
                for topic in feed.topics:
                    feeds = self._feeds.get(topic)
                    if feeds is not None:
                        feeds.discard(feed)
                        if not feeds:
                            del self._feeds[topic]

    def open(self) -> None:
        with self._lock:
            self._closed = False

    def publish(self, topic: str, message: str) -> None:
        with self._lock:
            feeds = list(self._feeds.get(topic, ()))
            watchers = [heard for prefix, heard in self._watchers if topic.startswith(prefix)]
        for heard in watchers:
            heard(topic, message)
        for feed in feeds:
            feed.offer(topic, message)

    def subscriber_count(self, topic: str) -> int:
        with self._lock:
            return len(self._feeds.get(topic, ()))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            feeds = {feed for group in self._feeds.values() for feed in group}
        for feed in feeds:
            feed.close()


# SQLite: this process's hubs by database URL (two apps on two databases stay apart).
_local: dict[str, set[TopicHub]] = {}
_local_lock = threading.Lock()


def register_local(database_url: URL, hub: TopicHub) -> None:
    with _local_lock:
        _local.setdefault(url_key(database_url), set()).add(hub)


def unregister_local(database_url: URL, hub: TopicHub) -> None:
    with _local_lock:
        hubs = _local.get(url_key(database_url))
        if hubs is not None:
            hubs.discard(hub)
            if not hubs:
                del _local[url_key(database_url)]


async def publish_topic(db: Database, topic: str, message: str) -> None:
    """Send ``message`` to the subscribers of ``topic``: every API process's on PostgreSQL
    (one ``NOTIFY``, in a short transaction of its own), this process's on SQLite. Call it
    after the change it tells of has committed. ValueError for a malformed topic or a message
    over MAX_MESSAGE_BYTES."""
    raw = encode(topic, message)
    if len(raw.encode()) > MAX_MESSAGE_BYTES:
        raise ValueError(f"a topic message may be at most {MAX_MESSAGE_BYTES} bytes")
    if db.engine.dialect.name == "postgresql":
        async with db.engine.begin() as connection:
            await connection.execute(_NOTIFY, {"channel": CHANNEL, "message": raw})
        return
    with _local_lock:
        hubs = list(_local.get(url_key(db.engine.url), ()))
    for hub in hubs:
        hub.publish(topic, message)
