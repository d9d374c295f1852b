"""Two contributors publishing one GraphQL type name: one message naming both."""

from __future__ import annotations

import re
from collections.abc import Sequence

from strawberry.exceptions import DuplicatedTypeName

from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.schema.merge import SchemaConflict
from icn_graph.schema.ownership import owner_of

_NAME = re.compile(r"Type (?P<name>\S+) is defined multiple times")


def find_duplicated_type_name(error: BaseException) -> DuplicatedTypeName | None:
    """Strawberry's error, also when graphql-core wrapped it while resolving a type's fields."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, DuplicatedTypeName):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _described(origin: type | None) -> str:
    return f"{origin.__module__}.{origin.__qualname__}" if origin is not None else "a union"


def type_name_conflict(
    duplicate: DuplicatedTypeName, contributions: Sequence[tuple[str, SchemaContribution]]
) -> SchemaConflict:
    matched = _NAME.search(duplicate.message)
    name = matched.group("name") if matched else "?"
    first, second = duplicate.first_cls, duplicate.second_cls
    if first is None or second is None:
        return SchemaConflict(
            f"the GraphQL type name {name} is used by two different definitions; "
            "rename one (strawberry.type(name=...))"
        )
    order = [contributor for contributor, _ in contributions]
    owners = sorted(
        ((owner_of(origin, contributions), origin) for origin in (first, second)),
        key=lambda pair: order.index(pair[0]) if pair[0] in order else len(order),
    )
    (first_owner, first_origin), (second_owner, second_origin) = owners
    return SchemaConflict(
        f"the GraphQL type {name} is defined by both '{first_owner}' "
        f"({_described(first_origin)}) and '{second_owner}' ({_described(second_origin)}); "
        "rename one (strawberry.type(name=...)), or disable one of the plugins "
        "(ICN_DISABLED_PLUGINS)"
    )
