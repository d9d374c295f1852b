"""Merging the root types contributed by core and plugins into one schema's roots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import strawberry

from icn_graph.errors import SchemaConflict
from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.schema.descriptions import ROOT_DESCRIPTIONS

__all__ = ["Roots", "SchemaConflict", "merge_roots"]


@dataclass(frozen=True)
class Roots:
    query: type
    mutation: type | None
    subscription: type | None
    types: tuple[type, ...]


def _field_names(root_type: type) -> list[str]:
    definition = getattr(root_type, "__strawberry_definition__", None)
    if definition is None:
        raise SchemaConflict(f"{root_type.__name__} is not a @strawberry.type")
    return [field.name for field in definition.fields]


def _merge(root: str, parts: list[tuple[str, type]]) -> type | None:
    if not parts:
        return None
    owners: dict[str, str] = {}
    for contributor, root_type in parts:
        for name in _field_names(root_type):
            if name in owners:
                raise SchemaConflict(
                    f"{root}.{name} is defined by both '{owners[name]}' and '{contributor}'; "
                    "rename one, or disable one of the plugins (ICN_DISABLED_PLUGINS)"
                )
            owners[name] = contributor
    if len(parts) == 1:
        return parts[0][1]
    merged = type(root, tuple(root_type for _, root_type in parts), {})
    return strawberry.type(merged, description=ROOT_DESCRIPTIONS[root])


def merge_roots(contributions: Sequence[tuple[str, SchemaContribution]]) -> Roots:
    query = _merge("Query", [(name, c.query) for name, c in contributions if c.query])
    if query is None:
        raise SchemaConflict("no contributor defines any Query field")
    return Roots(
        query=query,
        mutation=_merge(
            "Mutation", [(name, c.mutation) for name, c in contributions if c.mutation]
        ),
        subscription=_merge(
            "Subscription", [(name, c.subscription) for name, c in contributions if c.subscription]
        ),
        types=tuple(extra for _, c in contributions for extra in c.types),
    )
