"""The PostgreSQL notifications listener survives having its connection killed, again and again
and at awkward moments (mid-check, mid-connect, right after reconnecting, with a notification in
flight): every kill is logged, it reconnects, ``/readyz`` says so, and a notification still
reaches a subscriber over a real websocket. While it cannot reconnect ``/readyz`` reports
``"listener": "reconnecting"``, and 503 once that has lasted past ``ICN_LISTENER_GRACE_SECONDS``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
import httpx
import pytest
from starlette.applications import Starlette

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Person
from icn_graph.notifications.realtime.broadcaster import Broadcaster
from icn_graph.notifications.realtime.listener import (
    APPLICATION_NAME,
    PostgresListener,
    connect_arguments,
)
from tests.helpers import make_person, token_for
from tests.subscription_helpers import (
    RECEIVE_TIMEOUT,
    WsClient,
    serving,
    write_notifications,
    ws_client,
)

KILLS = 16
LOGGER = "icn_graph.notifications.realtime.listener"
# What the listener logs for a connection it lost, or one it lost while still connecting.
LOSSES = ("lost the notifications listener connection", "cannot listen for notifications")
OK = {"status": "ok", "database": "ok", "migrations": "ok", "listener": "ok"}


class Killer:
    """Terminates the listener's connection from a connection of the test's own, and counts the
    connections it killed (a dying backend can be asked to terminate twice: it counts once)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self._pids: set[int] = set()

    @property
    def killed(self) -> int:
        return len(self._pids)

    async def kill(self) -> int:
        # In the select list, never in WHERE: there the planner could call it for every row.
        rows = await self.connection.fetch(
            "SELECT pid, pg_terminate_backend(pid) AS killed FROM pg_stat_activity"
            " WHERE application_name = $1 AND datname = current_database()",
            APPLICATION_NAME,
        )
        killed = {row["pid"] for row in rows if row["killed"]}
        self._pids |= killed
        return len(killed)


@pytest.fixture
async def killer(db: Database) -> AsyncIterator[Killer]:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no listener connection to kill")
    url = db.engine.url.render_as_string(hide_password=False)
    connection = await asyncpg.connect(**connect_arguments(url))
    yield Killer(connection)
    await connection.close()


def listener_of(app: Starlette) -> PostgresListener:
    broadcaster = app.state.broadcaster
    assert isinstance(broadcaster, Broadcaster)
    assert broadcaster.listener is not None
    return broadcaster.listener


@pytest.fixture
def quick_app(app: Starlette, killer: Killer) -> Starlette:
    """Retries within 0.05 to 0.2 s (the backoff is not what is under test), and a ``SELECT 1``
    check every 20 ms, so that kills often land in the middle of one."""
    listener = listener_of(app)
    listener._min_retry, listener._max_retry, listener._check_seconds = 0.05, 0.2, 0.02
    return app


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll ``condition``; only a broken listener makes this wait out ``RECEIVE_TIMEOUT``."""
    try:
        async with asyncio.timeout(RECEIVE_TIMEOUT):
            while True:
                if await condition():
                    return
                await asyncio.sleep(0.01)
    except TimeoutError:
        pytest.fail(f"still waiting after {RECEIVE_TIMEOUT:g} s until {what}")


async def readyz(http: httpx.AsyncClient) -> tuple[int, dict[str, Any]]:
    response = await http.get("/readyz")
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return response.status_code, body


async def reaches(client: WsClient, db: Database, person: Person) -> None:
    """A notification written now arrives over the websocket (after any announced before it)."""
    [row] = await write_notifications(db, [person])
    expected = to_global_id("Notification", row.id)
    while True:
        message = await client.receive()
        assert message["type"] == "next", message
        if message["payload"]["data"]["notificationAdded"]["id"] == expected:
            return


# The awkward moments; each kills at least once.
Way = Callable[[Killer, PostgresListener], Awaitable[None]]


async def while_idle(killer: Killer, listener: PostgresListener) -> None:
    assert await killer.kill() == 1


async def again_the_moment_it_is_back(killer: Killer, listener: PostgresListener) -> None:
    made = listener.connections_made
    assert await killer.kill() == 1
    async with asyncio.timeout(RECEIVE_TIMEOUT):
        while True:
            if listener.connections_made > made:
                break
            await asyncio.sleep(0.001)
    await killer.kill()


async def while_connecting(killer: Killer, listener: PostgresListener) -> None:
    """Every few milliseconds through several reconnects: some kills land during the handshake
    or the ``LISTEN``."""
    made = listener.connections_made
    async with asyncio.timeout(RECEIVE_TIMEOUT):
        while listener.connections_made < made + 3:
            await killer.kill()
            await asyncio.sleep(0.003)


def with_a_notification_in_flight(db: Database, person: Person) -> Way:
    """That one may be lost (notifications are not replayed); the next must arrive."""

    async def way(killer: Killer, listener: PostgresListener) -> None:
        await asyncio.gather(write_notifications(db, [person]), killer.kill())

    return way


async def test_the_listener_survives_its_connection_being_killed_again_and_again(
    db: Database, quick_app: Starlette, killer: Killer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    listener = listener_of(quick_app)
    maria = await make_person(db)
    async with (
        serving(quick_app) as server,
        httpx.AsyncClient(base_url=server, timeout=RECEIVE_TIMEOUT) as http,
        ws_client(server, await token_for(db, maria)) as client,
    ):
        await client.subscribe()
        while quick_app.state.broadcaster.subscriber_count(maria.id) < 1:
            await client.round_trip()
        assert await readyz(http) == (200, OK)
        await reaches(client, db, maria)

        def losses_logged() -> int:
            return sum(
                record.name == LOGGER and record.getMessage().startswith(LOSSES)
                for record in caplog.records
            )

        ways: list[Way] = [
            while_idle,
            again_the_moment_it_is_back,
            while_connecting,
            with_a_notification_in_flight(db, maria),
        ]
        for round_number in range(KILLS):
            made = listener.connections_made
            await ways[round_number % len(ways)](killer, listener)

            async def back(made: int = made) -> bool:
                # Every connection killed has been noticed and logged (so a notification sent
                # now cannot go to a dead one), and a new one listens.
                return (
                    losses_logged() >= killer.killed
                    and listener.connections_made > made
                    and listener.listening.is_set()
                )

            await until(back, f"the listener is back after round {round_number}")
            assert losses_logged() == killer.killed
            assert await readyz(http) == (200, OK)
            await reaches(client, db, maria)
    # It never gave up: a listener task that ended would have logged an error.
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert killer.killed >= KILLS


async def test_readyz_reports_a_listener_that_cannot_reconnect(
    db: Database, quick_app: Starlette, killer: Killer
) -> None:
    """While the database refuses new connections the listener keeps trying: ``reconnecting``,
    still ready within the grace period, 503 past it, and ``ok`` again once it is back."""
    readiness = quick_app.state.readiness
    readiness.listener_grace_seconds = 3600.0
    database = await killer.connection.fetchval("SELECT current_database()")
    url = db.engine.url.render_as_string(hide_password=False)
    # ALLOW_CONNECTIONS cannot be changed from a connection to the database itself.
    admin = await asyncpg.connect(**(connect_arguments(url) | {"database": "postgres"}))
    try:
        async with (
            serving(quick_app) as server,
            httpx.AsyncClient(base_url=server, timeout=RECEIVE_TIMEOUT) as http,
        ):
            # A probe first: the pool keeps its connection for the probes that follow.
            assert await readyz(http) == (200, OK)
            await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            try:
                assert await killer.kill() == 1

                async def reconnecting() -> bool:
                    return (await readyz(http))[1].get("listener") == "reconnecting"

                await until(reconnecting, "/readyz reports the listener reconnecting")
                assert await readyz(http) == (200, OK | {"listener": "reconnecting"})
                readiness.listener_grace_seconds = 0.0
                status, body = await readyz(http)
                assert status == 503
                assert body.pop("detail")[0].startswith(
                    "the notifications listener has been reconnecting for"
                )
                assert body == {
                    "status": "unavailable",
                    "database": "ok",
                    "migrations": "ok",
                    "listener": "reconnecting",
                }
            finally:
                await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')

            async def ok_again() -> bool:
                return await readyz(http) == (200, OK)

            await until(ok_again, "/readyz reports the listener ok again")
    finally:
        await admin.close()
