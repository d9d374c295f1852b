"""Goal mutations: each returns a payload with the changed objects and ``userErrors``."""

from __future__ import annotations

from datetime import date

import strawberry

from icn_graph import models
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import USER_ERRORS_DESCRIPTION, InputArgument
from icn_graph.schema.goals import loaders
from icn_graph.schema.goals.queries import decode_owner
from icn_graph.schema.goals.types import CheckIn, Goal, KeyResult
from icn_graph.schema.payload_viewer import ViewerRef, payload_viewer
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.relay import expect_global_id
from icn_graph.services import goals as service

MEASURE_KEY_DESCRIPTION = (
    "A measure (see `measures`) whose data gives the current value, as a percentage."
)
TITLE = "A short name, up to 200 characters."
KEY_RESULT_TITLE = "What is measured, up to 200 characters."
AIM = "The aim statement, up to 2000 characters: what will improve, by how much."
STARTS_ON = "The first day of the goal."
UNIT = "e.g. %, patients, days; up to 32 characters."


def _measure_keys(info: Info) -> list[str]:
    from icn_graph.schema.reports.queries import measure_registry

    return measure_registry(info).keys()


@strawberry.input(description="A key result set with a new goal.")
class KeyResultInput:
    title: str = strawberry.field(description=KEY_RESULT_TITLE)
    start_value: float = strawberry.field(description="Where it stands at the start.")
    target_value: float = strawberry.field(description="Below the start for a decreasing measure.")
    current_value: float | None = strawberry.field(
        default=None, description="Defaults to the start value."
    )
    unit: str | None = strawberry.field(default=None, description=UNIT)
    measure_key: str | None = strawberry.field(default=None, description=MEASURE_KEY_DESCRIPTION)

    def draft(self) -> service.KeyResultDraft:
        return service.KeyResultDraft(
            title=self.title,
            start_value=self.start_value,
            target_value=self.target_value,
            current_value=self.current_value,
            unit=self.unit,
            measure_key=self.measure_key,
        )


@strawberry.input(description="A new 90-day goal, with its key results.")
class CreateGoalInput:
    owner_id: strawberry.ID = strawberry.field(description="A Center's or a Person's ID.")
    title: str = strawberry.field(description=TITLE)
    aim: str = strawberry.field(description=AIM)
    starts_on: date = strawberry.field(description=STARTS_ON)
    due_on: date | None = strawberry.field(
        default=None, description="Defaults to start + 90 days; at most 366 days after it."
    )
    confidence: int = strawberry.field(default=5, description="1 to 10.")
    key_results: list[KeyResultInput] = strawberry.field(
        default_factory=list, description="At most 10."
    )


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateGoalInput:
    id: strawberry.ID = strawberry.field(description="The goal to change.")
    title: str | None = strawberry.field(default=None, description=TITLE)
    aim: str | None = strawberry.field(default=None, description=AIM)
    starts_on: date | None = strawberry.field(default=None, description=STARTS_ON)
    due_on: date | None = strawberry.field(
        default=None, description="After the start, at most 366 days after it."
    )


@strawberry.input(description="A key result to add to an open goal.")
class AddKeyResultInput:
    goal_id: strawberry.ID = strawberry.field(description="The goal to add it to.")
    title: str = strawberry.field(description=KEY_RESULT_TITLE)
    start_value: float = strawberry.field(description="Where it stood when the goal started.")
    target_value: float = strawberry.field(
        description="Where it should be by the due date; below the start for a decreasing measure."
    )
    current_value: float | None = strawberry.field(
        default=None, description="Defaults to the start value."
    )
    unit: str | None = strawberry.field(default=None, description=UNIT)
    measure_key: str | None = strawberry.field(default=None, description=MEASURE_KEY_DESCRIPTION)


@strawberry.input(
    description="Fields left out (or null) stay as they are; an empty unit clears it. The current "
    "value moves through check-ins."
)
class UpdateKeyResultInput:
    id: strawberry.ID = strawberry.field(description="The key result to change.")
    title: str | None = strawberry.field(default=None, description=KEY_RESULT_TITLE)
    start_value: float | None = strawberry.field(
        default=None, description="Where it stood when the goal started."
    )
    target_value: float | None = strawberry.field(
        default=None, description="Where it should be by the due date."
    )
    unit: str | None = strawberry.field(default=None, description=UNIT)
    measure_key: str | None = strawberry.field(
        default=None, description="A measure key to link; an empty string unlinks it."
    )


@strawberry.input(description="A key result's new value, recorded by a check-in.")
class KeyResultValueInput:
    key_result_id: strawberry.ID = strawberry.field(description="One of the goal's key results.")
    value: float = strawberry.field(description="Its value now, in its unit.")


@strawberry.input(description="A check-in on an open goal.")
class CheckInGoalInput:
    id: strawberry.ID = strawberry.field(description="The goal to check in on.")
    note: str = strawberry.field(
        description="How it is going and what comes next; required, up to 5000 characters."
    )
    status: models.GoalStatus = strawberry.field(
        description="ON_TRACK, AT_RISK or OFF_TRACK; to finish a goal use closeGoal."
    )
    confidence: int = strawberry.field(description="1 to 10.")
    key_result_values: list[KeyResultValueInput] = strawberry.field(
        default_factory=list,
        description="New values for some of the goal's key results; the others keep theirs.",
    )


@strawberry.input(description="How an open goal ends.")
class CloseGoalInput:
    id: strawberry.ID = strawberry.field(description="The goal to close.")
    outcome: service.GoalOutcome = strawberry.field(
        description="DONE or DROPPED: the goal's final status."
    )
    reflection: str = strawberry.field(
        description="What was learned; required, up to 5000 characters."
    )


@strawberry.input(description="A goal to hide from default listings.")
class ArchiveGoalInput:
    id: strawberry.ID = strawberry.field(description="The goal to archive.")


@strawberry.type(description="What `createGoal` did.")
class CreateGoalPayload:
    goal: Goal | None = strawberry.field(
        description="The new goal, with its key results; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)

    @strawberry.field(
        description="You, with `following` as it is now (you watch the goal you created) and "
        "`goals`, for client caches; null if refused."
    )
    def viewer(self, info: Info) -> ViewerRef | None:
        return payload_viewer(info) if self.goal is not None else None


@strawberry.type(description="What `updateGoal` did.")
class UpdateGoalPayload:
    goal: Goal | None = strawberry.field(description="The goal as changed; null if refused.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `addKeyResult` did.")
class AddKeyResultPayload:
    key_result: KeyResult | None = strawberry.field(
        description="The new key result; null if refused."
    )
    goal: Goal | None = strawberry.field(
        description="Its goal, with the new progress; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `updateKeyResult` did.")
class UpdateKeyResultPayload:
    key_result: KeyResult | None = strawberry.field(
        description="The key result as changed; null if refused."
    )
    goal: Goal | None = strawberry.field(
        description="Its goal, with the new progress; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `checkInGoal` did.")
class CheckInGoalPayload:
    check_in: CheckIn | None = strawberry.field(description="The new check-in; null if refused.")
    goal: Goal | None = strawberry.field(
        description="The goal with its new status, confidence and values; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `closeGoal` did.")
class CloseGoalPayload:
    check_in: CheckIn | None = strawberry.field(description="The closing reflection.")
    goal: Goal | None = strawberry.field(description="The goal, now DONE or DROPPED.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `archiveGoal` did.")
class ArchiveGoalPayload:
    goal: Goal | None = strawberry.field(
        description="The goal, with `archivedAt` set; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


def _goal_id(value: strawberry.ID, field: str = "id") -> int:
    return expect_global_id(value, "Goal", field=field)


@strawberry.type
class GoalMutations:
    @strawberry.mutation(
        description="Set a 90-day goal for a center (its team or staff) or a person (that person "
        "or staff)."
    )
    async def create_goal(
        self, info: Info, input: InputArgument[CreateGoalInput]
    ) -> CreateGoalPayload:
        draft = service.GoalDraft(
            owner=decode_owner(input.owner_id, field="ownerId"),
            title=input.title,
            aim=input.aim,
            starts_on=input.starts_on,
            due_on=input.due_on,
            confidence=input.confidence,
            key_results=tuple(key_result.draft() for key_result in input.key_results),
        )
        goal, errors = await attempt(
            service.create_goal(
                info.context.db, info.context.viewer, draft, measures=_measure_keys(info)
            )
        )
        loaders.forget(info)
        return CreateGoalPayload(goal=Goal.from_model(goal) if goal else None, user_errors=errors)

    @strawberry.mutation(description="Change a goal's title, aim or dates.")
    async def update_goal(
        self, info: Info, input: InputArgument[UpdateGoalInput]
    ) -> UpdateGoalPayload:
        changes = service.GoalChanges(
            title=input.title, aim=input.aim, starts_on=input.starts_on, due_on=input.due_on
        )
        goal, errors = await attempt(
            service.update_goal(info.context.db, info.context.viewer, _goal_id(input.id), changes)
        )
        loaders.forget(info)
        return UpdateGoalPayload(goal=Goal.from_model(goal) if goal else None, user_errors=errors)

    @strawberry.mutation(description="Add a key result to an open goal (at most 10 per goal).")
    async def add_key_result(
        self, info: Info, input: InputArgument[AddKeyResultInput]
    ) -> AddKeyResultPayload:
        draft = service.KeyResultDraft(
            title=input.title,
            start_value=input.start_value,
            target_value=input.target_value,
            current_value=input.current_value,
            unit=input.unit,
            measure_key=input.measure_key,
        )
        change, errors = await attempt(
            service.add_key_result(
                info.context.db,
                info.context.viewer,
                _goal_id(input.goal_id, "goalId"),
                draft,
                measures=_measure_keys(info),
            )
        )
        loaders.forget(info)
        return AddKeyResultPayload(
            key_result=KeyResult.from_model(change.key_result) if change else None,
            goal=Goal.from_model(change.goal) if change else None,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Change a key result's title, unit, start, target or linked measure."
    )
    async def update_key_result(
        self, info: Info, input: InputArgument[UpdateKeyResultInput]
    ) -> UpdateKeyResultPayload:
        key_result_id = expect_global_id(input.id, "KeyResult", field="id")
        changes = service.KeyResultChanges(
            title=input.title,
            start_value=input.start_value,
            target_value=input.target_value,
            unit=input.unit,
            measure_key=input.measure_key,
        )
        change, errors = await attempt(
            service.update_key_result(
                info.context.db,
                info.context.viewer,
                key_result_id,
                changes,
                measures=_measure_keys(info),
            )
        )
        loaders.forget(info)
        return UpdateKeyResultPayload(
            key_result=KeyResult.from_model(change.key_result) if change else None,
            goal=Goal.from_model(change.goal) if change else None,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Record a check-in: a note, the status, the confidence and new key-result "
        "values. The goal takes the status and confidence, the key results the values."
    )
    async def check_in_goal(
        self, info: Info, input: InputArgument[CheckInGoalInput]
    ) -> CheckInGoalPayload:
        values = tuple(
            service.KeyResultValue(
                key_result_id=expect_global_id(
                    item.key_result_id,
                    "KeyResult",
                    field=f"keyResultValues[{index}].keyResultId",
                ),
                value=item.value,
            )
            for index, item in enumerate(input.key_result_values)
        )
        draft = service.CheckInDraft(
            goal_id=_goal_id(input.id),
            note=input.note,
            status=input.status,
            confidence=input.confidence,
            values=values,
        )
        result, errors = await attempt(
            service.check_in_goal(info.context.db, info.context.viewer, draft)
        )
        loaders.forget(info)
        return CheckInGoalPayload(
            check_in=CheckIn.from_model(result.check_in) if result else None,
            goal=Goal.from_model(result.goal) if result else None,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Close a goal as DONE or DROPPED; the reflection is recorded as its final "
        "check-in. A closed goal takes no more changes."
    )
    async def close_goal(
        self, info: Info, input: InputArgument[CloseGoalInput]
    ) -> CloseGoalPayload:
        draft = service.CloseDraft(
            goal_id=_goal_id(input.id), outcome=input.outcome, reflection=input.reflection
        )
        result, errors = await attempt(
            service.close_goal(info.context.db, info.context.viewer, draft)
        )
        loaders.forget(info)
        return CloseGoalPayload(
            check_in=CheckIn.from_model(result.check_in) if result else None,
            goal=Goal.from_model(result.goal) if result else None,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Hide a goal from default listings (goals are never deleted); read it with "
        "`includeArchived: true`."
    )
    async def archive_goal(
        self, info: Info, input: InputArgument[ArchiveGoalInput]
    ) -> ArchiveGoalPayload:
        goal, errors = await attempt(
            service.archive_goal(info.context.db, info.context.viewer, _goal_id(input.id))
        )
        loaders.forget(info)
        return ArchiveGoalPayload(goal=Goal.from_model(goal) if goal else None, user_errors=errors)
