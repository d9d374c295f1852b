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
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.relay import expect_global_id
from icn_graph.services import goals as service

MEASURE_KEY_DESCRIPTION = (
    "A measure (see `measures`) whose data gives the current value, as a percentage."
)


def _measure_keys(info: Info) -> list[str]:
    from icn_graph.schema.reports.queries import measure_registry

    return measure_registry(info).keys()


@strawberry.input
class KeyResultInput:
    title: str
    start_value: float
    target_value: float = strawberry.field(description="Below the start for a decreasing measure.")
    current_value: float | None = strawberry.field(
        default=None, description="Defaults to the start value."
    )
    unit: str | None = strawberry.field(default=None, description="e.g. %, patients, days.")
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


@strawberry.input
class CreateGoalInput:
    owner_id: strawberry.ID = strawberry.field(description="A Center's or a Person's ID.")
    title: str
    aim: str
    starts_on: date
    due_on: date | None = strawberry.field(default=None, description="Defaults to start + 90 days.")
    confidence: int = strawberry.field(default=5, description="1 to 10.")
    key_results: list[KeyResultInput] = strawberry.field(
        default_factory=list, description="At most 10."
    )


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateGoalInput:
    goal_id: strawberry.ID
    title: str | None = None
    aim: str | None = None
    starts_on: date | None = None
    due_on: date | None = None


@strawberry.input
class AddKeyResultInput:
    goal_id: strawberry.ID
    title: str
    start_value: float
    target_value: float
    current_value: float | None = strawberry.field(
        default=None, description="Defaults to the start value."
    )
    unit: str | None = None
    measure_key: str | None = strawberry.field(default=None, description=MEASURE_KEY_DESCRIPTION)


@strawberry.input(
    description="Fields left out (or null) stay as they are; an empty unit clears it. The current "
    "value moves through check-ins."
)
class UpdateKeyResultInput:
    key_result_id: strawberry.ID
    title: str | None = None
    start_value: float | None = None
    target_value: float | None = None
    unit: str | None = None
    measure_key: str | None = strawberry.field(
        default=None, description="A measure key to link; an empty string unlinks it."
    )


@strawberry.input
class KeyResultValueInput:
    key_result_id: strawberry.ID
    value: float


@strawberry.input
class CheckInGoalInput:
    goal_id: strawberry.ID
    note: str
    status: models.GoalStatus = strawberry.field(
        description="ON_TRACK, AT_RISK or OFF_TRACK; to finish a goal use closeGoal."
    )
    confidence: int = strawberry.field(description="1 to 10.")
    key_result_values: list[KeyResultValueInput] = strawberry.field(
        default_factory=list,
        description="New values for some of the goal's key results; the others keep theirs.",
    )


@strawberry.input
class CloseGoalInput:
    goal_id: strawberry.ID
    outcome: service.GoalOutcome
    reflection: str = strawberry.field(description="What was learned; required.")


@strawberry.input
class ArchiveGoalInput:
    goal_id: strawberry.ID


@strawberry.type
class CreateGoalPayload:
    goal: Goal | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class UpdateGoalPayload:
    goal: Goal | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class AddKeyResultPayload:
    key_result: KeyResult | None
    goal: Goal | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class UpdateKeyResultPayload:
    key_result: KeyResult | None
    goal: Goal | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class CheckInGoalPayload:
    check_in: CheckIn | None
    goal: Goal | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class CloseGoalPayload:
    check_in: CheckIn | None = strawberry.field(description="The closing reflection.")
    goal: Goal | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class ArchiveGoalPayload:
    goal: Goal | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


def _goal_id(value: strawberry.ID) -> int:
    return expect_global_id(value, "Goal", field="goalId")


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
            service.update_goal(
                info.context.db, info.context.viewer, _goal_id(input.goal_id), changes
            )
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
                _goal_id(input.goal_id),
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
        key_result_id = expect_global_id(input.key_result_id, "KeyResult", field="keyResultId")
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
            goal_id=_goal_id(input.goal_id),
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
            goal_id=_goal_id(input.goal_id), outcome=input.outcome, reflection=input.reflection
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
            service.archive_goal(info.context.db, info.context.viewer, _goal_id(input.goal_id))
        )
        loaders.forget(info)
        return ArchiveGoalPayload(goal=Goal.from_model(goal) if goal else None, user_errors=errors)
