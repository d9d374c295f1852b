"""GraphQL enums from Python enums, with a description for the enum and for each value.

The Python enums live with the models and services, which never import Strawberry, so the
values' descriptions are given here, where the enum is registered with Strawberry.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=Enum)


def described_enum(
    enum: type[E], *, name: str, description: str, values: Mapping[E, str]
) -> type[E]:
    """Register ``enum`` as the GraphQL enum ``name``; ``values`` describes every member
    (one left out, or one of another enum, is an error at import)."""
    members = list(enum)
    missing = [member.name for member in members if member not in values]
    foreign = [repr(value) for value in values if not any(value is member for member in members)]
    if missing or foreign:
        raise ValueError(
            f"the GraphQL enum {name} needs a description for each of its values: "
            f"missing {missing or 'none'}, not its own {foreign or 'none'}"
        )
    strawberry.enum(enum, name=name, description=description)
    definition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    for value in definition.values:
        value.description = values[enum(value.value)]
    return enum
