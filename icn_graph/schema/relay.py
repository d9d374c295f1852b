"""Relay global IDs and the ``Node`` interface.

A global ID is ``base64url("TypeName:pk")``: opaque to clients, stable, and carrying its type,
so ``node(id)`` can find any object and a Person ID can never be mistaken for a Center ID.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import strawberry

from icn_graph import ids
from icn_graph.errors import BadInput
from icn_graph.ids import parse_global_id as parse_global_id

if TYPE_CHECKING:
    from icn_graph.schema.context import Info


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(ids.to_global_id(type_name, pk))


def expect_global_id(value: str, type_name: str, *, field: str) -> int:
    """The pk inside ``value``, which must be an ID of ``type_name``."""
    found_type, pk = parse_global_id(value, field=field)
    if found_type != type_name:
        raise BadInput(
            f"{field}: expected the ID of a {type_name}, got the ID of a {found_type}.", field=field
        )
    return pk


@strawberry.interface(description="An object with a globally unique, opaque ID.")
class Node:
    pk: strawberry.Private[int]
    type_name: ClassVar[str]

    @strawberry.field(description="Globally unique, opaque ID; pass it to `node` to refetch.")
    def id(self) -> strawberry.ID:
        return self.global_id

    @property
    def global_id(self) -> strawberry.ID:
        """The object's ``id`` (for Python code: ``id`` itself is a GraphQL field)."""
        return to_global_id(self.type_name, self.pk)


ResolveNodes = Callable[["Info", Sequence[int]], Awaitable[Sequence[Any]]]
"""A Node type's ``resolve_nodes(info, pks)`` classmethod: one object (or None) per pk."""


def node_refetcher(cls: object) -> ResolveNodes | None:
    """How ``node(id:)`` refetches objects of a plugin's ``Node`` type: its
    ``resolve_nodes`` classmethod, if it has one."""
    if not (isinstance(cls, type) and issubclass(cls, Node)):
        return None
    resolve = getattr(cls, "resolve_nodes", None)
    if not (callable(resolve) and inspect.ismethod(resolve)):
        return None
    return resolve
