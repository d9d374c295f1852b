"""``notificationAdded`` over graphql-transport-ws, through a real uvicorn server running the app
in the test's event loop and a real websocket client, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.notifications.realtime.broadcaster import Broadcaster
from icn_graph.plugins.manager import PluginHost
from icn_graph.services.tokens import revoke_tokens
from icn_graph.testing import StatementCounter, snapshot
from icn_graph.web import websocket_auth
from tests.helpers import make_person, token_for
from tests.pool_helpers import holding_every_connection, small_pool
from tests.subscription_helpers import (
    NOTIFICATION_ADDED,
    WsClient,
    check_in_over_http,
    followed_goal,
    serving,
    write_notifications,
    ws_client,
    ws_connection,
)


@pytest.fixture
async def server(app: Starlette) -> AsyncIterator[str]:
    async with serving(app) as base_url:
        yield base_url


@pytest.fixture
async def quick_checks(
    db: Database, settings: Settings, plugin_host: PluginHost
) -> AsyncIterator[str]:
    """A server whose viewer cache keeps a viewer 50 ms: an open websocket checks its token
    every 0.3 s even when no revocation is announced."""
    quick = settings.model_copy(update={"viewer_cache_seconds": 0.05})
    async with serving(create_app(quick, db=db, plugins=plugin_host)) as base_url:
        yield base_url


@pytest.fixture
async def uncached(db: Database, settings: Settings, plugin_host: PluginHost) -> AsyncIterator[str]:
    """A server without the viewer cache: every operation looks its token up."""
    off = settings.model_copy(update={"viewer_cache_seconds": 0})
    async with serving(create_app(off, db=db, plugins=plugin_host)) as base_url:
        yield base_url


def broadcaster_of(app: Starlette) -> Broadcaster:
    broadcaster = app.state.broadcaster
    assert isinstance(broadcaster, Broadcaster)
    return broadcaster


FOLLOWER_QUERY = """
subscription {
  notificationAdded { id type summary reason read actor { displayName } subject { id __typename } }
}
"""


async def subscribed(
    client: WsClient,
    app: Starlette,
    person_id: int,
    count: int = 1,
    query: str = NOTIFICATION_ADDED,
) -> None:
    """Subscribe and wait until the server has registered the subscriber."""
    await client.subscribe(query)
    while broadcaster_of(app).subscriber_count(person_id) < count:
        await client.round_trip()


def added(message: dict[str, Any]) -> dict[str, Any]:
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    notification: dict[str, Any] = message["payload"]["data"]["notificationAdded"]
    return notification


async def test_a_subscriber_receives_their_notifications_and_no_one_elses(
    db: Database, app: Starlette, server: str
) -> None:
    maria, omar = await make_person(db), await make_person(db)
    async with ws_client(server, await token_for(db, maria)) as client:
        await subscribed(client, app, maria.id)
        [for_omar] = await write_notifications(db, [omar])
        [for_maria] = await write_notifications(db, [maria])
        # Omar's was announced first: had it leaked, it would arrive first.
        first = added(await client.receive())
        assert first == {
            "id": to_global_id("Notification", for_maria.id),
            "type": "goal.checked_in",
            "subjectId": to_global_id("Goal", 1),
            "reason": "You follow this goal.",
        }
        assert for_omar.id != for_maria.id


async def test_a_check_in_reaches_a_followers_subscription(
    db: Database, app: Starlette, server: str
) -> None:
    world = await followed_goal(db)
    maria, omar, goal_id = world.maria, world.omar, world.goal_id
    marias_token = await token_for(db, maria)
    async with (
        ws_client(server, await token_for(db, omar)) as follower,
        ws_client(server, marias_token) as actor,
    ):
        await subscribed(follower, app, omar.id, query=FOLLOWER_QUERY)
        await subscribed(actor, app, maria.id)
        await check_in_over_http(
            server, marias_token, goal_id, note="Fewer courses this month", confidence=7
        )

        notification = added(await follower.receive())
        assert notification.pop("id").startswith("Tm90aWZpY2F0aW9u")  # "Notification:"
        assert notification == {
            "type": "goal.checked_in",
            "summary": "Maria Lopez checked in on 'Reduce steroid use': on track, confidence 7/10",
            "reason": "You follow this goal.",
            "read": False,
            "actor": {"displayName": "Maria Lopez"},
            "subject": {"id": goal_id, "__typename": "Goal"},
        }

        # The actor hears nothing of their own check-in: the next thing they get is this marker.
        await app.state.dispatcher.drain()
        [marker] = await write_notifications(db, [maria])
        assert added(await actor.receive())["id"] == to_global_id("Notification", marker.id)


async def test_several_subscriptions_of_one_person_each_receive(
    db: Database, app: Starlette, server: str
) -> None:
    maria = await make_person(db)
    token = await token_for(db, maria)
    async with ws_client(server, token) as laptop, ws_client(server, token) as phone:
        await subscribed(laptop, app, maria.id)
        await subscribed(phone, app, maria.id, count=2)
        [row] = await write_notifications(db, [maria])
        expected = to_global_id("Notification", row.id)
        assert added(await laptop.receive())["id"] == expected
        assert added(await phone.receive())["id"] == expected


async def test_fields_resolve_through_the_notification_type(
    db: Database, app: Starlette, server: str
) -> None:
    maria = await make_person(db)
    query = "subscription { notificationAdded { id read createdAt subject { id } } }"
    async with ws_client(server, await token_for(db, maria)) as client:
        await subscribed(client, app, maria.id, query=query)
        [row] = await write_notifications(db, [maria])
        notification = added(await client.receive())
    assert notification["id"] == to_global_id("Notification", row.id)
    assert notification["read"] is False
    assert notification["subject"] is None  # Goal 1 does not exist here


# -- signing in --------------------------------------------------------------------------------


async def test_an_anonymous_subscription_is_refused_with_a_clear_error(
    app: Starlette, server: str
) -> None:
    async with ws_client(server) as client:
        await client.subscribe()
        refused = await client.receive()
        assert refused["type"] == "next"
        assert refused["payload"]["data"] is None
        [error] = refused["payload"]["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert "Authorization: Bearer" in error["message"]
        assert await client.receive() == {"id": "1", "type": "complete"}
    assert broadcaster_of(app).subscriber_count() == 0


@pytest.mark.parametrize("key", ["Authorization", "authorization"])
async def test_the_token_is_read_from_connection_init(
    db: Database, app: Starlette, server: str, key: str
) -> None:
    maria = await make_person(db)
    token = await token_for(db, maria)
    async with ws_connection(server) as client:
        assert await client.init({key: f"Bearer {token}"}) == {"type": "connection_ack"}
        await subscribed(client, app, maria.id)
        [row] = await write_notifications(db, [maria])
        assert added(await client.receive())["id"] == to_global_id("Notification", row.id)


async def test_the_token_may_come_as_a_header_on_the_handshake(
    db: Database, app: Starlette, server: str
) -> None:
    maria = await make_person(db)
    headers = {"Authorization": f"Bearer {await token_for(db, maria)}"}
    async with ws_connection(server, additional_headers=headers) as client:
        assert await client.init() == {"type": "connection_ack"}
        await subscribed(client, app, maria.id)
        [row] = await write_notifications(db, [maria])
        assert added(await client.receive())["id"] == to_global_id("Notification", row.id)


@pytest.mark.parametrize("state", ["revoked", "unknown"])
async def test_a_bad_token_in_the_handshake_header_closes_the_connection(
    db: Database, server: str, state: str
) -> None:
    """As in ``connection_init``: 4403, not an acknowledged anonymous connection."""
    maria = await make_person(db)
    token = await token_for(db, maria)
    if state == "revoked":
        assert await revoke_tokens(db, maria.email) == 1
    else:
        token = "icn_never-issued-" + "x" * 30
    headers = {"Authorization": f"Bearer {token}"}
    async with ws_connection(server, additional_headers=headers) as client:
        await client.send({"type": "connection_init", "payload": {}})
        with pytest.raises(ConnectionClosed) as closed:
            await client.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_a_good_token_in_connection_init_wins_over_a_bad_header(
    db: Database, server: str
) -> None:
    maria = await make_person(db, display_name="Maria Lopez")
    headers = {"Authorization": "Bearer icn_never-issued-" + "x" * 30}
    async with ws_connection(server, additional_headers=headers) as client:
        payload = {"Authorization": f"Bearer {await token_for(db, maria)}"}
        assert await client.init(payload) == {"type": "connection_ack"}
        query = "{ viewer { person { displayName } } }"
        await client.send({"id": "q1", "type": "subscribe", "payload": {"query": query}})
        answer = await client.receive()
    assert answer["payload"]["data"] == {"viewer": {"person": {"displayName": "Maria Lopez"}}}


@pytest.mark.parametrize(
    "payload",
    [
        {"Authorization": "Bearer icn_forged"},
        {"authorization": "Basic bWFyaWE6c2VjcmV0"},
        {"Authorization": 42},
    ],
    ids=["unknown-token", "not-bearer", "not-a-string"],
)
async def test_a_bad_token_in_connection_init_closes_the_connection(
    server: str, payload: dict[str, Any]
) -> None:
    async with ws_connection(server) as client:
        await client.send({"type": "connection_init", "payload": payload})
        with pytest.raises(ConnectionClosed) as closed:
            await client.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


# -- the end of a subscription -----------------------------------------------------------------


async def test_completing_or_disconnecting_unsubscribes(
    db: Database, app: Starlette, server: str
) -> None:
    maria = await make_person(db)
    token = await token_for(db, maria)
    hub = broadcaster_of(app)
    async with ws_client(server, token) as client:
        await subscribed(client, app, maria.id)
        await client.send({"id": "1", "type": "complete"})
        while hub.subscriber_count(maria.id):
            await client.round_trip()
        await subscribed(client, app, maria.id)
    while hub.subscriber_count(maria.id):  # the server notices the closed socket
        async with ws_client(server, token) as probe:
            await probe.round_trip()
    assert hub.subscriber_count() == 0


async def test_stopping_the_server_ends_subscriptions_cleanly(db: Database, app: Starlette) -> None:
    maria = await make_person(db)
    token = await token_for(db, maria)
    async with AsyncExitStack() as client_stack:
        async with serving(app) as base_url:
            client = await client_stack.enter_async_context(ws_client(base_url, token))
            await subscribed(client, app, maria.id)
        # The server has stopped (its lifespan stopped the broadcaster): the client is told.
        with pytest.raises(ConnectionClosed) as closed:
            await client.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1012  # "Service Restart": reconnect, then refetch
    assert broadcaster_of(app).subscriber_count() == 0


async def test_a_client_that_falls_behind_is_told_so(
    db: Database, app: Starlette, server: str
) -> None:
    maria = await make_person(db)
    hub = broadcaster_of(app)
    hub.live.capacity = 3
    async with ws_client(server, await token_for(db, maria)) as client:
        await subscribed(client, app, maria.id)
        [subscriber] = hub.live.subscribers_of(maria.id)
        for number in range(1, 6):  # more than its queue holds, before any is sent
            subscriber.push({"data": {"notificationAdded": {"id": str(number)}}})
        ended = await client.receive()
        assert ended["type"] == "next"
        [error] = ended["payload"]["errors"]
        assert error["extensions"] == {"code": "SUBSCRIPTION_OVERFLOW"}
        assert "fetch viewer.notifications, then subscribe again" in error["message"]
        assert await client.receive() == {"id": "1", "type": "complete"}
        while hub.subscriber_count(maria.id):
            await client.round_trip()


async def test_a_token_in_connection_init_with_the_database_down_closes_cleanly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    unreachable = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    settings = Settings(database_url=unreachable, _env_file=None)  # type: ignore[arg-type,call-arg]

    def logged(text: str) -> bool:
        return any(text in record.getMessage() for record in caplog.records)

    async with serving(create_app(settings)) as base_url:
        async with ws_connection(base_url) as client:
            await client.send({"type": "connection_init", "payload": {"Authorization": "Bearer x"}})
            with pytest.raises(ConnectionClosed) as closed:
                await client.receive()
        # The listener tries on its own schedule: under load, after the websocket was closed.
        for _ in range(500):
            if logged("cannot listen for notifications"):
                break
            await asyncio.sleep(0.01)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1013  # "Try Again Later": the websocket's 503
    assert closed.value.rcvd.reason == "The database is unavailable; try again shortly."
    assert logged("database unavailable")
    # The listener could not connect either; it says so and keeps trying, without a traceback.
    assert logged("cannot listen for notifications")


async def test_a_revocation_nobody_announced_still_closes_the_connection(
    db: Database, quick_checks: str
) -> None:
    """A token revoked behind the API's back (a row changed by hand, a NOTIFY lost while the
    listener reconnected): the connection's periodic check (six ICN_VIEWER_CACHE_SECONDS)
    closes it with 4403; nothing is delivered to it meanwhile once it is closed."""
    maria = await make_person(db)
    async with ws_client(quick_checks, await token_for(db, maria)) as client:
        await client.subscribe()
        await client.round_trip()
        assert await revoke_tokens(db, maria.email) == 1  # no announcement
        with pytest.raises(ConnectionClosed) as closed:
            await receive_until_closed(client)  # at most ~0.3 s
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert "revoked" in closed.value.rcvd.reason


async def receive_until_closed(client: WsClient) -> None:
    while True:
        await client.receive()


async def test_a_revoked_token_closes_the_connection_and_runs_no_later_operation(
    db: Database, uncached: str
) -> None:
    """Each operation checks the token again (here without the viewer cache, which would answer
    from memory for up to ICN_VIEWER_CACHE_SECONDS when a revocation goes unannounced)."""
    maria = await make_person(db, email="maria@example.org", display_name="Maria Lopez")
    query = "{ viewer { person { displayName } } }"
    mutation = 'mutation { createPersonalAccessToken(input: {name: "late"}) { token } }'
    async with ws_client(uncached, await token_for(db, maria)) as client:
        await client.send({"id": "q1", "type": "subscribe", "payload": {"query": query}})
        answer = await client.receive()
        assert "errors" not in answer["payload"]
        assert answer["payload"]["data"] == {"viewer": {"person": {"displayName": "Maria Lopez"}}}
        assert await client.receive() == {"id": "q1", "type": "complete"}

        assert await revoke_tokens(db, maria.email) == 1  # what `icn-graph token revoke` does
        before = await snapshot(db)
        await client.send({"id": "m1", "type": "subscribe", "payload": {"query": mutation}})
        with pytest.raises(ConnectionClosed) as closed:
            await client.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert "revoked" in closed.value.rcvd.reason
    assert await snapshot(db) == before


async def test_an_anonymous_connection_runs_operations_as_before(db: Database, server: str) -> None:
    async with ws_client(server) as client:
        query = "{ network { name } viewer { person { id } } }"
        await client.send({"id": "q1", "type": "subscribe", "payload": {"query": query}})
        answer = await client.receive()
        assert "errors" not in answer["payload"]
        assert answer["payload"]["data"] == {"network": {"name": "Test Network"}, "viewer": None}


async def test_kind_data_and_links_add_no_sql_to_what_a_subscriber_is_sent(
    db: Database, app: Starlette, server: str, statements: StatementCounter
) -> None:
    """``kind``, ``data``, ``url`` and ``appPath`` read what ``summary`` reads, in its batches."""
    maria = await make_person(db)
    token = await token_for(db, maria)
    base = "id summary actor { displayName } subject { id }"

    async def sent_with(fields: str) -> tuple[int, dict[str, Any]]:
        async with ws_client(server, token) as client:
            await subscribed(
                client, app, maria.id, query=f"subscription {{ notificationAdded {{ {fields} }} }}"
            )
            statements.reset()
            await write_notifications(db, [maria])
            notification = added(await client.receive())
            return statements.count, notification

    without, _ = await sent_with(base)
    with_them, notification = await sent_with(f"{base} kind data url appPath")
    assert with_them == without, (with_them, without)
    assert notification["kind"] == "GOAL_CHECKED_IN"
    assert notification["appPath"] is None  # Goal 1 does not exist here


BUSY_ERROR = {
    "message": "The database is busy; try again shortly.",
    "extensions": {"code": "SERVICE_UNAVAILABLE"},
}
VIEWER_NAME = "{ viewer { person { displayName } } }"


@asynccontextmanager
async def small_pool_serving(
    url: str, settings: Settings, plugins: PluginHost, viewer_cache_seconds: float
) -> AsyncIterator[tuple[Database, str]]:
    """A server whose pool keeps one connection (and the burst) and waits 0.2 s for one."""
    busy = small_pool(url)
    quick = settings.model_copy(update={"viewer_cache_seconds": viewer_cache_seconds})
    try:
        async with serving(create_app(quick, db=busy, plugins=plugins)) as base_url:
            yield busy, base_url
    finally:
        await busy.dispose()


@pytest.fixture
async def small_pool_server(
    migrated_url: str, settings: Settings, plugin_host: PluginHost
) -> AsyncIterator[tuple[Database, str]]:
    """``small_pool_serving`` without the viewer cache: every operation looks its token up
    (and an open websocket checks it by itself only every minute)."""
    async with small_pool_serving(migrated_url, settings, plugin_host, 0) as served:
        yield served


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "cannot authenticate" in r.getMessage()]


async def test_an_operation_that_finds_no_connection_free_fails_alone(
    db: Database,
    small_pool_server: tuple[Database, str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its token cannot be checked: that operation gets an ``error`` saying to try again, as
    over HTTP, and the connection goes on. Another operation within LOOKUP_RETRY_SECONDS fails
    the same way at once, without trying the database again."""
    monkeypatch.setattr(websocket_auth, "LOOKUP_RETRY_SECONDS", 0.3)
    busy, base_url = small_pool_server
    maria = await make_person(db, display_name="Maria Lopez")
    async with ws_client(base_url, await token_for(db, maria)) as client:
        with caplog.at_level(logging.WARNING):
            async with holding_every_connection(busy):
                for operation_id in ("q1", "q2"):
                    await client.send(
                        {"id": operation_id, "type": "subscribe", "payload": {"query": VIEWER_NAME}}
                    )
                    assert await client.receive() == {
                        "id": operation_id,
                        "type": "error",
                        "payload": [BUSY_ERROR],
                    }
        assert len(refusals(caplog)) == 1  # q2 was answered from memory
        await asyncio.sleep(0.35)  # past LOOKUP_RETRY_SECONDS: the next one tries again
        await client.send({"id": "q1", "type": "subscribe", "payload": {"query": VIEWER_NAME}})
        answer = await client.receive()
        assert answer["id"] == "q1"
        assert answer["payload"]["data"] == {"viewer": {"person": {"displayName": "Maria Lopez"}}}
        assert await client.receive() == {"id": "q1", "type": "complete"}


async def test_a_repeated_operation_id_closes_the_connection_even_when_busy(
    db: Database, small_pool_server: tuple[Database, str], caplog: pytest.LogCaptureFixture
) -> None:
    """The protocol's own checks come first (4409 for an id in use): the live subscription was
    still there, and no token was looked up for an operation that would not run."""
    busy, base_url = small_pool_server
    maria = await make_person(db)
    async with ws_client(base_url, await token_for(db, maria)) as client:
        await client.subscribe(operation_id="live")
        await client.round_trip()
        with caplog.at_level(logging.WARNING):
            async with holding_every_connection(busy):
                await client.subscribe(operation_id="live")
                with pytest.raises(ConnectionClosed) as closed:
                    await client.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4409
    assert refusals(caplog) == []


async def test_a_periodic_token_check_that_finds_no_connection_free_waits_for_the_next(
    db: Database,
    migrated_url: str,
    settings: Settings,
    plugin_host: PluginHost,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With a viewer cache of 50 ms the connection checks its token every 0.3 s; those checks
    cannot look it up: the connection stays open, and the log has the lookup's one warning
    naming the setting each time, never a traceback."""
    token = await token_for(db, await make_person(db))
    async with (
        small_pool_serving(migrated_url, settings, plugin_host, 0.05) as (busy, base_url),
        ws_client(base_url, token) as client,
    ):
        await client.subscribe()
        await client.round_trip()
        with caplog.at_level(logging.WARNING):
            async with holding_every_connection(busy):
                await asyncio.sleep(1.0)  # at least two checks, each waiting 0.2 s
        await client.round_trip()
    assert refusals(caplog), caplog.text
    assert all("ICN_DATABASE_POOL_SIZE" in r.getMessage() for r in refusals(caplog))
    assert not [r for r in caplog.records if r.exc_info], caplog.text
