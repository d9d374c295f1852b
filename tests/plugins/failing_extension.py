"""A plugin that only extends a core type, with a field whose resolver fails (its own module, so
the log can tell it from the test that uses it)."""

from __future__ import annotations

import strawberry

from icn_graph.plugin_api import GoalType, SchemaContribution, hookimpl


def _lookup_streak(goal_pk: int) -> int:
    raise RuntimeError(f"the streak service is down (goal {goal_pk})")


@strawberry.type
class GoalStreak:
    @strawberry.field
    def streak(self, root: GoalType) -> int | None:
        return _lookup_streak(root.pk)


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(extend={"Goal": GoalStreak})
