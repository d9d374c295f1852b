"""Alembic environment: async engine, the app's settings, batch mode for SQLite."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import icn_graph.models  # noqa: F401  (registers every table on Base.metadata)
from icn_graph.config import get_settings
from icn_graph.db.base import Base
from icn_graph.db.database import create_engine

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    return str(
        config.attributes.get("url")
        or config.get_main_option("sqlalchemy.url")
        or get_settings().database_url_value
    )


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    engine = create_engine(database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_with)
            await connection.commit()
    finally:
        await engine.dispose()


def run_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
