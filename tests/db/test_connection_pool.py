"""Each process keeps ICN_DATABASE_POOL_SIZE connections open: requests reading at once, up to
that many, reuse them instead of opening and closing connections (SQLAlchemy's default kept 5,
so ten clients made PostgreSQL start a backend for every other request)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from graphql import GraphQLError
from sqlalchemy import event, text
from sqlalchemy.exc import TimeoutError as PoolTimeout

from icn_graph.app import create_app
from icn_graph.cli import main
from icn_graph.config import DEFAULT_POOL_SIZE, Settings
from icn_graph.db.database import BURST_CONNECTIONS, Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.schema import build_schema
from icn_graph.schema.errors import present
from icn_graph.testing import GraphQLClient, make_person, token_for
from tests.pool_helpers import every_connection_in_use


class Opened:
    """Connections ``database``'s engine opened (to the database, not from its pool)."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        event.listen(database.engine.sync_engine, "connect", self._opened)

    def _opened(self, *_: Any) -> None:
        self.count += 1


@pytest.fixture
async def pooled(migrated_url: str) -> AsyncIterator[Database]:
    """A database of its own, with the default pool: what a process gets."""
    database = Database.from_url(migrated_url)
    yield database
    await database.dispose()


async def read_together(database: Database, readers: int) -> None:
    """``readers`` requests' read units, each holding its connection until all hold one."""
    all_in = asyncio.Barrier(readers)

    async def reader() -> None:
        async with database.read_unit(), database.session() as session:
            assert await session.scalar(text("SELECT 1")) == 1
            await asyncio.wait_for(all_in.wait(), 10)

    await asyncio.gather(*(reader() for _ in range(readers)))


async def test_as_many_requests_at_once_as_the_pool_keeps_reuse_its_connections(
    pooled: Database,
) -> None:
    opened = Opened(pooled)
    await read_together(pooled, DEFAULT_POOL_SIZE)
    assert opened.count == DEFAULT_POOL_SIZE
    for _ in range(3):
        await read_together(pooled, DEFAULT_POOL_SIZE)
    assert opened.count == DEFAULT_POOL_SIZE, "a round of requests opened connections again"


async def test_a_burst_past_the_pool_is_served_and_then_let_go(migrated_url: str) -> None:
    database = Database.from_url(migrated_url, pool_size=2)
    try:
        opened = Opened(database)
        await read_together(database, 2 + BURST_CONNECTIONS)
        assert opened.count == 2 + BURST_CONNECTIONS
        assert database.engine.pool.checkedin() == 2  # type: ignore[attr-defined]
        await read_together(database, 2)
        assert opened.count == 2 + BURST_CONNECTIONS
    finally:
        await database.dispose()


def test_the_app_opens_its_database_with_the_configured_pool(
    settings: Settings,
) -> None:
    app = create_app(settings.model_copy(update={"database_pool_size": 3}))
    assert app.state.db.engine.pool.size() == 3


def test_a_pool_of_no_connections_is_refused_by_name() -> None:
    result = CliRunner().invoke(main, ["config"], env={"ICN_DATABASE_POOL_SIZE": "0"})
    assert result.exit_code == 1
    refusal = "invalid settings: ICN_DATABASE_POOL_SIZE: Input should be greater than or equal to 1"
    assert refusal in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:///:memory:",
        "sqlite+aiosqlite://",
        "sqlite+aiosqlite:///file:pooltest?mode=memory&cache=shared&uri=true",
    ],
)
async def test_an_in_memory_sqlite_database_keeps_its_one_connection(url: str) -> None:
    database = Database.from_settings(Settings(database_url=url, database_pool_size=3))  # type: ignore[arg-type]
    try:
        async with database.session() as session:
            assert await session.scalar(text("SELECT 1")) == 1
    finally:
        await database.dispose()


async def test_a_request_that_finds_no_connection_free_is_told_to_try_again(
    db: Database,
    migrated_url: str,
    settings: Settings,
    plugin_host: PluginHost,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Past the pool and its burst, a request waits ICN_DATABASE_POOL_TIMEOUT for a connection,
    then is answered 503 SERVICE_UNAVAILABLE (in the API's JSON shape), and the log names the
    setting to raise. Once connections come back, requests are served again."""
    token = await token_for(db, await make_person(db, display_name="Jamie Rivera"))
    query = "{ viewer { person { displayName } } }"
    async with every_connection_in_use(migrated_url) as busy:
        app = create_app(settings, db=busy, plugins=plugin_host)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            with caplog.at_level(logging.WARNING):
                refused = await GraphQLClient(http, app).post(query, token=token)
    assert refused.status_code == 503
    assert refused.json() == {
        "errors": [
            {
                "message": "The database is busy; try again shortly.",
                "extensions": {"code": "SERVICE_UNAVAILABLE"},
            }
        ]
    }
    assert "ICN_DATABASE_POOL_SIZE" in caplog.text


def test_a_field_that_finds_no_connection_free_is_unavailable_not_an_internal_error() -> None:
    """A field reached after the request authenticated (its viewer cached) fails the same way."""
    waited = PoolTimeout("QueuePool limit of size 1 overflow 5 reached")
    shown = present(GraphQLError("x", original_error=waited, path=["viewer", "person"]))
    assert shown.message == "The database is busy; try again shortly."
    assert shown.extensions == {"code": "SERVICE_UNAVAILABLE"}
    assert shown.path == ["viewer", "person"]


async def test_a_request_that_found_no_connection_free_does_not_wait_again(
    migrated_url: str,
) -> None:
    """Its later reads fail at once with the same error, rather than each waiting the timeout."""
    refusals: list[BaseException] = []
    async with every_connection_in_use(migrated_url) as busy, busy.read_unit():
        for _ in range(2):
            with pytest.raises(PoolTimeout) as refused:
                async with busy.session() as session:
                    await session.scalar(text("SELECT 1"))
            refusals.append(refused.value)
    assert refusals[0] is refusals[1]


def test_fields_that_found_no_connection_free_are_logged_once_without_a_traceback(
    plugin_host: PluginHost, caplog: pytest.LogCaptureFixture
) -> None:
    schema = build_schema(plugin_host.schema_contributions())
    waited = PoolTimeout("QueuePool limit of size 1 overflow 5 reached")
    errors = [
        GraphQLError("x", original_error=waited, path=["viewer", "person"]),
        GraphQLError("x", original_error=waited, path=["network", "name"]),
    ]
    with caplog.at_level(logging.WARNING):
        schema.process_errors(errors)
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "2 field(s) failed" in record.getMessage()
    assert "ICN_DATABASE_POOL_SIZE" in record.getMessage()
