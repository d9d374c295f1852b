"""Batched lookups for loaders, by primary key or by a parent's key. Callers have already
checked the viewer."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, inspect, select
from sqlalchemy.orm import InstrumentedAttribute

from icn_graph.db.any_of import any_of, any_of_keys, key_list
from icn_graph.db.base import Base
from icn_graph.db.database import Database

M = TypeVar("M", bound=Base)
V = TypeVar("V")


async def rows_by_id(db: Database, model: type[M], ids: Iterable[int]) -> dict[int, M]:
    """``{id: row}`` for the ids that exist, in one query, for any table with an integer id."""
    wanted = set(ids)
    if not wanted:
        return {}
    statement, key = _by_id(model)
    async with db.session() as session:
        rows = await session.scalars(statement, {"ids": key_list(wanted)})
        return {getattr(row, key): row for row in rows}


@functools.cache
def _by_id(model: type[Base]) -> tuple[Select[Any], str]:
    """The statement that reads ``model``'s rows by id (built once: a statement run again skips
    building it and computing its cache key), and the attribute holding the id."""
    primary_key = inspect(model).primary_key[0]
    return select(model).where(any_of_keys(primary_key, "ids")), primary_key.name


def grouped(pairs: Iterable[tuple[int, V]], keys: Sequence[int]) -> list[list[V]]:
    """For each of ``keys`` in order, the values paired with it, in the order of ``pairs``
    (a loader's answer from one query's ``(parent key, value)`` rows)."""
    found: dict[int, list[V]] = defaultdict(list)
    for key, value in pairs:
        found[key].append(value)
    return [found.get(key, []) for key in keys]


async def rows_by_parent(
    db: Database,
    model: type[M],
    parent: InstrumentedAttribute[int],
    keys: Sequence[int],
    *order_by: ColumnElement[Any] | InstrumentedAttribute[Any],
    where: Sequence[ColumnElement[bool]] = (),
) -> list[list[M]]:
    """For each of ``keys`` in order, the rows of ``model`` whose ``parent`` column holds it
    (``where`` narrowing them), ordered by ``order_by``, in one query:
    ``rows_by_parent(db, Draft, Draft.thread_id, thread_ids, Draft.created_at)``."""
    async with db.session() as session:
        rows = await session.scalars(
            select(model).where(any_of(parent, keys), *where).order_by(*order_by)
        )
        return grouped(((getattr(row, parent.key), row) for row in rows), keys)
