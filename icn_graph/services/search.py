"""Case-insensitive substring search that treats the user's text literally on every backend."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.orm import QueryableAttribute

from icn_graph.errors import BadInput

MAX_SEARCH_LENGTH = 100


def filter_text(text: str, *, field: str) -> str:
    """``text`` trimmed, for comparing with a column; BAD_USER_INPUT naming ``field`` if it holds
    a NUL character, which no stored value has and PostgreSQL refuses to compare."""
    if "\x00" in text:
        raise BadInput(f"{field} must not contain NUL characters.", field=field)
    return text.strip()


def contains_any(text: str, *columns: QueryableAttribute[str]) -> ColumnElement[bool]:
    """``lower(column) LIKE '%text%'`` for any column, with ``%``, ``_`` and ``\\`` escaped."""
    term = filter_text(text, field="filter.search").lower()
    if len(term) > MAX_SEARCH_LENGTH:
        raise BadInput(
            f"search must be at most {MAX_SEARCH_LENGTH} characters.", field="filter.search"
        )
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
