"""This process's notification subscriptions (and plugins' topic subscriptions, see ``topics``)
and what feeds them.

PostgreSQL: a ``LISTEN`` connection hears every committed notification, from this process or any
other (API or worker), and routes it by person to this process's subscribers. SQLite: commits in
this process publish straight to its hub (another process's subscribers never hear of them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import URL

from icn_graph.notifications.realtime import local, topics
from icn_graph.notifications.realtime.channel import decode
from icn_graph.notifications.realtime.hub import DEFAULT_CAPACITY, Hub, Inbox
from icn_graph.notifications.realtime.listener import PostgresListener
from icn_graph.notifications.realtime.live import LiveRoom

log = logging.getLogger(__name__)


class Broadcaster:
    def __init__(self, database_url: URL, *, capacity: int = DEFAULT_CAPACITY) -> None:
        # Live subscriptions (the websocket's notificationAdded), delivered a batch at a time.
        self.live = LiveRoom(capacity)
        self.hub = Hub(capacity, also=self.live.announce)
        self.topics = topics.TopicHub(capacity)
        self._url = database_url
        self._key = local.url_key(database_url)
        self.listener: PostgresListener | None = None
        self.started = False
        if database_url.get_backend_name() == "postgresql":
            self.listener = PostgresListener(
                self._key, self._received, also={topics.CHANNEL: self._topic_received}
            )

    def hearing(self) -> bool:
        """Whether messages from other processes (revocations among them) reach this one now:
        started, and on PostgreSQL listening (not reconnecting)."""
        if not self.started:
            return False
        return self.listener is None or self.listener.listening.is_set()

    async def start(self) -> None:
        self.started = True
        self.live.start()
        self.hub.open()
        self.topics.open()
        if self.listener is not None:
            await self.listener.start()
        else:
            local.register(self._key, self.hub)
            topics.register_local(self._url, self.topics)

    async def stop(self) -> None:
        """End every subscription and stop listening."""
        self.started = False
        if self.listener is not None:
            await self.listener.stop()
        else:
            local.unregister(self._key, self.hub)
            topics.unregister_local(self._url, self.topics)
        self.hub.close()
        self.topics.close()
        await self.live.stop()

    def subscriber_count(self, person_id: int | None = None) -> int:
        """This process's notification subscriptions (of ``person_id``, or everyone's)."""
        return self.hub.subscriber_count(person_id) + self.live.subscriber_count(person_id)

    @contextmanager
    def subscribe(self, person_id: int) -> Iterator[Inbox]:
        with self.hub.subscribe(person_id) as inbox:
            yield inbox

    def _received(self, message: str) -> None:
        decoded = decode(message)
        if decoded is None:
            log.warning("ignoring an unreadable notification message: %r", message[:100])
            return
        self.hub.publish(*decoded)

    def _topic_received(self, raw: str) -> None:
        decoded = topics.decode(raw)
        if decoded is None:
            log.warning("ignoring an unreadable topic message: %r", raw[:100])
            return
        self.topics.publish(*decoded)
