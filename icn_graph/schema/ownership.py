"""Which contributor a GraphQL type belongs to, so start-up errors can name plugins.

Used only when something is wrong (a duplicated type name, a field clash): it walks every type
reachable from each contribution, which a healthy start-up never needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from strawberry.types.base import (
    StrawberryContainer,
    StrawberryObjectDefinition,
    get_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.lazy_type import LazyType
from strawberry.types.private import is_private
from strawberry.types.union import StrawberryUnion

from icn_graph.plugins.contributions import SchemaContribution


def _contributed(contribution: SchemaContribution) -> list[type]:
    roots = [contribution.query, contribution.mutation, contribution.subscription]
    return [root for root in roots if root is not None] + [
        *contribution.types,
        *contribution.extend.values(),
    ]


def _origin(value: object) -> object | None:
    """The class (or enum) a strawberry type annotation stands for, unwrapped."""
    while True:
        if isinstance(value, StrawberryContainer):
            value = value.of_type
        elif isinstance(value, LazyType):
            value = value.resolve_type()
        else:
            return value


def reachable(roots: Iterable[object]) -> set[object]:
    """Every class and enum reachable from ``roots`` through fields, arguments, interfaces
    and unions."""
    seen: set[object] = set()
    pending = list(roots)
    while pending:
        value = _origin(pending.pop())
        if isinstance(value, StrawberryUnion):
            pending.extend(value.types)
            continue
        if isinstance(value, StrawberryEnumDefinition):
            seen.add(value.wrapped_cls)
            continue
        definition = get_object_definition(value) if isinstance(value, type) else None
        if definition is None or value in seen:
            continue
        seen.add(value)
        pending.extend(_references(definition))
    return seen


def _references(definition: StrawberryObjectDefinition) -> list[object]:
    found: list[object] = [interface.origin for interface in definition.interfaces]
    for field in definition.fields:
        field_type = field.type
        if is_private(field_type):
            continue
        found.append(field_type)
        found.extend(argument.type for argument in field.arguments)
    return found


def _closeness(left: str, right: str) -> tuple[int, int]:
    """How near two modules are: the shared dotted prefix, then the shared names at all
    (``icn_graph.models.goals`` is nearer ``icn_graph.schema.goals.queries`` than
    ``icn_graph.schema.centers``)."""
    a, b = left.split("."), right.split(".")
    prefix = 0
    for mine, theirs in zip(a, b, strict=False):
        if mine != theirs:
            break
        prefix += 1
    return prefix, len(set(a) & set(b))


def owner_of(origin: object, contributions: Sequence[tuple[str, SchemaContribution]]) -> str:
    """The contributor that defines ``origin``: of those whose types reach it, the one whose
    own classes live nearest to it (``core.goals`` for core's ``Goal``, not ``core.directory``
    whose ``Center.goals`` also reaches it); the first registered on a tie."""
    module = getattr(origin, "__module__", "")
    best: tuple[tuple[int, int], str] | None = None
    for name, contribution in contributions:
        contributed = _contributed(contribution)
        if origin not in contributed and origin not in reachable(contributed):
            continue
        closeness = max((_closeness(module, c.__module__) for c in contributed), default=(0, 0))
        if best is None or closeness > best[0]:
            best = (closeness, name)
    return best[1] if best else f"unknown contributor ({module})"
