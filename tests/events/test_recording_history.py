"""History: events recorded inside ``recording_history`` (a demo playing its past through the
services) are stored at their own time and already dispatched, so no consumer, notification or
sweep ever picks them up; events recorded after the block are live again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.events import Event, SubjectRef, record, recording_history
from icn_graph.events.dispatcher import OutboxDispatcher
from icn_graph.events.sweep import sweep_undispatched
from icn_graph.plugins.manager import PluginHost
from tests.event_types import Happened
from tests.outbox_helpers import outbox

PAST = datetime(2014, 1, 7, 23, 12, tzinfo=UTC)


async def test_history_is_stored_dispatched_at_its_own_time(
    db: Database, settings: Settings, plugin_host: PluginHost
) -> None:
    heard: list[int] = []

    async def consumer(session: AsyncSession, events: Sequence[Event], now: datetime) -> None:
        heard.extend(event.id for event in events if event.id is not None)

    dispatcher = OutboxDispatcher(db, lease_seconds=30, consumers=[consumer])
    db.event_sink = dispatcher.submit
    async with db.transaction() as session:
        with recording_history(session, PAST):
            old = record(session, Happened(center=SubjectRef("Center", 1)), actor_id=None)
        record(session, Happened(center=SubjectRef("Center", 2)), actor_id=None)
    await dispatcher.drain()
    assert old.occurred_at == PAST
    history, live = await outbox(db)
    assert (history.occurred_at, live.occurred_at > PAST) == (PAST, True)
    assert history.dispatched_at is not None
    assert live.dispatched_at is not None
    assert heard == [live.id]  # only the live event reached the consumer
    worker = OutboxDispatcher(db, lease_seconds=30, consumers=[consumer])
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert await sweep_undispatched(db, worker, now=later, worker_id="w") == 0
    assert heard == [live.id]


async def test_history_needs_an_aware_time(db: Database) -> None:
    async with db.session() as session:
        with (
            pytest.raises(ValueError, match="aware"),
            recording_history(session, datetime(2014, 1, 7)),
        ):
            pass
