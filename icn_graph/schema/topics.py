"""Live topics for plugins' subscriptions: listening through the request's broadcaster (see
``icn_graph.notifications.realtime.topics`` for publishing and how messages travel)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from graphql import GraphQLError

from icn_graph.notifications.realtime.topics import TopicFeed
from icn_graph.schema.context import Info


@contextmanager
def listen_topics(info: Info, topics: Collection[str]) -> Iterator[TopicFeed]:
    """A feed of ``(topic, message)`` published on any of ``topics`` (by any API process on
    PostgreSQL) while the block runs; iterating it raises ``TopicOverflow`` when the client
    read too slowly, and ends when the server shuts down."""
    broadcaster = info.context.broadcaster
    if broadcaster is None:
        raise GraphQLError(
            "Live updates are not available on this server.",
            extensions={"code": "SERVICE_UNAVAILABLE"},
        )
    with broadcaster.topics.subscribe(topics) as feed:
        yield feed
