"""Creating goals, editing what they aim at, and archiving them. Goals are never deleted."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import InvalidInput, UserError, UserErrorCode
from icn_graph.events import changes_between, record
from icn_graph.models import Center, Goal, GoalStatus, KeyResult, Person
from icn_graph.services.goals import checks
from icn_graph.services.goals.drafts import GoalChanges, GoalDraft, KeyResultDraft
from icn_graph.services.goals.events import GoalArchived, GoalCreated, GoalUpdated, goal_refs
from icn_graph.services.goals.loading import goal_for_update
from icn_graph.services.goals.rules import Owner, require_editor
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer


def _clean_draft(draft: GoalDraft, measures: Collection[str]) -> GoalDraft:
    check = Checker()
    title = check.text("title", draft.title, max_length=checks.TITLE_LENGTH, label="Title")
    aim = check.text("aim", draft.aim, max_length=checks.AIM_LENGTH, label="Aim")
    due_on = checks.dates(check, draft.starts_on, draft.due_on)
    checks.confidence(check, "confidence", draft.confidence)
    checks.key_result_room(check, "keyResults", 0, len(draft.key_results))
    key_results = tuple(
        checks.key_result(check, f"keyResults[{index}].", key_result, measures)
        for index, key_result in enumerate(draft.key_results)
    )
    check.raise_if_any()
    return replace(draft, title=title, aim=aim, due_on=due_on, key_results=key_results)


async def _require_owner(session: AsyncSession, owner: Owner) -> None:
    if owner.center_id is not None:
        found = await session.get(Center, owner.center_id) is not None
    else:
        found = await session.get(Person, owner.person_id) is not None
    if not found:
        raise InvalidInput(
            [UserError("ownerId", "No center or person has that id.", UserErrorCode.NOT_FOUND)]
        )


def new_key_result(goal_id: int, position: int, draft: KeyResultDraft) -> KeyResult:
    """A key result from a checked draft (its current value defaults to the start value)."""
    current = draft.current_value if draft.current_value is not None else draft.start_value
    return KeyResult(
        goal_id=goal_id,
        position=position,
        title=draft.title,
        unit=draft.unit,
        start_value=draft.start_value,
        target_value=draft.target_value,
        current_value=current,
        measure_key=draft.measure_key,
    )


async def create_goal(
    db: Database, viewer: Viewer, draft: GoalDraft, *, measures: Collection[str] = ()
) -> Goal:
    """A new goal for a center (by its team or staff) or a person (by them or staff).

    ``measures``: the measure keys a key result may link to (``MeasureRegistry.keys()``).
    """
    require_editor(viewer, draft.owner)
    cleaned = _clean_draft(draft, measures)
    async with db.transaction() as session:
        return await _insert_goal(session, viewer, draft, cleaned)


async def create_goal_in(
    session: AsyncSession, viewer: Viewer, draft: GoalDraft, *, measures: Collection[str] = ()
) -> Goal:
    """:func:`create_goal` in the caller's transaction (a plugin linking the goal to its own
    rows): the same rules (its owner's editors only, ``Forbidden``; the fields' checks,
    ``InvalidInput``), raised before anything is written; records ``goal.created``."""
    require_editor(viewer, draft.owner)
    cleaned = _clean_draft(draft, measures)
    return await _insert_goal(session, viewer, draft, cleaned)


async def _insert_goal(
    session: AsyncSession, viewer: Viewer, draft: GoalDraft, cleaned: GoalDraft
) -> Goal:
    person_id = viewer.require_member()
    assert cleaned.due_on is not None
    await _require_owner(session, draft.owner)
    goal = Goal(
        center_id=draft.owner.center_id,
        person_id=draft.owner.person_id,
        title=cleaned.title,
        aim=cleaned.aim,
        starts_on=cleaned.starts_on,
        due_on=cleaned.due_on,
        status=GoalStatus.ON_TRACK,
        confidence=cleaned.confidence,
        created_by_id=person_id,
        updated_by_id=person_id,
    )
    session.add(goal)
    await session.flush()
    session.add_all(
        new_key_result(goal.id, position, key_result)
        for position, key_result in enumerate(cleaned.key_results)
    )
    record(
        session,
        GoalCreated(**goal_refs(goal), key_results=len(cleaned.key_results)),
        actor_id=person_id,
    )
    return goal


# Field names as the API spells them (and events report them) -> columns.
_COLUMNS = {"title": "title", "aim": "aim", "startsOn": "starts_on", "dueOn": "due_on"}


async def update_goal(db: Database, viewer: Viewer, goal_id: int, changes: GoalChanges) -> Goal:
    """Change a goal's title, aim or dates. Status and confidence change through check-ins."""
    viewer.require_member()
    async with db.transaction() as session:
        goal = await goal_for_update(session, goal_id)
        person_id = require_editor(viewer, Owner.of(goal))
        checks.require_open(goal)
        check = Checker()
        title = goal.title
        if changes.title is not None:
            title = check.text(
                "title", changes.title, max_length=checks.TITLE_LENGTH, label="Title"
            )
        aim = goal.aim
        if changes.aim is not None:
            aim = check.text("aim", changes.aim, max_length=checks.AIM_LENGTH, label="Aim")
        starts_on = changes.starts_on if changes.starts_on is not None else goal.starts_on
        due_on = checks.dates(
            check, starts_on, changes.due_on if changes.due_on is not None else goal.due_on
        )
        check.raise_if_any()
        new = {"title": title, "aim": aim, "startsOn": starts_on, "dueOn": due_on}
        old = {name: getattr(goal, column) for name, column in _COLUMNS.items()}
        changed = changes_between(old, new)
        if not changed:
            return goal  # nothing to record
        for change in changed:
            setattr(goal, _COLUMNS[change.field], new[change.field])
        goal.updated_by_id = person_id
        record(session, GoalUpdated(**goal_refs(goal), changes=changed), actor_id=person_id)
    return goal


async def archive_goal(db: Database, viewer: Viewer, goal_id: int) -> Goal:
    """Hide a goal from default listings; it stays readable with ``includeArchived``."""
    viewer.require_member()
    async with db.transaction() as session:
        goal = await goal_for_update(session, goal_id)
        person_id = require_editor(viewer, Owner.of(goal))
        if goal.archived_at is not None:
            raise InvalidInput(
                [UserError("id", "This goal is already archived.", UserErrorCode.INVALID)]
            )
        goal.archived_at = utcnow()
        goal.updated_by_id = person_id
        record(session, GoalArchived(**goal_refs(goal)), actor_id=person_id)
    return goal
