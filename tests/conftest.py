"""Fixtures: every database test runs on SQLite and on PostgreSQL, through the real ASGI app."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db import migrations
from icn_graph.db.base import Base
from icn_graph.db.database import Database
from tests.helpers import GraphQLClient, StatementCounter

IN_CI = bool(os.environ.get("CI"))
POSTGRES_URL = os.environ.get("ICN_TEST_POSTGRES_URL")

BACKENDS = ["sqlite", "postgresql"]


def _postgres_or_skip() -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    if IN_CI:
        pytest.fail("CI must test PostgreSQL: set ICN_TEST_POSTGRES_URL")
    pytest.skip("PostgreSQL tests need ICN_TEST_POSTGRES_URL (they never skip in CI)")


async def _reset_postgres(url: str) -> None:
    database = Database.from_url(url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    except OSError as error:
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}")
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("icn")


async def _postgres_database(name: str) -> str:
    """The test PostgreSQL URL for the suite, or for a sibling database made for ``name``."""
    url = make_url(_postgres_or_skip())
    if name == "suite":
        return url.render_as_string(hide_password=False)
    sibling = f"{url.database}_{name}"
    admin = Database.from_url(url.render_as_string(hide_password=False))
    try:
        async with admin.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            exists = await autocommit.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": sibling}
            )
            if not exists:
                await autocommit.execute(text(f'CREATE DATABASE "{sibling}"'))
    except OSError as error:
        pytest.fail(f"PostgreSQL at {url.render_as_string()} is unreachable: {error}")
    finally:
        await admin.dispose()
    return url.set(database=sibling).render_as_string(hide_password=False)


async def fresh_database_url(backend: str, root: Path, name: str) -> str:
    """An empty database: a new SQLite file, or an emptied PostgreSQL database (one per name)."""
    if backend == "sqlite":
        path = root / f"{name}.db"
        path.unlink(missing_ok=True)
        return f"sqlite+aiosqlite:///{path}"
    url = await _postgres_database(name)
    await _reset_postgres(url)
    return url


@pytest.fixture(scope="session", params=BACKENDS)
async def migrated_url(request: pytest.FixtureRequest, tmp_root: Path) -> str:
    url = await fresh_database_url(request.param, tmp_root, "suite")
    await asyncio.to_thread(migrations.upgrade, url)
    return url


@pytest.fixture(scope="session")
async def session_db(migrated_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(migrated_url)
    yield database
    await database.dispose()


@pytest.fixture
async def db(session_db: Database, migrated_url: str) -> Database:
    """The suite's database, emptied before each test."""
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    async with session_db.engine.begin() as connection:
        if session_db.dialect == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608
    return session_db


@pytest.fixture
def settings(migrated_url: str) -> Settings:
    return Settings(database_url=migrated_url, network_name="Test Network", _env_file=None)  # type: ignore[arg-type,call-arg]


@pytest.fixture
async def client(db: Database, settings: Settings) -> AsyncIterator[GraphQLClient]:
    app = create_app(settings, db=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


@pytest.fixture
def statements(db: Database) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(db.engine.sync_engine, "before_cursor_execute", counter.record)
    yield counter
    event.remove(db.engine.sync_engine, "before_cursor_execute", counter.record)
