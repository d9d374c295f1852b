"""Which plugin a resolver error belongs to, so the log names it."""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass

from graphql import GraphQLError

from icn_graph.plugins.contributions import SchemaContribution


@dataclass(frozen=True)
class ErrorOwners:
    """Contributors by the modules that define their GraphQL types, and by their root fields.

    An error's owner is the contributor of the innermost frame of its traceback that runs in a
    contributor's module (or, failing that, in the top-level package only one contributor uses:
    a plugin's service module); failing both, the contributor of the root field it came through.
    """

    modules: dict[str, str]
    packages: dict[str, str]
    root_fields: dict[str, str]

    @classmethod
    def of(
        cls, contributions: Sequence[tuple[str, SchemaContribution]], root_fields: dict[str, str]
    ) -> ErrorOwners:
        modules: dict[str, str] = {}
        users: dict[str, set[str]] = {}
        for plugin, contribution in contributions:
            for defined in _types(contribution):
                modules.setdefault(defined.__module__, plugin)
                users.setdefault(defined.__module__.split(".")[0], set()).add(plugin)
        packages = {name: next(iter(found)) for name, found in users.items() if len(found) == 1}
        return cls(modules, packages, root_fields)

    def owner_of(self, error: GraphQLError) -> str | None:
        original = error.original_error
        frames = traceback.walk_tb(original.__traceback__) if original else iter(())
        names = [str(frame.f_globals.get("__name__", "")) for frame, _line in frames]
        for name in reversed(names):
            if name in self.modules:
                return self.modules[name]
            if name.split(".")[0] in self.packages:
                return self.packages[name.split(".")[0]]
        root = error.path[0] if error.path else None
        return self.root_fields.get(root) if isinstance(root, str) else None


def _types(contribution: SchemaContribution) -> list[type]:
    """Every class a contributor defines fields in: roots, extra types, and extensions of
    existing types (a plugin that only adds ``Goal.kudosCount`` owns its resolvers)."""
    roots = (contribution.query, contribution.mutation, contribution.subscription)
    return [
        *(root for root in roots if root is not None),
        *contribution.types,
        *contribution.extend.values(),
    ]
