"""Adding and editing a goal's key results. Their current values move through check-ins."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from icn_graph.db.database import Database
from icn_graph.events import changes_between, record
from icn_graph.models import Goal, KeyResult
from icn_graph.services.goals import checks
from icn_graph.services.goals.drafts import KeyResultChanges, KeyResultDraft
from icn_graph.services.goals.events import KeyResultAdded, KeyResultUpdated, key_result_refs
from icn_graph.services.goals.goals import new_key_result
from icn_graph.services.goals.loading import (
    goal_for_update,
    key_result_by_id,
    key_results_of,
)
from icn_graph.services.goals.rules import Owner, require_editor
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer

# Field names as the API spells them (and events report them) -> columns.
_COLUMNS = {
    "title": "title",
    "unit": "unit",
    "startValue": "start_value",
    "targetValue": "target_value",
    "measureKey": "measure_key",
}


@dataclass(frozen=True)
class KeyResultChange:
    goal: Goal
    key_result: KeyResult


async def add_key_result(
    db: Database,
    viewer: Viewer,
    goal_id: int,
    draft: KeyResultDraft,
    *,
    measures: Collection[str] = (),
) -> KeyResultChange:
    """``measures``: the measure keys a key result may link to (``MeasureRegistry.keys()``)."""
    viewer.require_member()
    async with db.transaction() as session:
        goal = await goal_for_update(session, goal_id, field="goalId")
        person_id = require_editor(viewer, Owner.of(goal))
        checks.require_open(goal, field="goalId")
        existing = await key_results_of(session, goal.id)
        check = Checker()
        checks.key_result_room(check, "goalId", len(existing), 1)
        cleaned = checks.key_result(check, "", draft, measures)
        check.raise_if_any()
        position = max((row.position for row in existing), default=-1) + 1
        key_result = new_key_result(goal.id, position, cleaned)
        session.add(key_result)
        goal.updated_by_id = person_id
        await session.flush()
        record(session, KeyResultAdded(**key_result_refs(goal, key_result)), actor_id=person_id)
    return KeyResultChange(goal=goal, key_result=key_result)


async def update_key_result(
    db: Database,
    viewer: Viewer,
    key_result_id: int,
    changes: KeyResultChanges,
    *,
    measures: Collection[str] = (),
) -> KeyResultChange:
    """Change a key result's title, unit, start, target or measure; not its current value."""
    viewer.require_member()
    async with db.transaction() as session:
        key_result = await key_result_by_id(session, key_result_id)
        # Writers lock the goal before its key results, so read the key result again once its
        # goal is locked.
        goal = await goal_for_update(session, key_result.goal_id, field="id")
        await session.refresh(key_result, with_for_update=True)
        person_id = require_editor(viewer, Owner.of(goal))
        checks.require_open(goal)
        merged = KeyResultDraft(
            title=changes.title if changes.title is not None else key_result.title,
            start_value=(
                changes.start_value if changes.start_value is not None else key_result.start_value
            ),
            target_value=(
                changes.target_value
                if changes.target_value is not None
                else key_result.target_value
            ),
            current_value=key_result.current_value,
            unit=changes.unit if changes.unit is not None else key_result.unit,
            measure_key=(
                changes.measure_key if changes.measure_key is not None else key_result.measure_key
            ),
        )
        check = Checker()
        known = {*measures, *([key_result.measure_key] if key_result.measure_key else [])}
        cleaned = checks.key_result(check, "", merged, known)
        check.raise_if_any()
        new = {
            "title": cleaned.title,
            "unit": cleaned.unit,
            "startValue": cleaned.start_value,
            "targetValue": cleaned.target_value,
            "measureKey": cleaned.measure_key,
        }
        old = {name: getattr(key_result, column) for name, column in _COLUMNS.items()}
        changed = changes_between(old, new)
        if not changed:
            return KeyResultChange(goal=goal, key_result=key_result)  # nothing to record
        for change in changed:
            setattr(key_result, _COLUMNS[change.field], new[change.field])
        goal.updated_by_id = person_id
        updated = KeyResultUpdated(**key_result_refs(goal, key_result), changes=changed)
        record(session, updated, actor_id=person_id)
    return KeyResultChange(goal=goal, key_result=key_result)
