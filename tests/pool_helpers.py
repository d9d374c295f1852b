"""A database whose pool has every connection checked out, for tests of what requests, probes
and websockets do when none comes free (ICN_DATABASE_POOL_SIZE and its burst all in use)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from icn_graph.db.database import BURST_CONNECTIONS, Database


def small_pool(url: str) -> Database:
    """A database whose pool keeps one connection (and the burst) and waits 0.2 s for one."""
    return Database.from_url(url, pool_size=1, pool_timeout=0.2)


@asynccontextmanager
async def holding_every_connection(database: Database) -> AsyncIterator[None]:
    """Check out every connection ``database``'s pool may open (``small_pool``'s: 1 and the
    burst), each reading in its own request, until the block ends."""
    release = asyncio.Event()
    all_held = asyncio.Barrier(2 + BURST_CONNECTIONS)

    async def hold() -> None:
        async with database.read_unit(), database.session() as session:
            await session.scalar(text("SELECT 1"))
            await all_held.wait()
            await release.wait()

    holders = [asyncio.create_task(hold()) for _ in range(1 + BURST_CONNECTIONS)]
    try:
        await asyncio.wait_for(all_held.wait(), 10)
        assert database.every_connection_in_use()
        yield
    finally:
        release.set()
        await asyncio.gather(*holders)


@asynccontextmanager
async def every_connection_in_use(url: str) -> AsyncIterator[Database]:
    """A ``small_pool`` database with every connection checked out; given back as the block
    ends."""
    busy = small_pool(url)
    try:
        async with holding_every_connection(busy):
            yield busy
    finally:
        await busy.dispose()
