"""Periodic work plugins hand to ``icn-graph worker`` (``register_worker_jobs``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from icn_graph.db.database import Database

# ``async def job(db, now) -> int``: run every tick at the worker's ``now``; returns how many
# things it did (for the worker's log). Several workers run it at once, and a tick may repeat
# it after a crash: it must be idempotent (claim rows with a conditional UPDATE).
WorkerJob = Callable[[Database, datetime], Awaitable[int]]
