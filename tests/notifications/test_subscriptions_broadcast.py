"""The broadcaster on its own: announcements reach the right person's subscribers on commit and
never on rollback (SQLite through this process's hub, PostgreSQL through LISTEN/NOTIFY), a slow
subscriber cannot hold up the others, and the PostgreSQL listener survives losing its connection."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from icn_graph.db.database import Database
from icn_graph.notifications.realtime.broadcaster import Broadcaster
from icn_graph.notifications.realtime.channel import decode, encode
from icn_graph.notifications.realtime.hub import Hub, Inbox, InboxOverflow
from icn_graph.notifications.realtime.listener import APPLICATION_NAME, connect_arguments
from icn_graph.testing import StatementCounter
from tests.helpers import make_person
from tests.subscription_helpers import RECEIVE_TIMEOUT, listener_backends, write_notifications


async def next_batch(inbox: Inbox) -> list[int]:
    return await asyncio.wait_for(anext(inbox), RECEIVE_TIMEOUT)


async def nothing_waiting(inbox: Inbox, broadcaster: Broadcaster, db: Database) -> bool:
    """True when ``inbox`` holds nothing once every announcement sent so far has arrived.

    A marker notification for a sentinel subscriber is announced last; NOTIFY keeps the order of
    commits, so once the marker arrived, anything meant for ``inbox`` has too.
    """
    marker = await make_person(db)
    with broadcaster.subscribe(marker.id) as sentinel:
        [row] = await write_notifications(db, [marker])
        assert await next_batch(sentinel) == [row.id]
    await asyncio.sleep(0)  # deliveries are scheduled on the loop, in order
    return inbox.overflowed is False and not inbox._ids


@pytest.fixture
async def broadcaster(db: Database) -> AsyncIterator[Broadcaster]:
    started = Broadcaster(db.engine.url)
    await started.start()
    yield started
    await started.stop()


async def test_a_committed_notification_reaches_its_person_only(
    db: Database, broadcaster: Broadcaster
) -> None:
    maria, omar = await make_person(db), await make_person(db)
    with broadcaster.subscribe(maria.id) as marias, broadcaster.subscribe(omar.id) as omars:
        [row] = await write_notifications(db, [maria])
        assert await next_batch(marias) == [row.id]
        assert await nothing_waiting(omars, broadcaster, db)


async def test_every_subscriber_of_a_person_hears(db: Database, broadcaster: Broadcaster) -> None:
    maria = await make_person(db)
    with broadcaster.subscribe(maria.id) as laptop, broadcaster.subscribe(maria.id) as phone:
        [row] = await write_notifications(db, [maria])
        assert await next_batch(laptop) == [row.id]
        assert await next_batch(phone) == [row.id]


async def test_a_rolled_back_notification_is_never_announced(
    db: Database, broadcaster: Broadcaster
) -> None:
    maria = await make_person(db)
    with broadcaster.subscribe(maria.id) as inbox:
        with pytest.raises(RuntimeError, match="on purpose"):
            await write_notifications(db, [maria], fail=True)
        assert await nothing_waiting(inbox, broadcaster, db)
        # The session's next transaction does not resurrect it either.
        [row] = await write_notifications(db, [maria])
        assert await next_batch(inbox) == [row.id]


async def test_a_burst_arrives_as_one_batch_in_order(
    db: Database, broadcaster: Broadcaster
) -> None:
    maria, omar = await make_person(db), await make_person(db)
    with broadcaster.subscribe(maria.id) as inbox:
        rows = await write_notifications(db, [maria, omar, maria, maria])
        mine = [row.id for row in rows if row.person_id == maria.id]
        received: list[int] = []
        while len(received) < len(mine):
            received += await next_batch(inbox)
        assert received == mine


async def test_announcing_many_is_one_statement_on_postgresql(
    db: Database, broadcaster: Broadcaster, statements: StatementCounter
) -> None:
    people = [await make_person(db) for _ in range(5)]
    statements.reset()
    await write_notifications(db, people, announce=False)
    without = statements.count
    statements.reset()
    await write_notifications(db, people)
    extra = 1 if db.dialect == "postgresql" else 0  # SQLite publishes after commit, in memory
    assert statements.count == without + extra


async def test_stopping_ends_every_subscription(db: Database) -> None:
    broadcaster = Broadcaster(db.engine.url)
    await broadcaster.start()
    with broadcaster.subscribe(1) as inbox:
        await broadcaster.stop()
        with pytest.raises(StopAsyncIteration):
            await next_batch(inbox)
    if broadcaster.listener is not None:
        assert not broadcaster.listener.listening.is_set()
        assert await listener_backends(db) == 0  # its connection is closed, not leaked


async def test_the_listener_reconnects_after_losing_its_connection(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no listener connection to lose")
    broadcaster = Broadcaster(db.engine.url)
    assert broadcaster.listener is not None
    broadcaster.listener._min_retry = 0.05  # retry at once; the backoff is not under test
    await broadcaster.start()
    try:
        maria = await make_person(db)
        with broadcaster.subscribe(maria.id) as inbox:
            async with db.transaction() as session:
                killed = await session.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE application_name = :name AND datname = current_database()"
                    ),
                    {"name": APPLICATION_NAME},
                )
            assert killed == 1
            await asyncio.wait_for(_reconnected(broadcaster), RECEIVE_TIMEOUT)
            [row] = await write_notifications(db, [maria])
            assert await next_batch(inbox) == [row.id]
    finally:
        await broadcaster.stop()


async def _reconnected(broadcaster: Broadcaster) -> None:
    listener = broadcaster.listener
    assert listener is not None
    while listener.connections_made < 2:
        await listener.listening.wait()
        await asyncio.sleep(0.01)  # connections_made grows while listening is already set


# -- the hub alone ---------------------------------------------------------------------------


async def test_a_slow_subscriber_overflows_without_holding_up_others() -> None:
    hub = Hub(capacity=3)
    with hub.subscribe(7) as slow, hub.subscribe(7) as quick:
        received: list[int] = []
        for notification_id in range(1, 11):
            hub.publish(7, notification_id)  # never waits, however full an inbox is
            await asyncio.sleep(0)
            received += await next_batch(quick)
        assert received == list(range(1, 11))
        assert slow.overflowed
        with pytest.raises(InboxOverflow):
            await next_batch(slow)


async def test_publishing_from_another_thread_is_delivered_on_the_subscribers_loop() -> None:
    hub = Hub()
    with hub.subscribe(7) as inbox:
        publisher = threading.Thread(target=hub.publish, args=(7, 42))
        publisher.start()
        assert await next_batch(inbox) == [42]
        publisher.join()
    assert hub.subscriber_count() == 0


def test_messages_round_trip_and_junk_is_ignored() -> None:
    assert decode(encode(12, 3456)) == (12, 3456)
    for junk in ("", "12", "12:", ":3", "a:b", "12:3:4", "-1:2"):
        assert decode(junk) is None


def test_the_listener_connects_like_the_engine() -> None:
    url = "postgresql+asyncpg://icn:p%40ss@db.example:6543/icn?ssl=require&prepared_statement_cache_size=0"
    assert connect_arguments(url) == {
        "user": "icn",
        "password": "p@ss",
        "host": "db.example",
        "port": 6543,
        "database": "icn",
        "ssl": "require",  # asyncpg's; SQLAlchemy's statement cache option is not
    }
