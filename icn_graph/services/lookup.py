"""Batched lookups by primary key, for loaders. Callers have already checked the viewer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import inspect, select

from icn_graph.db.base import Base
from icn_graph.db.database import Database

M = TypeVar("M", bound=Base)


async def rows_by_id(db: Database, model: type[M], ids: Iterable[int]) -> dict[int, M]:
    """``{id: row}`` for the ids that exist, in one query, for any table with an integer id."""
    wanted = set(ids)
    if not wanted:
        return {}
    primary_key = inspect(model).primary_key[0]
    async with db.session() as session:
        rows = await session.scalars(select(model).where(primary_key.in_(wanted)))
        return {getattr(row, primary_key.name): row for row in rows}
