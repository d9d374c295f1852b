"""Variables must be text a database can store: no lone UTF-16 surrogates.

JSON lets a client send ``"\\ud800"`` on its own. It decodes to a Python ``str`` that no UTF-8
encoder accepts, so PostgreSQL or SQLite would fail on it deep inside a resolver. The GraphQL
lexer already refuses one inside a document; variables are checked here, before any resolver
runs, and the answer is BAD_USER_INPUT naming the variable and where in it the text is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from icn_graph.errors import ErrorCode

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate_at(value: object, path: str) -> tuple[str, str] | None:
    """``(path, the surrogate as U+XXXX)`` of the first text in ``value`` holding one."""
    if isinstance(value, str):
        found = _LONE_SURROGATE.search(value)
        return (path, f"U+{ord(found.group()):04X}") if found else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            hit = lone_surrogate_at(key, path) or lone_surrogate_at(item, f"{path}.{key}")
            if hit:
                return hit
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            hit = lone_surrogate_at(item, f"{path}[{index}]")
            if hit:
                return hit
    return None


def _first_invalid(variables: Mapping[str, Any] | None) -> tuple[str, str] | None:
    for name, value in (variables or {}).items():
        hit = lone_surrogate_at(name, name) or lone_surrogate_at(value, name)
        if hit:
            return hit
    return None


class ValidText(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        found = _first_invalid(self.execution_context.variables)
        if found is not None:
            path, surrogate = found
            # A result set before execution is the answer: strawberry runs no resolver.
            self.execution_context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"Variable ${path} is not valid Unicode text: it holds a lone surrogate "
                        f"({surrogate}).",
                        extensions={"code": ErrorCode.BAD_USER_INPUT.value, "field": path},
                    )
                ],
            )
        yield
