"""Goals in the schema: types, the ``goals`` listing and the goal mutations."""

from icn_graph.schema.goals.mutations import GoalMutations
from icn_graph.schema.goals.nodes import GOAL_FETCHERS
from icn_graph.schema.goals.queries import center_goals, person_goals, resolve_goals
from icn_graph.schema.goals.types import CheckIn, Goal, KeyResult, load_goal

__all__ = [
    "GOAL_FETCHERS",
    "CheckIn",
    "Goal",
    "GoalMutations",
    "KeyResult",
    "center_goals",
    "load_goal",
    "person_goals",
    "resolve_goals",
]
