"""Keyset pages of many parents' children at once: one query for every goal's check-ins.

A nested connection (``goals { checkIns(first: 3) }``) asks for one page per parent. Running
:func:`~icn_graph.services.pagination.paginate` per parent would cost one query per parent; here
the pages of all parents that share ``first`` and ``after`` come from one query, numbering each
parent's rows with ``ROW_NUMBER() OVER (PARTITION BY parent ORDER BY key, id)``. Counts are
fetched only when some page's ``totalCount`` is read, then for all the parents at once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import InstrumentedAttribute

from icn_graph.db.any_of import any_of, any_of_keys, key_list
from icn_graph.db.database import Database
from icn_graph.services.pagination import (
    LazyCursor,
    Page,
    SortKey,
    after_condition,
    check_page_size,
    decode_cursor,
)

M = TypeVar("M")
T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """One parent's page: whose children, how many, after which cursor."""

    parent_id: int
    first: int | None = None
    after: str | None = None


class _Once(Generic[T]):
    """Runs ``fetch`` the first time it is awaited; later and concurrent awaits share it."""

    def __init__(self, fetch: Callable[[], Awaitable[T]]) -> None:
        self._fetch = fetch
        self._task: asyncio.Future[T] | None = None

    async def __call__(self) -> T:
        if self._task is None:
            self._task = asyncio.ensure_future(self._fetch())
        return await self._task


async def pages_by_parent(
    db: Database,
    model: type[M],
    statement: Select[M],
    parent: InstrumentedAttribute[Any],
    key: SortKey,
    requests: Sequence[PageRequest],
    *,
    parse_value: Callable[[Any], Any],
) -> list[Page[M]]:
    """One page per request, in order; ``statement`` selects ``model`` with filters applied."""
    groups: dict[tuple[int | None, str | None], list[int]] = defaultdict(list)
    for request in requests:
        check_page_size(request.first)
        groups[(request.first, request.after)].append(request.parent_id)
    pages: dict[tuple[int, int | None, str | None], Page[M]] = {}
    for (first, after), parent_ids in groups.items():
        found = await _group(
            db, model, statement, parent, key, parent_ids, first, after, parse_value
        )
        for parent_id, page in found.items():
            pages[(parent_id, first, after)] = page
    return [pages[(request.parent_id, request.first, request.after)] for request in requests]


async def _group(
    db: Database,
    model: type[M],
    statement: Select[M],
    parent: InstrumentedAttribute[Any],
    key: SortKey,
    parent_ids: list[int],
    first: int | None,
    after: str | None,
    parse_value: Callable[[Any], Any],
) -> dict[int, Page[M]]:
    size = check_page_size(first)
    wanted = sorted(set(parent_ids))
    if after is None:
        ranked = _first_pages(model, statement, parent, key)
    else:
        value, row_id = decode_cursor(key, after, parse_value)
        after_cursor = statement.where(after_condition(key, value, row_id))
        ranked = _ranked(model, after_cursor, parent, key)
    grouped: dict[int, list[M]] = defaultdict(list)
    parameters = {"parent_ids": key_list(wanted), "page_limit": size + 1}
    async with db.session() as session:
        for item in await session.scalars(ranked, parameters):
            grouped[getattr(item, parent.key)].append(item)

    async def fetch_counts() -> dict[int, int]:
        of_parents = statement.where(any_of(parent, wanted))
        counting = of_parents.with_only_columns(parent, func.count()).group_by(parent)
        async with db.session() as session:
            return {row[0]: int(row[1]) for row in (await session.execute(counting)).all()}

    counts = _Once(fetch_counts)
    pages: dict[int, Page[M]] = {}
    for parent_id in wanted:
        rows = grouped.get(parent_id, [])
        pages[parent_id] = Page(
            items=[(LazyCursor(key, item), item) for item in rows[:size]],
            has_next_page=len(rows) > size,
            has_previous_page=after is not None,
            count_total=_count_of(counts, parent_id),
        )
    return pages


def _ranked(
    model: type[M], statement: Select[M], parent: InstrumentedAttribute[Any], key: SortKey
) -> Select[M]:
    """``statement``'s rows of the parents ``:parent_ids``, numbered within each parent in the
    key's order, up to ``:page_limit`` of each (both bound when it runs)."""
    of_parents = statement.where(any_of_keys(parent, "parent_ids"))
    order = (
        (key.column.desc(), key.id_column.desc()) if key.descending else (key.column, key.id_column)
    )
    rank = func.row_number().over(partition_by=parent, order_by=order).label("page_rank")
    # The window numbers ids only; the rows are the model's own, joined back by id (an alias of
    # the whole model made a copy of each of its columns on every call).
    numbered = of_parents.with_only_columns(key.id_column.label("page_id"), rank).subquery()
    return (
        select(model)
        .join(numbered, key.id_column == numbered.c.page_id)
        .where(numbered.c.page_rank <= bindparam("page_limit", type_=Integer))
        .order_by(numbered.c.page_rank)
    )


# First pages' statements, by the identities of what they are built from (kept with them, so an
# identity cannot be reused while its entry lives), the least recently used dropped first.
# Callers that pass the same statement object each time (a module constant, a functools.cache)
# have theirs built once; a new statement each time (one that depends on the time) passes through.
_FIRST_PAGES: OrderedDict[tuple[int, ...], tuple[object, ...]] = OrderedDict()
FIRST_PAGES_KEPT = 64


def _first_pages(
    model: type[M], statement: Select[M], parent: InstrumentedAttribute[Any], key: SortKey
) -> Select[M]:
    """``_ranked`` with no cursor, built once per statement object: building it and computing
    its cache key took about a twentieth of a center page."""
    identity = (id(model), id(statement), id(parent), id(key))
    kept = _FIRST_PAGES.get(identity)
    if kept is not None:
        _FIRST_PAGES.move_to_end(identity)
        built: Select[M] = kept[-1]  # type: ignore[assignment]
        return built
    built = _ranked(model, statement, parent, key)
    _FIRST_PAGES[identity] = (model, statement, parent, key, built)
    if len(_FIRST_PAGES) > FIRST_PAGES_KEPT:
        _FIRST_PAGES.popitem(last=False)
    return built


def _count_of(counts: _Once[dict[int, int]], parent_id: int) -> Callable[[], Awaitable[int]]:
    async def count_total() -> int:
        return (await counts()).get(parent_id, 0)

    return count_total
