"""``icn-graph serve --worker``: the server and a worker in one process, stopped together."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from types import FrameType

import uvicorn

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.notifications.worker.loop import Worker
from icn_graph.plugins.manager import PluginHost

SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def serve_with_worker(
    server: uvicorn.Server, settings: Settings, plugins: PluginHost
) -> None:
    """Serve until uvicorn stops (Ctrl-C, SIGTERM), with the worker loop as a background task.

    uvicorn handles the signal and, once it has shut down, raises it again for the handler that
    was there before; ours stops the worker, so the process finishes the worker's step and exits
    normally instead of dying mid-step. The worker has its own engine, so its work never waits
    on the server's connection pool.
    """
    stop = asyncio.Event()

    def stop_worker(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {signum: signal.signal(signum, stop_worker) for signum in SIGNALS}
    db = Database.from_settings(settings)
    task = asyncio.create_task(Worker(settings, db, plugins).run(stop))
    try:
        await server.serve()
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await task
        await db.dispose()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
