"""Reading threads (the writes live in their own modules)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from icn_codesign.access import visible_clause
from icn_codesign.models import Thread
from icn_graph.plugin_api import Database, Viewer


async def threads_by_id(db: Database, viewer: Viewer, pks: Sequence[int]) -> dict[int, Thread]:
    """The threads among ``pks`` that ``viewer`` may see, by id: one query."""
    if not pks or not viewer.is_authenticated:
        return {}
    async with db.session() as session:
        rows = await session.scalars(
            select(Thread).where(Thread.id.in_(sorted(set(pks))), visible_clause(viewer))
        )
        return {row.id: row for row in rows}
