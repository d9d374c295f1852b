"""The goals area's events: goals, their key results and check-ins.

Each carries the goal's title and owner as they were, so a notification still reads right after
the goal is renamed or archived.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from icn_graph.events.types import (
    DomainEvent,
    FieldChange,
    SubjectRef,
    event_type,
    legacy_changes,
    legacy_ref,
)
from icn_graph.models import Goal, GoalStatus, KeyResult

# Version 2: typed fields with snapshots; version 1 was the untyped dict of before.
VERSION = 2


def goal_refs(goal: Goal) -> dict[str, Any]:
    """The fields every goal event has: the goal, its title and its owner (a Center or Person)."""
    owner = (
        SubjectRef("Center", goal.center_id)
        if goal.center_id is not None
        else SubjectRef("Person", goal.person_id or 0)
    )
    return {"goal": SubjectRef("Goal", goal.id), "title": goal.title, "owner": owner}


def _goal_v1(payload: dict[str, Any], subject: SubjectRef) -> dict[str, Any]:
    return {
        "goal": legacy_ref(payload.get("goal")) or {"type": subject.type, "pk": subject.pk},
        "title": "",
        "owner": legacy_ref(payload.get("owner")) or {"type": "Center", "pk": 0},
    }


@dataclass(frozen=True, kw_only=True)
class _GoalEvent(DomainEvent):
    goal: SubjectRef
    title: str
    owner: SubjectRef

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int, subject: SubjectRef) -> dict[str, Any]:
        return _goal_v1(payload, subject) | cls.upgrade_rest(payload)

    @classmethod
    def upgrade_rest(cls, payload: dict[str, Any]) -> dict[str, Any]:
        return {}


@event_type("goal.created", subject="goal", version=VERSION)
class GoalCreated(_GoalEvent):
    """A goal was set, for a center or by a person."""

    key_results: int

    @classmethod
    def upgrade_rest(cls, payload: dict[str, Any]) -> dict[str, Any]:
        return {"key_results": int(payload.get("keyResults") or 0)}


@event_type("goal.updated", subject="goal", version=VERSION)
class GoalUpdated(_GoalEvent):
    """A goal's title, aim or dates changed (``title`` is the new title)."""

    changes: tuple[FieldChange, ...]

    @classmethod
    def upgrade_rest(cls, payload: dict[str, Any]) -> dict[str, Any]:
        return {"changes": legacy_changes(payload.get("fields"))}


@event_type("goal.archived", subject="goal", version=VERSION)
class GoalArchived(_GoalEvent):
    """A goal was hidden from default listings."""


@event_type("goal.checked_in", subject="goal", version=VERSION)
class GoalCheckedIn(_GoalEvent):
    """Someone checked in on a goal: its status, their confidence and a note."""

    check_in: SubjectRef
    status: GoalStatus
    confidence: int | None
    note: str | None

    @classmethod
    def upgrade_rest(cls, payload: dict[str, Any]) -> dict[str, Any]:
        return {
            "check_in": legacy_ref(payload.get("checkIn")) or {"type": "CheckIn", "pk": 0},
            "status": payload.get("status") or GoalStatus.ON_TRACK.value,
            "confidence": payload.get("confidence"),
            "note": None,
        }


@event_type("goal.closed", subject="goal", version=VERSION)
class GoalClosed(_GoalEvent):
    """A goal was marked DONE or DROPPED, with a closing reflection."""

    check_in: SubjectRef
    outcome: GoalStatus
    reflection: str | None

    @classmethod
    def upgrade_rest(cls, payload: dict[str, Any]) -> dict[str, Any]:
        return {
            "check_in": legacy_ref(payload.get("checkIn")) or {"type": "CheckIn", "pk": 0},
            "outcome": payload.get("outcome") or GoalStatus.DONE.value,
            "reflection": None,
        }


@dataclass(frozen=True, kw_only=True)
class _KeyResultEvent(DomainEvent):
    key_result: SubjectRef
    title: str
    goal: SubjectRef
    goal_title: str
    owner: SubjectRef

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int, subject: SubjectRef) -> dict[str, Any]:
        return {
            "key_result": {"type": subject.type, "pk": subject.pk},
            "title": "",
            "goal": legacy_ref(payload.get("goal")) or {"type": "Goal", "pk": 0},
            "goal_title": "",
            "owner": legacy_ref(payload.get("owner")) or {"type": "Center", "pk": 0},
            "changes": legacy_changes(payload.get("fields")),
        }


def key_result_refs(goal: Goal, key_result: KeyResult) -> dict[str, Any]:
    refs = goal_refs(goal)
    return {
        "key_result": SubjectRef("KeyResult", key_result.id),
        "title": key_result.title,
        "goal": refs["goal"],
        "goal_title": refs["title"],
        "owner": refs["owner"],
    }


@event_type("key_result.added", subject="key_result", version=VERSION)
class KeyResultAdded(_KeyResultEvent):
    """A key result was added to a goal."""


@event_type("key_result.updated", subject="key_result", version=VERSION)
class KeyResultUpdated(_KeyResultEvent):
    """A key result's title, unit, values or measure changed."""

    changes: tuple[FieldChange, ...]


EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    GoalCreated,
    GoalUpdated,
    GoalArchived,
    GoalCheckedIn,
    GoalClosed,
    KeyResultAdded,
    KeyResultUpdated,
)
