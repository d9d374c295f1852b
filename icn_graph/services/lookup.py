"""Batched lookups by primary key, for loaders. Callers have already checked the viewer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Mapped

from icn_graph.db.database import Database


class HasIntId(Protocol):
    id: Mapped[int]


M = TypeVar("M", bound=HasIntId)


async def rows_by_id(db: Database, model: type[M], ids: Iterable[int]) -> dict[int, M]:
    wanted = set(ids)
    if not wanted:
        return {}
    async with db.session() as session:
        rows = await session.scalars(select(model).where(model.id.in_(wanted)))
        # Protocol attributes read as Mapped[int]; on an instance the value is the int itself.
        return {cast("int", row.id): row for row in rows}
