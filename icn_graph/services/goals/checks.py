"""Field checks for goals, key results and check-ins; every problem is collected at once."""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import date, timedelta

from icn_graph.errors import InvalidInput, UserError, UserErrorCode
from icn_graph.models import Goal
from icn_graph.services.goals.drafts import KeyResultDraft
from icn_graph.services.goals.rules import is_open
from icn_graph.services.validation import Checker

DEFAULT_LENGTH = timedelta(days=90)
MAX_LENGTH = timedelta(days=366)
MAX_KEY_RESULTS = 10
TITLE_LENGTH = 200
AIM_LENGTH = 2000
NOTE_LENGTH = 5000
UNIT_LENGTH = 32


def confidence(check: Checker, field: str, value: int) -> None:
    if not 1 <= value <= 10:
        check.add(field, f"Confidence must be from 1 to 10 (got {value}).")


def number(check: Checker, field: str, value: float, label: str) -> float:
    if not math.isfinite(value):
        check.add(field, f"{label} must be a finite number.")
    return value


def dates(check: Checker, starts_on: date, due_on: date | None) -> date:
    """The due date, defaulting to 90 days after the start; it must come after the start."""
    due = due_on if due_on is not None else starts_on + DEFAULT_LENGTH
    if due <= starts_on:
        check.add("dueOn", f"The due date ({due}) must be after the start date ({starts_on}).")
    elif due - starts_on > MAX_LENGTH:
        check.add("dueOn", f"A goal lasts at most {MAX_LENGTH.days} days from its start.")
    return due


def unit(check: Checker, field: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return check.text(field, value, max_length=UNIT_LENGTH, label="Unit")


def measure_key(
    check: Checker, field: str, value: str | None, known: Collection[str]
) -> str | None:
    """A measure key that exists (see ``MeasureRegistry``), or ``None`` for no link."""
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    if cleaned not in known:
        listed = ", ".join(sorted(known)) or "none"
        check.add(field, f"Unknown measure '{cleaned[:64]}'; known measures: {listed}.")
    return cleaned


def key_result(
    check: Checker, prefix: str, draft: KeyResultDraft, measures: Collection[str] = ()
) -> KeyResultDraft:
    start = number(check, f"{prefix}startValue", draft.start_value, "Start value")
    target = number(check, f"{prefix}targetValue", draft.target_value, "Target value")
    current = start
    if draft.current_value is not None:
        current = number(check, f"{prefix}currentValue", draft.current_value, "Current value")
    return KeyResultDraft(
        title=check.text(f"{prefix}title", draft.title, max_length=TITLE_LENGTH, label="Title"),
        start_value=start,
        target_value=target,
        current_value=current,
        unit=unit(check, f"{prefix}unit", draft.unit),
        measure_key=measure_key(check, f"{prefix}measureKey", draft.measure_key, measures),
    )


def key_result_room(check: Checker, field: str, existing: int, adding: int) -> None:
    if existing + adding > MAX_KEY_RESULTS:
        check.add(field, f"A goal has at most {MAX_KEY_RESULTS} key results.")


def require_open(goal: Goal, *, field: str = "id") -> None:
    """Refuse changes to an archived or closed goal: both are read-only history."""
    if is_open(goal.status, goal.archived_at):
        return
    if goal.archived_at is not None:
        message = "This goal is archived; archived goals are read-only."
    else:
        message = (
            f"This goal is closed ({goal.status.value}); a closed goal takes no more changes "
            "or check-ins."
        )
    raise InvalidInput([UserError(field, message, UserErrorCode.INVALID)])
