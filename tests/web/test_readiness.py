"""``/readyz`` through the ASGI app: 503 with the reason while a migration history (core's or a
plugin's) is behind the code, 200 once it is upgraded, without a restart; cheap once ready; 503
while the server drains. Real databases on both backends; the server process cases are in
test_serve_process.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import event

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.host import core_host, load_plugins
from icn_graph.testing import StatementCounter
from tests.db.test_plugin_migrations import NotesPlugin
from tests.pool_helpers import holding_every_connection, small_pool


def settings_for(url: str, **values: Any) -> Settings:
    return Settings(database_url=url, _env_file=None, **values)  # type: ignore[arg-type,call-arg]


def previous_core_revision(url: str) -> str:
    """The revision just before core's head."""
    script = ScriptDirectory.from_config(migrations.alembic_config(url))
    (head,) = script.get_heads()
    down = script.get_revision(head).down_revision
    assert isinstance(down, str)
    return down


class Probe:
    def __init__(self, http: httpx.AsyncClient, app: Any) -> None:
        self.http = http
        self.readiness = app.state.readiness

    async def __call__(self) -> tuple[int, dict[str, Any]]:
        response = await self.http.get("/readyz")
        assert response.headers["content-type"] == "application/json"
        body: dict[str, Any] = response.json()
        return response.status_code, body


@pytest.fixture
async def database(scratch_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(scratch_url)
    yield database
    await database.dispose()


async def probe_for(database: Database, url: str, **values: Any) -> AsyncIterator[Probe]:
    plugins = load_plugins(settings_for(url, **values)) if values else core_host()
    app = create_app(settings_for(url, **values), db=database, plugins=plugins)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Probe(http, app)


@pytest.fixture
async def probe(database: Database, scratch_url: str) -> AsyncIterator[Probe]:
    async for made in probe_for(database, scratch_url):
        yield made


async def test_an_empty_database_is_not_ready(probe: Probe) -> None:
    assert await probe() == (
        503,
        {
            "status": "unavailable",
            "database": "ok",
            "migrations": "behind",
            "detail": [
                "core.tables migrations are at base, not the latest; run `icn-graph db upgrade`"
            ],
        },
    )


async def test_ready_once_upgraded_without_a_restart(probe: Probe, scratch_url: str) -> None:
    previous = previous_core_revision(scratch_url)
    await asyncio.to_thread(migrations.upgrade, scratch_url, previous)
    status, body = await probe()
    assert status == 503
    assert body["migrations"] == "behind"
    assert body["detail"] == [
        f"core.tables migrations are at {previous}, not the latest; run `icn-graph db upgrade`"
    ]

    await asyncio.to_thread(migrations.upgrade, scratch_url)
    probe.readiness.recheck_seconds = 0  # the cached answer would otherwise stand a moment
    assert await probe() == (200, {"status": "ok", "database": "ok", "migrations": "ok"})


async def test_behind_is_looked_at_again_only_every_few_seconds(
    probe: Probe, database: Database, scratch_url: str
) -> None:
    now = [100.0]
    probe.readiness.clock = lambda: now[0]
    assert (await probe())[0] == 503
    await asyncio.to_thread(migrations.upgrade, scratch_url)
    assert (await probe())[0] == 503  # within the interval: the answer it had
    now[0] += probe.readiness.recheck_seconds
    assert (await probe())[0] == 200


async def test_once_ready_a_probe_is_one_statement(
    probe: Probe, database: Database, scratch_url: str
) -> None:
    await asyncio.to_thread(migrations.upgrade, scratch_url)
    assert (await probe())[0] == 200
    counter = StatementCounter()
    event.listen(database.engine.sync_engine, "before_cursor_execute", counter.record)
    try:
        for _ in range(3):
            assert (await probe())[0] == 200
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", counter.record)
    assert counter.statements == ["SELECT 1"] * 3


async def test_a_process_whose_every_connection_is_in_use_stays_ready(scratch_url: str) -> None:
    """Its connections reached the database: the probe says it is busy, at once, instead of
    waiting for a connection and calling the database unreachable (which would have a load
    balancer take a busy process out and move its load onto the others)."""
    await asyncio.to_thread(migrations.upgrade, scratch_url)
    busy = small_pool(scratch_url)
    pings: list[bool] = []
    ping = busy.ping

    async def counted_ping() -> None:
        pings.append(busy.every_connection_in_use())
        await ping()

    busy.ping = counted_ping  # type: ignore[method-assign]
    ready = {"status": "ok", "database": "ok", "migrations": "ok"}
    try:
        async for probe in probe_for(busy, scratch_url):
            assert await probe() == (200, ready)
            async with holding_every_connection(busy):
                assert await probe() == (200, ready | {"database": "busy"})
            assert await probe() == (200, ready)
    finally:
        await busy.dispose()
    assert pings == [False, False]  # none while every connection was in use


async def test_a_pool_whose_connections_all_hang_is_not_busy_but_unreachable(
    scratch_url: str,
) -> None:
    """Every connection out and none come back (a database that stopped answering, half-open
    connections): the probe does not call that busy; it waits for a connection like any other
    ping and answers 503."""
    await asyncio.to_thread(migrations.upgrade, scratch_url)
    stuck = small_pool(scratch_url)
    try:
        async for probe in probe_for(stuck, scratch_url):
            assert (await probe())[0] == 200
            async with holding_every_connection(stuck):
                stuck.connection_returned_at -= 60  # none has come back for a minute
                status, body = await probe()
            assert (status, body["database"]) == (503, "unreachable"), body
    finally:
        await stuck.dispose()


async def test_a_process_busy_before_its_first_probe_is_not_ready_yet(scratch_url: str) -> None:
    """Its migration histories have not been read: it cannot say it is ready until they are."""
    await asyncio.to_thread(migrations.upgrade, scratch_url)
    busy = small_pool(scratch_url)
    try:
        async for probe in probe_for(busy, scratch_url):
            async with holding_every_connection(busy):
                assert await probe() == (
                    503,
                    {"status": "unavailable", "database": "busy", "migrations": "unknown"},
                )
            assert (await probe())[0] == 200
    finally:
        await busy.dispose()


async def test_a_plugin_history_behind_is_not_ready(database: Database, scratch_url: str) -> None:
    await asyncio.to_thread(migrations.upgrade, scratch_url)  # core's only
    async for probe in probe_for(database, scratch_url, plugins="icn-kudos"):
        status, body = await probe()
        assert status == 503
        assert body["detail"] == [
            "icn-kudos migrations are at base, not the latest; run `icn-graph db upgrade`"
        ]
        host = probe.readiness.plugins
        for track in migrations.tracks(host)[1:]:
            await asyncio.to_thread(migrations.upgrade, scratch_url, "heads", track=track)
        probe.readiness.recheck_seconds = 0
        assert (await probe())[0] == 200


async def test_draining_is_not_ready(probe: Probe, scratch_url: str) -> None:
    await asyncio.to_thread(migrations.upgrade, scratch_url)
    assert (await probe())[0] == 200
    probe.readiness.draining = True
    assert await probe() == (503, {"status": "unavailable", "server": "shutting down"})
    assert (await probe.http.get("/healthz")).status_code == 200


@pytest.mark.filterwarnings("ignore:Revision broken_0001")
async def test_a_history_that_cannot_be_read_is_not_blamed_on_the_database(
    database: Database, scratch_url: str, tmp_path: Path
) -> None:
    await asyncio.to_thread(migrations.upgrade, scratch_url)
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "broken_0002.py").write_text(
        'revision = "broken_0002"\ndown_revision = "broken_0001"\n'
        "branch_labels = None\ndepends_on = None\n",
        encoding="utf-8",
    )
    settings = settings_for(scratch_url)
    plugins = load_plugins(settings, extra=[("broken", NotesPlugin(folder))], discover=False)
    app = create_app(settings, db=database, plugins=plugins)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert (body["database"], body["migrations"]) == ("ok", "unreadable"), body
    [why] = body["detail"]
    assert why.startswith("the migration history cannot be read: "), why
    assert "broken_0001" in why, why
