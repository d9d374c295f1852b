"""90-day goals: the rules for creating, editing, checking in on and reading them."""

from icn_graph.services.goals.check_ins import CheckInResult, check_in_goal, close_goal
from icn_graph.services.goals.drafts import (
    CheckInDraft,
    CloseDraft,
    GoalChanges,
    GoalDraft,
    GoalOutcome,
    KeyResultChanges,
    KeyResultDraft,
    KeyResultValue,
)
from icn_graph.services.goals.goals import archive_goal, create_goal, update_goal
from icn_graph.services.goals.key_results import (
    KeyResultChange,
    add_key_result,
    update_key_result,
)
from icn_graph.services.goals.progress import (
    Measured,
    MeasureLink,
    MeasureReading,
    MeasureSource,
    current_value,
    goal_progress,
    key_result_progress,
    measure_readings,
    progress_percent,
    visible_percent,
)
from icn_graph.services.goals.queries import (
    GoalFilter,
    GoalOrderField,
    OwnerGoalsRequest,
    center_goal_pages,
    check_in_pages,
    key_results_by_goal,
    list_goals,
    person_goal_pages,
    values_by_check_in,
)
from icn_graph.services.goals.rules import Owner, may_check_in, may_edit, require_editor
from icn_graph.services.goals.windows import PageRequest

__all__ = [
    "CheckInDraft",
    "CheckInResult",
    "CloseDraft",
    "GoalChanges",
    "GoalDraft",
    "GoalFilter",
    "GoalOrderField",
    "GoalOutcome",
    "KeyResultChange",
    "KeyResultChanges",
    "KeyResultDraft",
    "KeyResultValue",
    "MeasureLink",
    "MeasureReading",
    "MeasureSource",
    "Measured",
    "Owner",
    "OwnerGoalsRequest",
    "PageRequest",
    "add_key_result",
    "archive_goal",
    "center_goal_pages",
    "check_in_goal",
    "check_in_pages",
    "close_goal",
    "create_goal",
    "current_value",
    "goal_progress",
    "key_result_progress",
    "key_results_by_goal",
    "list_goals",
    "may_check_in",
    "may_edit",
    "measure_readings",
    "person_goal_pages",
    "progress_percent",
    "require_editor",
    "update_goal",
    "update_key_result",
    "values_by_check_in",
    "visible_percent",
]
