"""``any_of(column, keys)``: ``column IN keys`` with the keys as one bound value.

An ``IN (...)`` list binds one parameter per key, so every list length is a different
statement: SQLAlchemy renders the list again at each execution and PostgreSQL prepares each
length anew. Here the keys travel as one array (PostgreSQL: ``column = ANY($1::BIGINT[])``)
or one JSON text (SQLite: ``column IN (SELECT value FROM json_each(?))``), so a loader's
statement is the same for 1 key or 500: compiled once, prepared once per connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, Boolean, ColumnElement, String, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import operators
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import Grouping
from sqlalchemy.sql.operators import OperatorType
from sqlalchemy.sql.selectable import FromClause
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator, TypeEngine

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


class IntegerKeys(TypeDecorator[list[int]]):
    """A list of integer keys bound as one value: a ``BIGINT[]`` on PostgreSQL, JSON text
    elsewhere."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(BigInteger()))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: list[int] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return value
        return json.dumps(value)


class AnyOf(ColumnElement[bool]):
    """``column IN keys`` (see the module); build it with :func:`any_of`."""

    __visit_name__ = "icn_any_of"
    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("keys", InternalTraversal.dp_clauseelement),
    ]
    type = Boolean()
    _is_implicitly_boolean = True

    def __init__(self, column: ColumnElement[Any], keys: ColumnElement[Any]) -> None:
        self.column = column
        self.keys = keys

    @property
    def _from_objects(self) -> list[FromClause]:
        return self.column._from_objects

    def self_group(self, against: OperatorType | None = None) -> ColumnElement[Any]:
        if against in (None, operators.and_, operators.or_):
            return self
        return Grouping(self)


def any_of(column: Any, keys: Iterable[int]) -> AnyOf:
    """``column IN keys`` for an integer ``column`` (a mapped attribute or a column), with
    the keys bound as one value whatever their number. Keys must be ``int`` (a string or a
    float raises ``TypeError`` rather than being read as a number) within BIGINT's range."""
    return AnyOf(column.expression, bindparam(None, key_list(keys), type_=IntegerKeys()))


def any_of_keys(column: Any, name: str) -> AnyOf:
    """``any_of`` whose keys are given when the statement runs, as ``{name: key_list(keys)}``:
    a statement built once and run again skips building it and computing its cache key. Each
    ``any_of_keys`` of one statement needs a name of its own (one name binds one value)."""
    return AnyOf(column.expression, bindparam(name, type_=IntegerKeys()))


def key_list(keys: Iterable[int]) -> list[int]:
    """The keys as ``any_of`` binds them: checked, once each, in order."""
    return sorted({_key(key) for key in keys})


def _key(key: object) -> int:
    if not isinstance(key, int) or isinstance(key, bool):
        raise TypeError(f"any_of takes integer keys, not {key!r}")
    if not BIGINT_MIN <= key <= BIGINT_MAX:
        raise ValueError(f"any_of key {key} is out of BIGINT's range")
    return key


@compiles(AnyOf, "postgresql")
def _any_of_postgresql(element: AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.keys, **kw)})"


@compiles(AnyOf)
def _any_of_json_each(element: AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    keys = compiler.process(element.keys, **kw)
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({keys}))"  # noqa: S608 (compiled SQL only)
