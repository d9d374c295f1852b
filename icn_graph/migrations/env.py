"""Alembic environment: async engine, the app's settings, batch mode for SQLite."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import icn_graph.builtin.tables  # noqa: F401  (registers every table on Base.metadata)
from icn_graph.config import get_settings
from icn_graph.db.base import Base
from icn_graph.db.database import create_engine
from icn_graph.db.migrations import Track, core_track

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    return str(
        config.attributes.get("url")
        or config.get_main_option("sqlalchemy.url")
        or get_settings().database_url_value
    )


def track() -> Track:
    found = config.attributes.get("track")
    return found if isinstance(found, Track) else core_track()


def include_object(
    item: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Each history sees only its own tables (and their indexes and constraints)."""
    table = name if type_ == "table" else getattr(getattr(item, "table", None), "name", None)
    return table is None or track().owns(table)


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        version_table=track().version_table,
        include_object=include_object,
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
        version_table=track().version_table,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
