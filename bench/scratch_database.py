"""The database a bench runs in: emptied (PostgreSQL's ``public`` schema dropped: point benches
at a scratch database) and migrated to core's head."""

from __future__ import annotations

import asyncio

from sqlalchemy import make_url, text

from icn_graph.db import migrations
from icn_graph.db.database import Database


async def empty_schema(url: str) -> None:
    """Drop everything in ``url``'s ``public`` schema (PostgreSQL; a SQLite file starts empty)."""
    if make_url(url).get_backend_name() != "postgresql":
        return
    database = Database.from_url(url)
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await database.dispose()


async def migrated_database(url: str) -> Database:
    """``url`` emptied and migrated to core's head, opened."""
    await empty_schema(url)
    await asyncio.to_thread(migrations.upgrade, url)
    return Database.from_url(url)
