"""Keyset pagination: ``ORDER BY key, id`` then ``WHERE (key, id) > after``; never OFFSET."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import QueryableAttribute

from icn_graph.db.database import Database
from icn_graph.db.plain_rows import named_rows
from icn_graph.errors import BadInput
from icn_graph.ids import MAX_ROW_ID

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class SortKey:
    """One way to order a listing: a column, its direction, and how to read it off a row."""

    name: str
    column: QueryableAttribute[Any]
    id_column: QueryableAttribute[int]
    read: Callable[[Any], Any]
    descending: bool = False


class LazyCursor:
    """A row's cursor, encoded only when read: most pages are asked for ``nodes``, and a
    cursor's JSON and base64 were a fifth of what a page of plain rows cost."""

    __slots__ = ("_key", "_row")

    def __init__(self, key: SortKey, row: Any) -> None:
        self._key = key
        self._row = row

    def __str__(self) -> str:
        return encode_cursor(self._key, self._row)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing, each item with its cursor; the total is counted only when asked.
    A cursor is text, or a :class:`LazyCursor` (``str()`` of it is the text)."""

    items: list[tuple[str | LazyCursor, T]]
    has_next_page: bool
    has_previous_page: bool
    count_total: Callable[[], Awaitable[int]]


def check_page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0 or first > MAX_PAGE_SIZE:
        raise BadInput(f"first must be between 0 and {MAX_PAGE_SIZE}, got {first}.", field="first")
    return first


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def text_value(value: Any) -> str:
    """A text sort value read from a cursor; anything else means the cursor is not ours."""
    if not isinstance(value, str) or "\x00" in value:
        raise TypeError("the sort value is not text")
    return value


def aware_datetime(value: Any) -> datetime:
    """A timestamp sort value read from a cursor: ISO 8601 with its offset, as we write them."""
    parsed = datetime.fromisoformat(value)  # TypeError if not text, ValueError if not ISO 8601
    if parsed.tzinfo is None:
        raise ValueError("the timestamp has no UTC offset")
    return parsed


def _ordering(key: SortKey) -> str:
    """What a cursor records of its ordering: the key and, when descending, the direction."""
    return f"{key.name}:desc" if key.descending else key.name


def encode_cursor(key: SortKey, row: Any) -> str:
    payload = json.dumps(
        [_ordering(key), _encode_value(key.read(row)), row.id], separators=(",", ":")
    )
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(key: SortKey, cursor: str, sample: Callable[[Any], Any]) -> tuple[Any, int]:
    """The (sort value, id) inside ``cursor``; BAD_USER_INPUT naming ``after`` if it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, value, row_id = json.loads(raw)
        if not isinstance(row_id, int) or isinstance(row_id, bool):
            raise ValueError("id is not an integer")
        if not 0 <= row_id <= MAX_ROW_ID:
            raise ValueError("id is out of range")
        if name != _ordering(key):
            raise BadInput(
                "after: this cursor belongs to another ordering; keep the order "
                "(orderBy, order) the same while paging.",
                field="after",
            )
        return sample(value), row_id
    except BadInput:
        raise
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise BadInput("after: not a valid cursor.", field="after") from error


async def paginate(
    db: Database,
    statement: Select[T],
    key: SortKey,
    *,
    first: int | None,
    after: str | None,
    parse_value: Callable[[Any], Any] = text_value,
    plain_rows: bool = False,
) -> Page[T]:
    """Run ``statement`` (filters applied, no ordering) as one keyset page.

    ``plain_rows``: for ``select(Model)`` whose readers only read columns, the rows come as
    named tuples of the model's table (attributes named as its columns, values converted the
    same way; :mod:`icn_graph.db.plain_rows`) instead of ORM objects: no identity map, no
    instance state, a third of the cost per row on long pages. They cannot be changed or
    lazy-load anything.
    """
    size = check_page_size(first)
    filtered = statement

    async def count_total() -> int:
        counted = select(func.count()).select_from(filtered.order_by(None).subquery())
        async with db.reading() as connection:
            return int((await connection.execute(counted)).scalar_one())

    if after is not None:
        value, row_id = decode_cursor(key, after, parse_value)
        statement = statement.where(after_condition(key, value, row_id))
    order = (
        (key.column.desc(), key.id_column.desc()) if key.descending else (key.column, key.id_column)
    )
    statement = statement.order_by(*order).limit(size + 1)
    if plain_rows:
        table = statement.column_descriptions[0]["entity"].__table__
        plain = statement.with_only_columns(*table.columns)
        # No session: the ORM's result machinery is not needed either.
        async with db.reading() as connection:
            rows = cast("Sequence[T]", named_rows(table, await connection.execute(plain)))
    else:
        async with db.session() as session:
            rows = (await session.scalars(statement)).all()
    items: list[tuple[str | LazyCursor, T]] = [(LazyCursor(key, row), row) for row in rows[:size]]
    return Page(
        items=items,
        has_next_page=len(rows) > size,
        has_previous_page=after is not None,
        count_total=count_total,
    )


def after_condition(key: SortKey, value: Any, row_id: int) -> ColumnElement[bool]:
    """Rows after ``(value, row_id)`` in ``key``'s order."""
    # Spelled out rather than as a row-value comparison so every backend can use the index.
    if key.descending:
        return or_(key.column < value, and_(key.column == value, key.id_column < row_id))
    return or_(key.column > value, and_(key.column == value, key.id_column > row_id))
