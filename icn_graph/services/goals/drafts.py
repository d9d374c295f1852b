"""What callers send to the goal services: drafts to create, changes to apply."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from icn_graph.models import GoalStatus
from icn_graph.services.goals.rules import Owner


@dataclass(frozen=True)
class KeyResultDraft:
    title: str
    start_value: float
    target_value: float
    current_value: float | None = None  # defaults to the start value
    unit: str | None = None
    measure_key: str | None = None  # a measure whose data gives the current value


@dataclass(frozen=True)
class GoalDraft:
    owner: Owner
    title: str
    aim: str
    starts_on: date
    due_on: date | None = None  # defaults to 90 days after the start
    confidence: int = 5
    key_results: tuple[KeyResultDraft, ...] = ()


@dataclass(frozen=True)
class GoalChanges:
    """Fields to change; ``None`` leaves a field as it is."""

    title: str | None = None
    aim: str | None = None
    starts_on: date | None = None
    due_on: date | None = None


@dataclass(frozen=True)
class KeyResultChanges:
    """Fields to change; ``None`` leaves a field as it is, an empty ``unit`` or
    ``measure_key`` clears it."""

    title: str | None = None
    start_value: float | None = None
    target_value: float | None = None
    unit: str | None = None
    measure_key: str | None = None  # an empty string unlinks the measure


@dataclass(frozen=True)
class KeyResultValue:
    key_result_id: int
    value: float


@dataclass(frozen=True)
class CheckInDraft:
    goal_id: int
    note: str
    status: GoalStatus
    confidence: int
    values: tuple[KeyResultValue, ...] = field(default=())


class GoalOutcome(enum.StrEnum):
    """How a goal closes; it becomes the goal's final status."""

    DONE = "DONE"
    DROPPED = "DROPPED"


@dataclass(frozen=True)
class CloseDraft:
    goal_id: int
    outcome: GoalOutcome
    reflection: str
