"""The ``goals`` listing, and ``Center.goals`` / ``Person.goals`` (resolved here for them)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from icn_graph import models
from icn_graph.errors import BadInput
from icn_graph.schema.connections import Connection, connection_from_page
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import AfterArgument, FirstArgument
from icn_graph.schema.goals import loaders
from icn_graph.schema.goals.types import Goal
from icn_graph.schema.lookahead import in_connection, read_ahead
from icn_graph.schema.relay import expect_global_id, parse_global_id
from icn_graph.services import goals as service
from icn_graph.services.ordering import OrderDirection
from icn_graph.services.pagination import Page


def decode_owner(value: str, *, field: str) -> service.Owner:
    """A ``GoalOwner`` ID: the global ID of a Center or of a Person."""
    type_name, pk = parse_global_id(value, field=field)
    if type_name == "Center":
        return service.Owner(center_id=pk)
    if type_name == "Person":
        return service.Owner(person_id=pk)
    raise BadInput(
        f"{field}: expected the ID of a Center or a Person, got the ID of a {type_name}.",
        field=field,
    )


@strawberry.input(description="Which goals `goals` lists; the conditions given all apply.")
class GoalFilter:
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Goals owned by this center or person."
    )
    center_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Goals around this center: its own and those of the people on its team.",
    )
    status: list[models.GoalStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    due_before: date | None = strawberry.field(
        default=None, description="Due strictly before this date."
    )
    due_after: date | None = strawberry.field(
        default=None, description="Due strictly after this date."
    )
    kind: models.GoalKind | None = strawberry.field(
        default=None, description="Only center goals, or only partner goals."
    )
    include_archived: bool = strawberry.field(
        default=False, description="Archived goals are left out unless this is true."
    )


@strawberry.input(description="How `goals` is sorted; ties are broken by ID.")
class GoalOrder:
    field: service.GoalOrderField = strawberry.field(
        default=service.GoalOrderField.DUE_ON, description="What to sort by."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Which way to sort."
    )


async def resolve_goals(
    info: Info,
    first: FirstArgument = 20,
    after: AfterArgument = None,
    filter: Annotated[
        GoalFilter | None,
        strawberry.argument(description="Which goals; every unarchived goal by default."),
    ] = None,
    order_by: Annotated[
        GoalOrder | None,
        strawberry.argument(description="The order; soonest due first by default."),
    ] = None,
) -> Connection[Goal]:
    given = filter or GoalFilter()
    order = order_by or GoalOrder()
    info.context.viewer.require_member()
    owner = (
        decode_owner(given.owner_id, field="filter.ownerId") if given.owner_id is not None else None
    )
    center_id = (
        expect_global_id(given.center_id, "Center", field="filter.centerId")
        if given.center_id is not None
        else None
    )
    page = await service.list_goals(
        info.context.db,
        info.context.viewer,
        filter=service.GoalFilter(
            owner=owner,
            center_id=center_id,
            statuses=tuple(given.status) if given.status else None,
            due_before=given.due_before,
            due_after=given.due_after,
            kind=given.kind,
            include_archived=given.include_archived,
        ),
        order_by=order.field,
        direction=order.direction,
        first=first,
        after=after,
    )
    await _read_ahead(info, page)
    return connection_from_page(page, Goal.from_model)


async def center_goals(
    info: Info, center_id: int, *, first: int | None, after: str | None, include_archived: bool
) -> Connection[Goal]:
    """``Center.goals``: the center's own goals, soonest due first."""
    info.context.viewer.require_member()
    request = service.OwnerGoalsRequest(center_id, first, after, include_archived)
    page = await loaders.center_goal_pages(info).load(request)
    await _read_ahead(info, page)
    return connection_from_page(page, Goal.from_model)


async def person_goals(
    info: Info, person_id: int, *, first: int | None, after: str | None, include_archived: bool
) -> Connection[Goal]:
    """``Person.goals``: the person's own goals, soonest due first."""
    info.context.viewer.require_member()
    request = service.OwnerGoalsRequest(person_id, first, after, include_archived)
    page = await loaders.person_goal_pages(info).load(request)
    await _read_ahead(info, page)
    return connection_from_page(page, Goal.from_model)


# Where a goals connection shows what its goals read through a loader (``progress`` reads the
# key results too).
_KEY_RESULT_PATHS = in_connection("keyResults", "progress")
_PEOPLE_PATHS = in_connection("createdBy", "updatedBy")
_OWNER_PATHS = in_connection("owner")


async def _read_ahead(info: Info, page: Page[models.Goal]) -> None:
    """What the query shows of the page's goals through a loader (key results, who set and who
    last changed each, whose each is), read now: one statement each for every page the request
    lists, so that each goal's fields answer at once."""
    goals = [goal for _, goal in page.items]
    people = [pk for goal in goals for pk in (goal.created_by_id, goal.updated_by_id)]
    await read_ahead(
        info,
        (loaders.key_results_of_goal(info), [goal.id for goal in goals], _KEY_RESULT_PATHS),
        (info.context.loaders.person, people, _PEOPLE_PATHS),
        (info.context.loaders.center, [goal.center_id for goal in goals], _OWNER_PATHS),
        (info.context.loaders.person, [goal.person_id for goal in goals], _OWNER_PATHS),
    )
