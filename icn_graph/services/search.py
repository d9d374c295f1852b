"""Case-insensitive substring search that treats the user's text literally on every backend."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.orm import QueryableAttribute

from icn_graph.services.errors import BadInput

MAX_SEARCH_LENGTH = 100


def contains_any(text: str, *columns: QueryableAttribute[str]) -> ColumnElement[bool]:
    """``lower(column) LIKE '%text%'`` for any column, with ``%``, ``_`` and ``\\`` escaped."""
    term = text.strip().lower()
    if len(term) > MAX_SEARCH_LENGTH:
        raise BadInput(
            f"search must be at most {MAX_SEARCH_LENGTH} characters.", field="filter.search"
        )
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
