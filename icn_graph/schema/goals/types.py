"""Goal, KeyResult and CheckIn types; the owner is a ``GoalOwner`` union of Center | Person."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from icn_graph import models
from icn_graph.errors import NotFound
from icn_graph.schema.centers import Center
from icn_graph.schema.connections import Connection, connection_from_page
from icn_graph.schema.context import Info
from icn_graph.schema.described_enums import described_enum
from icn_graph.schema.descriptions import AfterArgument, FirstArgument
from icn_graph.schema.following import Followable
from icn_graph.schema.goals import loaders
from icn_graph.schema.loaders import loaded
from icn_graph.schema.people import Person
from icn_graph.services import goals as service

if TYPE_CHECKING:
    from icn_graph.schema.reports.types import Measure

MeasureRef = Annotated["Measure", strawberry.lazy("icn_graph.schema.reports.types")]

# Registered here, where the types using them are defined, so the names and descriptions stick.
described_enum(
    models.GoalStatus,
    name="GoalStatus",
    description="Where a goal stands: ON_TRACK, AT_RISK or OFF_TRACK while open; DONE or DROPPED "
    "once closed.",
    values={
        models.GoalStatus.ON_TRACK: "Open, going as planned.",
        models.GoalStatus.AT_RISK: "Open, but the aim may be missed.",
        models.GoalStatus.OFF_TRACK: "Open, and behind: the aim will be missed without a change.",
        models.GoalStatus.DONE: "Closed: the aim was met.",
        models.GoalStatus.DROPPED: "Closed without meeting the aim.",
    },
)
described_enum(
    models.GoalKind,
    name="GoalKind",
    description="CENTER: owned by a center. PARTNER: owned by a person (partners set 90-day goals "
    "too; every person-owned goal is a PARTNER goal).",
    values={
        models.GoalKind.CENTER: "Owned by a center.",
        models.GoalKind.PARTNER: "Owned by a person, a partner or anyone else.",
    },
)
described_enum(
    service.GoalOutcome,
    name="GoalOutcome",
    description="How a goal closes; it becomes the goal's final status.",
    values={
        service.GoalOutcome.DONE: "The aim was met.",
        service.GoalOutcome.DROPPED: "Stopped without meeting the aim.",
    },
)
described_enum(
    service.GoalOrderField,
    name="GoalOrderField",
    description="What a listing of goals is sorted by.",
    values={
        service.GoalOrderField.DUE_ON: "The due date.",
        service.GoalOrderField.CREATED_AT: "When the goal was created.",
        service.GoalOrderField.TITLE: "The title.",
    },
)

GoalOwner = Annotated[
    Center | Person,
    strawberry.union("GoalOwner", description="Who a goal belongs to: a center or a person."),
]


def _key_results_of(rows: list[models.KeyResult]) -> list[KeyResult]:
    return [KeyResult.from_model(row) for row in rows]


async def _person(info: Info, pk: int, what: str) -> Person:
    return _existing(what)(await info.context.loaders.person.load(pk))


def _existing(what: str) -> Callable[[models.Person | None], Person]:
    def person(row: models.Person | None) -> Person:
        if row is None:
            raise NotFound(f"This {what} no longer exists.")
        return Person.from_model(row)

    return person


_AUTHOR = _existing("goal's author")
_EDITOR = _existing("goal's editor")
_OWNER = _existing("goal's owner")


def _owning_center(row: models.Center | None) -> Center:
    if row is None:
        raise NotFound("This goal's center no longer exists.")
    return Center.from_model(row)


async def load_goal(info: Info, pk: int) -> Goal:
    row = await loaders.goal(info).load(pk)
    if row is None:
        raise NotFound("This goal no longer exists.")
    return Goal.from_model(row)


@strawberry.type(description="A measurable result of a goal, e.g. remission rate from 72 to 80 %.")
class KeyResult(Followable):
    type_name = "KeyResult"

    title: str = strawberry.field(description="What is measured, e.g. Remission rate.")
    unit: str | None = strawberry.field(description="e.g. %, patients, days; null if none.")
    start_value: float = strawberry.field(description="Where it stood when the goal started.")
    target_value: float = strawberry.field(
        description="May be below the start value, for measures that should go down."
    )
    goal_pk: strawberry.Private[int]
    row: strawberry.Private[models.KeyResult]

    @classmethod
    def from_model(cls, key_result: models.KeyResult) -> KeyResult:
        return cls(
            pk=key_result.id,
            title=key_result.title,
            unit=key_result.unit,
            start_value=key_result.start_value,
            target_value=key_result.target_value,
            goal_pk=key_result.goal_id,
            row=key_result,
        )

    async def _measured(self, info: Info) -> tuple[float | None, date | None]:
        """The value from the linked measure as the viewer may see it, and its month."""
        if self.row.measure_key is None:
            return None, None
        link = service.MeasureLink(self.row.measure_key, self.goal_pk)
        measured = await loaders.measure_readings(info).load(link)
        if measured is None or measured.reading is None:
            return None, None
        value = service.visible_percent(info.context.viewer, measured.source, measured.reading)
        return value, measured.reading.month if value is not None else None

    @strawberry.field(
        description="With a measure: its latest month for the goal's center as a percentage, "
        "when you may see it (the center's team always; network staff and data managers unless "
        "a count is from 1 to 10; a person's goal uses the network aggregate). Otherwise, and "
        "without a measure, the value recorded by the latest check-in (the start value before "
        "any)."
    )
    async def current_value(self, info: Info) -> float:
        measured, _ = await self._measured(info)
        return service.current_value(self.row, measured)

    @strawberry.field(
        description="The month `currentValue` comes from when it comes from the measure; null "
        "when it is the recorded value."
    )
    async def current_value_month(self, info: Info) -> date | None:
        _, month = await self._measured(info)
        return month

    @strawberry.field(
        description="(current - start) / (target - start) as a percentage, clamped to 0-100. "
        "When start equals target: 100 once current equals target, else 0."
    )
    async def progress(self, info: Info) -> float:
        measured, _ = await self._measured(info)
        return service.key_result_progress(self.row, measured)

    @strawberry.field(description="The measure whose data gives the current value, if linked.")
    def measure(self, info: Info) -> MeasureRef | None:
        from icn_graph.schema.reports.queries import measure_registry
        from icn_graph.schema.reports.types import Measure

        key = self.row.measure_key
        if key is None:
            return None
        registry = measure_registry(info)
        return Measure.from_definition(registry.get(key)) if key in registry else None

    @strawberry.field(description="The goal it measures.")
    async def goal(self, info: Info) -> Goal:
        return await load_goal(info, self.goal_pk)


@strawberry.type(description="A key result's value as a check-in recorded it.")
class KeyResultValue:
    value: float = strawberry.field(description="The value recorded, in the key result's unit.")
    key_result_pk: strawberry.Private[int]

    @strawberry.field(description="The key result the value is for.")
    async def key_result(self, info: Info) -> KeyResult:
        row = await loaders.key_result(info).load(self.key_result_pk)
        if row is None:
            raise NotFound("This key result no longer exists.")
        return KeyResult.from_model(row)


@strawberry.type(
    description="One entry in a goal's history: a note with the status, confidence and "
    "key-result values at that time. A goal's closing reflection is its last check-in."
)
class CheckIn(Followable):
    type_name = "CheckIn"

    note: str = strawberry.field(
        description="How it is going, in the author's words (Markdown is not rendered)."
    )
    status: models.GoalStatus = strawberry.field(description="The goal's status it recorded.")
    confidence: int = strawberry.field(description="1 (not at all) to 10 (certain).")
    created_at: datetime = strawberry.field(description="When it was made (UTC).")
    author_pk: strawberry.Private[int]
    goal_pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, check_in: models.CheckIn) -> CheckIn:
        return cls(
            pk=check_in.id,
            note=check_in.note,
            status=check_in.status,
            confidence=check_in.confidence,
            created_at=check_in.created_at,
            author_pk=check_in.author_id,
            goal_pk=check_in.goal_id,
        )

    @strawberry.field(description="Who checked in.")
    async def author(self, info: Info) -> Person:
        return await _person(info, self.author_pk, "check-in's author")

    @strawberry.field(description="The goal checked in on.")
    async def goal(self, info: Info) -> Goal:
        return await load_goal(info, self.goal_pk)

    @strawberry.field(description="Every key result's value as it stood after this check-in.")
    async def key_result_values(self, info: Info) -> list[KeyResultValue]:
        rows = await loaders.values_of_check_in(info).load(self.pk)
        return [KeyResultValue(value=row.value, key_result_pk=row.key_result_id) for row in rows]


@strawberry.type(
    description="A 90-day goal of a center or a person, with key results and check-ins."
)
class Goal(Followable):
    type_name = "Goal"

    title: str = strawberry.field(description="A short name for the goal.")
    aim: str = strawberry.field(description="The aim statement: what will improve, by how much.")
    starts_on: date = strawberry.field(description="The first day of the 90 days.")
    due_on: date = strawberry.field(description="90 days after the start unless set otherwise.")
    status: models.GoalStatus = strawberry.field(
        description="Where it stands: as of the latest check-in, or how it closed."
    )
    confidence: int = strawberry.field(
        description="1 (not at all) to 10 (certain): how sure the owner is of reaching the aim."
    )
    kind: models.GoalKind = strawberry.field(description="CENTER or PARTNER, from who owns it.")
    created_at: datetime = strawberry.field(description="When it was set (UTC).")
    updated_at: datetime = strawberry.field(
        description="When it last changed (UTC); a check-in counts."
    )
    closed_at: datetime | None = strawberry.field(description="When it became DONE or DROPPED.")
    archived_at: datetime | None = strawberry.field(
        description="Archived goals are hidden from listings unless `includeArchived` is set."
    )
    center_pk: strawberry.Private[int | None]
    person_pk: strawberry.Private[int | None]
    created_by_pk: strawberry.Private[int]
    updated_by_pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, goal: models.Goal) -> Goal:
        return cls(
            pk=goal.id,
            title=goal.title,
            aim=goal.aim,
            starts_on=goal.starts_on,
            due_on=goal.due_on,
            status=goal.status,
            confidence=goal.confidence,
            kind=goal.kind,
            created_at=goal.created_at,
            updated_at=goal.updated_at,
            closed_at=goal.closed_at,
            archived_at=goal.archived_at,
            center_pk=goal.center_id,
            person_pk=goal.person_id,
            created_by_pk=goal.created_by_id,
            updated_by_pk=goal.updated_by_id,
        )

    @property
    def owner_ref(self) -> service.Owner:
        return service.Owner(center_id=self.center_pk, person_id=self.person_pk)

    # These answer at once when a goals page read them ahead (``queries._read_ahead``).

    @strawberry.field(
        description="The center or the person the goal belongs to.", graphql_type=GoalOwner
    )
    def owner(self, info: Info) -> Center | Person | Awaitable[Center | Person]:
        if self.center_pk is not None:
            return loaded(info.context.loaders.center, self.center_pk, _owning_center)
        assert self.person_pk is not None
        return loaded(info.context.loaders.person, self.person_pk, _OWNER)

    @strawberry.field(description="Who set the goal.", graphql_type=Person)
    def created_by(self, info: Info) -> Person | Awaitable[Person]:
        return loaded(info.context.loaders.person, self.created_by_pk, _AUTHOR)

    @strawberry.field(
        description="Who changed the goal last (a check-in counts).", graphql_type=Person
    )
    def updated_by(self, info: Info) -> Person | Awaitable[Person]:
        return loaded(info.context.loaders.person, self.updated_by_pk, _EDITOR)

    @strawberry.field(description="In the order they were added.", graphql_type=list[KeyResult])
    def key_results(self, info: Info) -> list[KeyResult] | Awaitable[list[KeyResult]]:
        # Sync when a goals page read its key results ahead (``queries._read_ahead``).
        return loaded(loaders.key_results_of_goal(info), self.pk, _key_results_of)

    @strawberry.field(
        description="The mean progress of the key results, 0-100; null without key results."
    )
    async def progress(self, info: Info) -> float | None:
        rows = await loaders.key_results_of_goal(info).load(self.pk)
        linked = [row for row in rows if row.measure_key is not None]
        found = await loaders.measure_readings(info).load_many(
            [service.MeasureLink(row.measure_key or "", self.pk) for row in linked]
        )
        measured = {
            row.id: service.visible_percent(info.context.viewer, item.source, item.reading)
            for row, item in zip(linked, found, strict=True)
            if item is not None and item.reading is not None
        }
        return service.goal_progress(rows, measured)

    @strawberry.field(description="The goal's history, newest first.")
    async def check_ins(
        self, info: Info, first: FirstArgument = 20, after: AfterArgument = None
    ) -> Connection[CheckIn]:
        page = await loaders.check_in_pages(info).load(
            service.PageRequest(self.pk, first=first, after=after)
        )
        return connection_from_page(page, CheckIn.from_model)

    @strawberry.field(
        description="Whether the viewer may edit, check in on, close or archive this goal."
    )
    def viewer_can_edit(self, info: Info) -> bool:
        return service.may_edit(info.context.viewer, self.owner_ref)

    @strawberry.field(
        description="Whether you may check in on this goal (`checkInGoal`): you may edit it and "
        "it is open (not DONE, DROPPED or archived)."
    )
    def viewer_can_check_in(self, info: Info) -> bool:
        return service.may_check_in(
            info.context.viewer, self.owner_ref, self.status, self.archived_at
        )
