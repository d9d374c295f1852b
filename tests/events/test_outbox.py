"""The transactional outbox: an event row exists exactly when its change does; the process that
committed it dispatches it; a worker's sweep dispatches what a crashed process left; leases keep
concurrent workers from dispatching one event twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.events import Event, SubjectRef, record
from icn_graph.events.backlog import OutboxBacklog, outbox_backlog
from icn_graph.events.claims import MAX_ATTEMPTS
from icn_graph.events.dispatcher import OutboxDispatcher
from icn_graph.events.models import OutboxEvent
from icn_graph.events.sweep import sweep_undispatched
from icn_graph.ids import to_global_id
from icn_graph.models import PersonKind
from icn_graph.notifications.models import Notification
from icn_graph.plugins.manager import PluginHost
from icn_graph.plugins.outbox import outbox_dispatcher
from icn_graph.testing import GraphQLClient, StatementCounter, make_person, token_for
from tests.event_types import Happened
from tests.outbox_helpers import (
    check_in,
    create_goal,
    dispatching,
    follow,
    make_team,
    notifications,
    outbox,
)


@pytest.fixture
async def dispatcher(
    db: Database, settings: Settings, plugin_host: PluginHost
) -> AsyncIterator[OutboxDispatcher]:
    async with dispatching(db, settings, plugin_host) as outbox_dispatcher:
        yield outbox_dispatcher


@pytest.fixture
def crashed(db: Database) -> Iterator[None]:
    """As if every process died right after its commit: nothing is dispatched in-process."""
    previous = db.event_sink
    db.event_sink = None
    yield None
    db.event_sink = previous


class Recorder:
    """A consumer that notes every event it is handed, and can fail on purpose."""

    def __init__(self, failures: int = 0) -> None:
        self.seen: list[int] = []
        self.failures = failures

    async def __call__(self, session: AsyncSession, events: Sequence[Event], now: datetime) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("consumer failed on purpose")
        self.seen.extend(event.id for event in events if event.id is not None)


async def _record(db: Database, count: int) -> list[int]:
    async with db.transaction() as session:
        for n in range(count):
            record(session, Happened(center=SubjectRef("Center", n + 1)), actor_id=None)
    return [row.id for row in await outbox(db)]


CHECK_IN = """
mutation($goal: ID!) {
  checkInGoal(input: {id: $goal, note: "Three parents came", status: ON_TRACK, confidence: 8})
  { userErrors { field message } }
}
"""


async def test_a_check_in_is_an_event_row_dispatched_after_commit(
    db: Database, client: GraphQLClient
) -> None:
    team = await make_team(db)
    goal = await create_goal(db, team.lead, team.center)
    before = utcnow()
    token = await token_for(db, team.clinician)
    data = await client.data(CHECK_IN, {"goal": to_global_id("Goal", goal.id)}, token=token)
    assert data["checkInGoal"]["userErrors"] == []

    created, checked_in = await outbox(db)
    assert (checked_in.type, checked_in.subject_id) == ("goal.checked_in", created.subject_id)
    assert checked_in.actor_id == to_global_id("Person", team.clinician.id)
    assert (checked_in.subject_type, checked_in.subject_pk, checked_in.version) == (
        "Goal",
        goal.id,
        2,
    )
    assert checked_in.payload["goal"] == {"type": "Goal", "pk": goal.id}
    assert checked_in.payload["note"] == "Three parents came"
    assert checked_in.dispatched_at is not None
    assert checked_in.dispatched_at >= before
    assert (checked_in.attempts, checked_in.lease_until) == (1, None)
    # The goal's creator follows it and hears about the check-in.
    assert [(n.person_id, n.event_id) for n in await notifications(db)] == [
        (team.lead.id, checked_in.id)
    ]


async def test_a_rolled_back_change_records_no_event(
    db: Database, dispatcher: OutboxDispatcher
) -> None:
    async def failing_change() -> None:
        async with db.transaction() as session:
            record(session, Happened(center=SubjectRef("Center", 1)), actor_id=None)
            await session.flush()
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        await failing_change()
    await dispatcher.drain()
    assert await outbox(db) == []


async def test_the_sweep_dispatches_what_a_crashed_process_left(
    db: Database, settings: Settings, plugin_host: PluginHost, crashed: None
) -> None:
    team = await make_team(db)
    goal = await create_goal(db, team.lead, team.center)
    await check_in(db, team.clinician, goal)
    rows = await outbox(db)
    assert [row.dispatched_at for row in rows] == [None, None]
    assert await notifications(db) == []
    async with db.session() as session:
        assert await outbox_backlog(session) == OutboxBacklog(2, 0, rows[0].occurred_at)

    worker = outbox_dispatcher(plugin_host, db, settings)
    committed = rows[-1].occurred_at
    # Within the grace period the committing process may still be at it: not touched.
    assert await sweep_undispatched(db, worker, now=committed, worker_id="w1") == 0
    later = committed + timedelta(seconds=10)
    assert await sweep_undispatched(db, worker, now=later, worker_id="w1") == 2
    assert [(row.dispatched_at, row.attempts) for row in await outbox(db)] == [(later, 1)] * 2
    assert [n.person_id for n in await notifications(db)] == [team.lead.id]
    # Nothing is left, and nothing is dispatched twice.
    assert await sweep_undispatched(db, worker, now=later, worker_id="w1") == 0
    async with db.session() as session:
        assert await outbox_backlog(session) == OutboxBacklog(0, 0, None)


async def test_a_lease_is_taken_over_only_when_it_expires(
    db: Database, settings: Settings, plugin_host: PluginHost, crashed: None
) -> None:
    [event_id] = await _record(db, 1)
    claimed_at = utcnow() + timedelta(seconds=30)
    async with db.transaction() as session:  # a dispatcher claimed it, then died
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_id)
            .values(lease_until=claimed_at + timedelta(seconds=60), attempts=1)
        )
    recorder = Recorder()
    worker = outbox_dispatcher(plugin_host, db, settings, consumers=[recorder])
    during = claimed_at + timedelta(seconds=59)
    assert await sweep_undispatched(db, worker, now=during, worker_id="w2") == 0
    after = claimed_at + timedelta(seconds=61)
    assert await sweep_undispatched(db, worker, now=after, worker_id="w2") == 1
    assert recorder.seen == [event_id]
    [row] = await outbox(db)
    assert (row.attempts, row.dispatched_at) == (2, after)


async def test_a_failing_consumer_leaves_the_event_for_a_later_sweep(
    db: Database, settings: Settings, plugin_host: PluginHost, crashed: None
) -> None:
    [event_id] = await _record(db, 1)
    recorder = Recorder(failures=1)
    worker = outbox_dispatcher(plugin_host, db, settings, consumers=[recorder])
    first = utcnow() + timedelta(seconds=10)
    assert await sweep_undispatched(db, worker, now=first, worker_id="w", lease_seconds=30) == 1
    [row] = await outbox(db)
    assert (row.dispatched_at, row.attempts, recorder.seen) == (None, 1, [])
    # Retried once the lease lapses, not before.
    soon = first + timedelta(seconds=29)
    assert await sweep_undispatched(db, worker, now=soon, worker_id="w") == 0
    retry = first + timedelta(seconds=31)
    assert await sweep_undispatched(db, worker, now=retry, worker_id="w") == 1
    [row] = await outbox(db)
    assert (row.dispatched_at, row.attempts, recorder.seen) == (retry, 2, [event_id])


async def test_an_event_that_keeps_failing_is_left_alone_after_the_attempt_cap(
    db: Database,
    settings: Settings,
    plugin_host: PluginHost,
    crashed: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    [event_id] = await _record(db, 1)
    worker = outbox_dispatcher(plugin_host, db, settings, consumers=[Recorder(failures=99)])
    now = utcnow() + timedelta(seconds=10)
    for _ in range(MAX_ATTEMPTS):
        assert await sweep_undispatched(db, worker, now=now, worker_id="w") == 1
        now += timedelta(seconds=61)
    assert await sweep_undispatched(db, worker, now=now, worker_id="w") == 0
    [row] = await outbox(db)
    assert (row.dispatched_at, row.attempts) == (None, MAX_ATTEMPTS)
    gave_up = [r for r in caplog.records if "no longer retried" in r.getMessage()]
    assert [r.getMessage().split(" ")[1] for r in gave_up] == [str(event_id)]
    async with db.session() as session:
        assert await outbox_backlog(session) == OutboxBacklog(0, 1, None)


async def test_concurrent_workers_dispatch_each_event_once(
    db: Database, settings: Settings, plugin_host: PluginHost, crashed: None
) -> None:
    recorded = await _record(db, 60)
    engines = [Database.from_url(settings.database_url_value) for _ in range(3)]
    recorders = [Recorder() for _ in engines]
    workers = [
        outbox_dispatcher(plugin_host, engine, settings, consumers=[recorder])
        for engine, recorder in zip(engines, recorders, strict=True)
    ]
    now = utcnow() + timedelta(seconds=10)

    async def work(name: str, engine: Database, worker: OutboxDispatcher) -> int:
        total = 0
        while taken := await sweep_undispatched(engine, worker, now=now, worker_id=name, limit=7):
            total += taken
            await asyncio.sleep(0)
        return total

    try:
        totals = await asyncio.gather(
            *(work(f"w{n}", engines[n], workers[n]) for n in range(len(engines)))
        )
    finally:
        for engine in engines:
            await engine.dispose()
    seen = [event_id for recorder in recorders for event_id in recorder.seen]
    assert sorted(seen) == recorded  # every event, each exactly once
    assert sum(totals) == len(recorded)
    assert {(row.attempts, row.dispatched_at) for row in await outbox(db)} == {(1, now)}


class FailsOn:
    """A consumer that fails any batch holding event ``bad``."""

    def __init__(self, bad: int) -> None:
        self.bad = bad
        self.seen: list[int] = []

    async def __call__(self, session: AsyncSession, events: Sequence[Event], now: datetime) -> None:
        if any(event.id == self.bad for event in events):
            raise RuntimeError("consumer failed on purpose")
        self.seen.extend(event.id for event in events if event.id is not None)


async def test_one_bad_event_holds_back_no_other_in_its_batch(
    db: Database, settings: Settings, plugin_host: PluginHost, crashed: None
) -> None:
    first, bad, last = await _record(db, 3)
    consumer = FailsOn(bad)
    worker = outbox_dispatcher(plugin_host, db, settings, consumers=[consumer])
    now = utcnow() + timedelta(seconds=10)
    assert await sweep_undispatched(db, worker, now=now, worker_id="w") == 3
    assert consumer.seen == [first, last]
    assert [(row.id, row.dispatched_at) for row in await outbox(db)] == [
        (first, now),
        (bad, None),
        (last, now),
    ]


async def _sweep_cost(
    db: Database,
    settings: Settings,
    plugin_host: PluginHost,
    statements: StatementCounter,
    goals: int,
) -> int:
    team = await make_team(db)
    for n in range(3):  # people watching the center hear of every goal event
        watcher = await make_person(db, PersonKind.PARENT_PARTNER, display_name=f"Watcher {n}")
        await follow(db, watcher, to_global_id("Center", team.center.id))
    for _ in range(goals):
        goal = await create_goal(db, team.lead, team.center)
        await check_in(db, team.clinician, goal)
    worker = outbox_dispatcher(plugin_host, db, settings)
    later = utcnow() + timedelta(seconds=10)
    statements.reset()
    swept = await sweep_undispatched(db, worker, now=later, worker_id="w")
    cost = statements.count
    assert swept == 2 * goals
    assert not [row for row in await outbox(db) if row.dispatched_at is None]
    # Per goal: the creator hears of the check-in, the watchers of both events.
    made = await notifications(db)
    assert len(made) == goals * (1 + 3 * 2)
    assert team.clinician.id not in {n.person_id for n in made if n.type == "goal.created"}
    await _empty_outbox(db)
    return cost


async def _empty_outbox(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(delete(Notification))
        await session.execute(delete(OutboxEvent))


async def test_a_sweep_costs_the_same_statements_for_4_events_or_40(
    db: Database,
    settings: Settings,
    plugin_host: PluginHost,
    statements: StatementCounter,
    crashed: None,
) -> None:
    few = await _sweep_cost(db, settings, plugin_host, statements, 2)
    many = await _sweep_cost(db, settings, plugin_host, statements, 20)
    assert few == many
    assert few <= 13  # claim, follows (read, write), fan-out, dispatched_at: 12 on SQLite
