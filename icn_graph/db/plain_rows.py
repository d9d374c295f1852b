"""Rows of one table as named tuples: what a long listing's readers read, cheaply.

A SQLAlchemy ``Row`` finds an attribute by name through its result's key map (about 0.3 µs a
read); a named tuple reads it by a fixed position (about 0.03 µs). A page of a hundred people
whose eleven columns are each read once paid a third of a millisecond for those lookups alone.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import Table


@cache
def plain_row_type(table: Table) -> type[tuple[Any, ...]]:
    """A named tuple of ``table``'s columns, by their keys, in the table's order."""
    return namedtuple(f"{table.name}_row", [column.key for column in table.columns])


def named_rows(table: Table, rows: Iterable[Any]) -> list[Any]:
    """``rows`` (each with ``table``'s columns, in its order) as :func:`plain_row_type` tuples."""
    row_type = plain_row_type(table)
    make = tuple.__new__
    return [make(row_type, row) for row in rows]
