"""Isolation for real plugin code: each plugin's own delivery lane (a hung or slow plugin delays
neither core's notifications nor another plugin), a full lane dropping its oldest events, a
bounded shutdown, and the watchdog that names a plugin blocking the event loop.

Ordering is asserted through the outbox's and the tables' own timestamps, never wall-clock
thresholds of the code under test."""

from __future__ import annotations

import asyncio
import http.server
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

import pytest
from sqlalchemy import select

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.events import Event, SubjectRef
from icn_graph.host import load_plugins
from icn_graph.ids import to_global_id
from icn_graph.models import Goal, GoalStatus
from icn_graph.notifications.worker import Worker
from icn_graph.plugins import hookimpl
from icn_graph.plugins.dispatch import EventDispatcher
from icn_graph.plugins.manager import PluginHost
from icn_graph.plugins.models import PluginError
from icn_graph.services.goals.events import GoalCheckedIn
from tests.outbox_helpers import Team as CareTeam
from tests.outbox_helpers import (
    check_in,
    create_goal,
    dispatching,
    follow,
    make_team,
    notifications,
    outbox,
)
from tests.plugins.test_plugin_docs import GUIDE_TEXT, _as_module, _blocks


@dataclass
class Plugin:
    """A plugin object: ``on_event`` marked as its hook implementation."""

    on_event: object


def host_with(settings: Settings, **plugins: Callable[..., object]) -> PluginHost:
    return load_plugins(
        settings,
        extra=[(name, Plugin(hookimpl(specname="on_event")(f))) for name, f in plugins.items()],
        discover=False,
    )


@pytest.fixture
def settings(migrated_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=migrated_url,  # type: ignore[arg-type]
        plugin_event_timeout=1.0,
        plugin_blocking_threshold=0.2,
        notify_quiet_hours="",
        _env_file=None,
    )


async def plugin_errors(db: Database) -> list[PluginError]:
    async with db.session() as session:
        return list(await session.scalars(select(PluginError).order_by(PluginError.id)))


async def watched_goal(db: Database) -> tuple[CareTeam, Goal]:
    """A goal the team's parent watches; made before any dispatcher runs, so only the test's
    own check-ins are dispatched."""
    team = await make_team(db)
    goal = await create_goal(db, team.lead, team.center)
    await follow(db, team.parent, to_global_id("Goal", goal.id))
    return team, goal


async def test_a_hung_plugin_delays_neither_core_notifications_nor_later_events(
    db: Database, settings: Settings
) -> None:
    heard: list[int | None] = []

    async def hangs(event: Event) -> None:
        await asyncio.Event().wait()

    async def records(event: Event) -> None:
        heard.append(event.id)

    host = host_with(settings, hanger=hangs, recorder=records)
    team, goal = await watched_goal(db)
    async with dispatching(db, settings, host) as dispatcher:
        await check_in(db, team.clinician, goal, "first")
        await check_in(db, team.clinician, goal, "second")
        await dispatcher.drain()

    first, second = [row for row in await outbox(db) if row.type == "goal.checked_in"]
    timeouts = await plugin_errors(db)
    assert [(e.plugin, e.event_type, e.error) for e in timeouts] == [
        ("hanger", "goal.checked_in", "timed out after 1.0 s"),
        ("hanger", "goal.checked_in", "timed out after 1.0 s"),
    ]
    hanger_gave_up_on_first = timeouts[0].occurred_at
    # The second event was dispatched, and its notification written, while the hung plugin
    # still held the first: nobody waited for it.
    assert first.dispatched_at is not None
    assert second.dispatched_at is not None
    assert second.dispatched_at < hanger_gave_up_on_first
    by_event = {n.event_id: n for n in await notifications(db) if n.person_id == team.parent.id}
    assert set(by_event) == {first.id, second.id}
    assert by_event[second.id].created_at < hanger_gave_up_on_first
    assert heard == [first.id, second.id]


async def test_a_blocking_async_handler_is_named_by_the_watchdog(
    db: Database, settings: Settings
) -> None:
    returned: list[datetime] = []
    heard: list[int | None] = []

    async def sleeps(event: Event) -> None:
        time.sleep(0.5)  # noqa: ASYNC251 - the mistake: a blocking call on the loop
        returned.append(utcnow())

    def sleeps_in_a_thread(event: Event) -> None:
        time.sleep(0.5)  # a plain def handler runs on its lane's thread: allowed

    async def records(event: Event) -> None:
        heard.append(event.id)

    host = host_with(settings, sleeper=sleeps, threaded=sleeps_in_a_thread, recorder=records)
    team, goal = await watched_goal(db)
    async with dispatching(db, settings, host) as dispatcher:
        await check_in(db, team.clinician, goal)
        await dispatcher.drain()

    [event] = [row for row in await outbox(db) if row.type == "goal.checked_in"]
    [notification] = [n for n in await notifications(db) if n.person_id == team.parent.id]
    assert notification.event_id == event.id
    assert notification.created_at < returned[0]  # core's work was done before the block
    assert heard == [event.id]
    [error] = await plugin_errors(db)  # the watchdog's, for the sleeper only: not the thread's
    assert (error.plugin, error.hook, error.event_type) == ("sleeper", "on_event", event.type)
    found = re.fullmatch(
        r"blocked the event loop for (\d+\.\d) s handling goal\.checked_in; "
        r"use async I/O \(httpx\.AsyncClient\) or a plain def handler",
        error.error,
    )
    assert found is not None, error.error
    assert float(found[1]) >= 0.5


async def test_a_slow_plugin_does_not_delay_another_plugin(
    db: Database, settings: Settings
) -> None:
    order: list[tuple[str, int | None]] = []
    second_seen = asyncio.Event()

    async def slow(event: Event) -> None:
        await second_seen.wait()  # finishes the first event only once the other saw the second
        order.append(("slow", event.id))

    async def fast(event: Event) -> None:
        order.append(("fast", event.id))
        if len(order) >= 2:
            second_seen.set()

    host = host_with(settings, slow=slow, fast=fast)
    team, goal = await watched_goal(db)
    async with dispatching(db, settings, host) as dispatcher:
        await check_in(db, team.clinician, goal, "first")
        await check_in(db, team.clinician, goal, "second")
        await dispatcher.drain()

    first, second = [row.id for row in await outbox(db) if row.type == "goal.checked_in"]
    assert order == [("fast", first), ("fast", second), ("slow", first), ("slow", second)]
    assert await plugin_errors(db) == []


def events(*ids: int) -> list[Event]:
    return [Event.of(check_in_on(id), actor_id=None, id=id) for id in ids]


def check_in_on(goal_id: int) -> GoalCheckedIn:
    return GoalCheckedIn(
        goal=SubjectRef("Goal", goal_id),
        title="A goal",
        owner=SubjectRef("Center", 1),
        check_in=SubjectRef("CheckIn", goal_id),
        status=GoalStatus.ON_TRACK,
        confidence=None,
        note=None,
    )


async def test_a_full_lane_drops_its_oldest_events_and_says_so(
    db: Database, settings: Settings
) -> None:
    started = asyncio.Event()
    gate = asyncio.Event()
    handled: list[int | None] = []

    async def slow(event: Event) -> None:
        started.set()
        await gate.wait()
        handled.append(event.id)

    host = host_with(settings, slow=slow)
    plugins = EventDispatcher(host, db, timeout_seconds=30, queue_size=2)
    plugins.deliver(events(1))
    await started.wait()  # event 1 is in hand; the queue holds two more
    plugins.deliver(events(2, 3, 4))
    gate.set()
    await plugins.drain()

    assert handled == [1, 3, 4]
    [error] = await plugin_errors(db)
    assert (error.plugin, error.event_type) == ("slow", "goal.checked_in")
    assert error.error == (
        "queue full (2 events waiting): dropped the 1 oldest, undelivered"
        " (raise ICN_PLUGIN_QUEUE_SIZE or make the handler faster)"
    )


async def test_shutdown_waits_a_bounded_time_and_records_what_was_left(
    db: Database, settings: Settings
) -> None:
    async def hangs(event: Event) -> None:
        await asyncio.Event().wait()

    heard: list[int | None] = []

    async def records(event: Event) -> None:
        heard.append(event.id)

    host = host_with(settings, hanger=hangs, recorder=records)
    plugins = EventDispatcher(host, db, timeout_seconds=30, shutdown_grace_seconds=0.1)
    plugins.deliver(events(1, 2, 3))
    lanes = list(plugins.lanes.values())
    await plugins.close()

    assert heard == [1, 2, 3]
    assert [lane.plugin for lane in lanes] == ["hanger", "recorder"]
    assert all(lane.idle for lane in lanes)
    assert [(e.plugin, e.error) for e in await plugin_errors(db)] == [
        ("hanger", "shut down with 3 event(s) undelivered after waiting 0.1 s"),
    ]


async def test_the_app_lifespan_runs_the_watchdog_which_logs_lag_it_cannot_blame(
    db: Database, settings: Settings, plugin_host: PluginHost, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings, db=db, plugins=plugin_host)
    watchdog = app.state.plugin_events.watchdog
    async with app.router.lifespan_context(app):
        assert watchdog.running
        await watchdog.next_check()  # the ticker is asleep, measuring
        with caplog.at_level(logging.WARNING, logger="icn_graph.plugins.watchdog"):
            time.sleep(0.4)  # noqa: ASYNC251 - blocking, but not inside any plugin
            lag = await watchdog.next_check()
    assert not watchdog.running
    assert lag >= settings.plugin_blocking_threshold
    assert "not by a plugin's on_event" in caplog.text
    assert await plugin_errors(db) == []


async def test_the_worker_runs_the_watchdog_while_it_runs(
    db: Database, settings: Settings, plugin_host: PluginHost
) -> None:
    worker = Worker(settings, db, plugin_host)
    [plugins] = worker.dispatcher.listeners
    assert isinstance(plugins, EventDispatcher)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await plugins.watchdog.next_check()
    assert plugins.watchdog.running
    stop.set()
    await running
    assert not plugins.watchdog.running


# -- the guide's advice works ---------------------------------------------------------------


class WebhookSink(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, object]]]:
    """A real HTTP server on loopback, as ``ICN_PLUGIN_ICN_WEBHOOK_URL``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), WebhookSink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ICN_PLUGIN_ICN_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/")
    WebhookSink.received = []
    yield WebhookSink.received
    server.shutdown()
    server.server_close()


def isolation_examples() -> list[str]:
    section = GUIDE_TEXT.split("### Isolation", 1)[1].split("\n### ", 1)[0]
    return [block.text for block in _blocks(section) if "@hookimpl" in block.text]


async def test_the_guides_webhook_handlers_deliver_without_blocking_the_loop(
    db: Database,
    settings: Settings,
    webhook: list[dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    examples = isolation_examples()
    assert len(examples) == 2, "the Isolation section shows an async and a def webhook handler"
    plugins = [
        (f"webhook-{index}", _as_module(source, f"isolation_{index}", monkeypatch))
        for index, source in enumerate(examples)
    ]
    host = load_plugins(settings, extra=plugins, discover=False)
    dispatcher = EventDispatcher(host, db, timeout_seconds=5)
    dispatcher.deliver(events(7))
    await dispatcher.drain()

    assert await plugin_errors(db) == []
    assert len(webhook) == 2
    assert all(body["type"] == "goal.checked_in" for body in webhook)


class TwoHandlers:
    """A plugin with two ``on_event`` implementations (pluggy allows it with ``specname``)."""

    def __init__(self, seen: list[tuple[str, int | None]]) -> None:
        self.seen = seen

    @hookimpl(specname="on_event")
    async def count(self, event: Event) -> None:
        self.seen.append(("count", event.id))

    @hookimpl(specname="on_event")
    async def archive(self, event: Event) -> None:
        self.seen.append(("archive", event.id))


async def test_every_on_event_of_a_plugin_gets_each_event_once(
    db: Database, settings: Settings
) -> None:
    seen: list[tuple[str, int | None]] = []
    host = load_plugins(settings, extra=[("two", TwoHandlers(seen))], discover=False)
    team, goal = await watched_goal(db)
    async with dispatching(db, settings, host) as dispatcher:
        await check_in(db, team.clinician, goal, "first")
        await dispatcher.drain()
    [event_id] = [row.id for row in await outbox(db) if row.type == "goal.checked_in"]
    assert sorted(seen) == [("archive", event_id), ("count", event_id)]
