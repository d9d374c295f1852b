"""Check-ins: the goal's history. Each one moves the goal's status, confidence and key-result
values in the same transaction; closing a goal records its reflection as a final check-in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import UserErrorCode
from icn_graph.events import SubjectRef, record
from icn_graph.models import CheckIn, CheckInValue, Goal, GoalStatus, KeyResult
from icn_graph.models.goals import OPEN_STATUSES
from icn_graph.services.goals import checks
from icn_graph.services.goals.drafts import CheckInDraft, CloseDraft, KeyResultValue
from icn_graph.services.goals.events import GoalCheckedIn, GoalClosed, goal_refs
from icn_graph.services.goals.loading import goal_for_update, key_results_of
from icn_graph.services.goals.rules import Owner, require_editor
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer


@dataclass(frozen=True)
class CheckInResult:
    goal: Goal
    check_in: CheckIn


async def _check_values(
    session: AsyncSession,
    check: Checker,
    key_results: list[KeyResult],
    values: tuple[KeyResultValue, ...],
) -> dict[int, float]:
    """The new value of each key result named in ``values``; each must be one of the goal's."""
    own = {key_result.id for key_result in key_results}
    strangers = {value.key_result_id for value in values} - own
    existing: set[int] = set()
    if strangers:
        existing = set(
            await session.scalars(select(KeyResult.id).where(KeyResult.id.in_(strangers)))
        )
    found: dict[int, float] = {}
    for index, value in enumerate(values):
        prefix = f"keyResultValues[{index}]"
        if value.key_result_id in existing:
            check.add(f"{prefix}.keyResultId", "This key result belongs to another goal.")
        elif value.key_result_id not in own:
            check.add(
                f"{prefix}.keyResultId", "No key result has that id.", UserErrorCode.NOT_FOUND
            )
        elif value.key_result_id in found:
            check.add(f"{prefix}.keyResultId", "This key result is given more than once.")
        else:
            found[value.key_result_id] = checks.number(
                check, f"{prefix}.value", value.value, "Value"
            )
    return found


async def _record(
    session: AsyncSession,
    goal: Goal,
    key_results: list[KeyResult],
    *,
    author_id: int,
    note: str,
    status: GoalStatus,
    confidence: int,
) -> CheckIn:
    """Write the check-in with every key result's value as it now stands."""
    check_in = CheckIn(
        goal_id=goal.id,
        author_id=author_id,
        note=note,
        status=status,
        confidence=confidence,
        created_at=utcnow(),
    )
    session.add(check_in)
    goal.status = status
    goal.confidence = confidence
    goal.updated_by_id = author_id
    await session.flush()
    session.add_all(
        CheckInValue(
            check_in_id=check_in.id, key_result_id=key_result.id, value=key_result.current_value
        )
        for key_result in key_results
    )
    return check_in


async def check_in_goal(db: Database, viewer: Viewer, draft: CheckInDraft) -> CheckInResult:
    viewer.require_member()
    async with db.transaction() as session:
        goal = await goal_for_update(session, draft.goal_id)
        person_id = require_editor(viewer, Owner.of(goal))
        checks.require_open(goal)
        key_results = await key_results_of(session, goal.id)
        check = Checker()
        note = check.text("note", draft.note, max_length=checks.NOTE_LENGTH, label="Note")
        if draft.status not in OPEN_STATUSES:
            check.add(
                "status",
                f"A check-in's status is ON_TRACK, AT_RISK or OFF_TRACK; to mark the goal "
                f"{draft.status.value}, use closeGoal.",
            )
        checks.confidence(check, "confidence", draft.confidence)
        new_values = await _check_values(session, check, key_results, draft.values)
        check.raise_if_any()
        for key_result in key_results:
            if key_result.id in new_values:
                key_result.current_value = new_values[key_result.id]
        check_in = await _record(
            session,
            goal,
            key_results,
            author_id=person_id,
            note=note,
            status=draft.status,
            confidence=draft.confidence,
        )
        checked_in = GoalCheckedIn(
            **goal_refs(goal),
            check_in=SubjectRef("CheckIn", check_in.id),
            status=draft.status,
            confidence=draft.confidence,
            note=note or None,
        )
        record(session, checked_in, actor_id=person_id)
    return CheckInResult(goal=goal, check_in=check_in)


async def close_goal(db: Database, viewer: Viewer, draft: CloseDraft) -> CheckInResult:
    """Mark a goal DONE or DROPPED; the reflection becomes its final check-in."""
    viewer.require_member()
    async with db.transaction() as session:
        goal = await goal_for_update(session, draft.goal_id)
        person_id = require_editor(viewer, Owner.of(goal))
        checks.require_open(goal)
        check = Checker()
        reflection = check.text(
            "reflection", draft.reflection, max_length=checks.NOTE_LENGTH, label="Reflection"
        )
        check.raise_if_any()
        key_results = await key_results_of(session, goal.id)
        check_in = await _record(
            session,
            goal,
            key_results,
            author_id=person_id,
            note=reflection,
            status=GoalStatus(draft.outcome.value),
            confidence=goal.confidence,
        )
        goal.closed_at = check_in.created_at
        closed = GoalClosed(
            **goal_refs(goal),
            check_in=SubjectRef("CheckIn", check_in.id),
            outcome=GoalStatus(draft.outcome.value),
            reflection=reflection or None,
        )
        record(session, closed, actor_id=person_id)
    return CheckInResult(goal=goal, check_in=check_in)
