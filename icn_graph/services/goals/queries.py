"""Reading goals: the ``goals`` listing, owners' goal pages, and batched lookups for loaders.

The batched functions (``*_by_*``, ``*_pages``) serve per-request loaders; their callers have
already checked that the viewer is a signed-in member.
"""

from __future__ import annotations

import enum
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select

from icn_graph.db.any_of import any_of, any_of_keys, key_list
from icn_graph.db.database import Database
from icn_graph.models import CheckIn, CheckInValue, Goal, GoalKind, GoalStatus, KeyResult
from icn_graph.models.memberships import Membership
from icn_graph.services.goals.rules import Owner
from icn_graph.services.goals.windows import PageRequest, pages_by_parent
from icn_graph.services.ordering import OrderDirection
from icn_graph.services.pagination import Page, SortKey, aware_datetime, paginate, text_value
from icn_graph.services.viewer import Viewer


class GoalOrderField(enum.StrEnum):
    DUE_ON = "DUE_ON"
    CREATED_AT = "CREATED_AT"
    TITLE = "TITLE"


@dataclass(frozen=True)
class GoalFilter:
    owner: Owner | None = None
    # Goals around a center: its own and those of the people on its team.
    center_id: int | None = None
    statuses: tuple[GoalStatus, ...] | None = None
    due_before: date | None = None
    due_after: date | None = None
    kind: GoalKind | None = None
    include_archived: bool = False


@functools.cache  # the same key each time: windows.py builds a first page's statement once
def _goal_key(
    field: GoalOrderField, direction: OrderDirection
) -> tuple[SortKey, Callable[[Any], Any]]:
    descending = direction is OrderDirection.DESC
    if field is GoalOrderField.CREATED_AT:
        key = SortKey("created_at", Goal.created_at, Goal.id, lambda g: g.created_at, descending)
        return key, aware_datetime
    if field is GoalOrderField.TITLE:
        return SortKey("title", Goal.title, Goal.id, lambda g: g.title, descending), text_value
    key = SortKey("due_on", Goal.due_on, Goal.id, lambda g: g.due_on, descending)
    return key, date.fromisoformat


def _filtered(filter: GoalFilter) -> Select[Goal]:
    statement = select(Goal)
    if not filter.include_archived:
        statement = statement.where(Goal.archived_at.is_(None))
    if filter.owner is not None:
        if filter.owner.center_id is not None:
            statement = statement.where(Goal.center_id == filter.owner.center_id)
        else:
            statement = statement.where(Goal.person_id == filter.owner.person_id)
    if filter.center_id is not None:
        team = select(Membership.person_id).where(Membership.center_id == filter.center_id)
        statement = statement.where(
            or_(Goal.center_id == filter.center_id, Goal.person_id.in_(team))
        )
    if filter.statuses:
        statement = statement.where(Goal.status.in_(filter.statuses))
    if filter.due_before is not None:
        statement = statement.where(Goal.due_on < filter.due_before)
    if filter.due_after is not None:
        statement = statement.where(Goal.due_on > filter.due_after)
    if filter.kind is GoalKind.CENTER:
        statement = statement.where(Goal.center_id.is_not(None))
    elif filter.kind is GoalKind.PARTNER:
        statement = statement.where(Goal.person_id.is_not(None))
    return statement


async def list_goals(
    db: Database,
    viewer: Viewer,
    *,
    filter: GoalFilter,
    order_by: GoalOrderField = GoalOrderField.DUE_ON,
    direction: OrderDirection = OrderDirection.ASC,
    first: int | None = None,
    after: str | None = None,
) -> Page[Goal]:
    viewer.require_member()
    key, parse = _goal_key(order_by, direction)
    return await paginate(
        db,
        _filtered(filter),
        key,
        first=first,
        after=after,
        parse_value=parse,
    )


@dataclass(frozen=True)
class OwnerGoalsRequest:
    """One owner's page of goals, soonest due first."""

    owner_id: int
    first: int | None = None
    after: str | None = None
    include_archived: bool = False


async def _owner_goal_pages(
    db: Database, owner_column: str, requests: Sequence[OwnerGoalsRequest]
) -> list[Page[Goal]]:
    key, parse = _goal_key(GoalOrderField.DUE_ON, OrderDirection.ASC)
    parent = Goal.center_id if owner_column == "center_id" else Goal.person_id
    by_archived: dict[bool, list[int]] = defaultdict(list)
    for index, request in enumerate(requests):
        by_archived[request.include_archived].append(index)
    found: dict[int, Page[Goal]] = {}
    for include_archived, indexes in by_archived.items():
        statement = _owners_goals(include_archived)
        batch = [
            PageRequest(requests[i].owner_id, requests[i].first, requests[i].after) for i in indexes
        ]
        results = await pages_by_parent(
            db,
            Goal,
            statement,
            parent,
            key,
            batch,
            parse_value=parse,
        )
        found.update(zip(indexes, results, strict=True))
    return [found[index] for index in range(len(requests))]


@functools.cache
def _owners_goals(include_archived: bool) -> Select[Goal]:
    """The same statement object each time: windows.py builds its first pages' once."""
    return _filtered(GoalFilter(include_archived=include_archived))


async def center_goal_pages(
    db: Database, requests: Sequence[OwnerGoalsRequest]
) -> list[Page[Goal]]:
    return await _owner_goal_pages(db, "center_id", requests)


async def person_goal_pages(
    db: Database, requests: Sequence[OwnerGoalsRequest]
) -> list[Page[Goal]]:
    return await _owner_goal_pages(db, "person_id", requests)


CHECK_INS = select(CheckIn)
CHECK_IN_KEY = SortKey("created_at", CheckIn.created_at, CheckIn.id, lambda c: c.created_at, True)


async def check_in_pages(db: Database, requests: Sequence[PageRequest]) -> list[Page[CheckIn]]:
    """Each goal's history, newest first."""
    return await pages_by_parent(
        db,
        CheckIn,
        CHECK_INS,
        CheckIn.goal_id,
        CHECK_IN_KEY,
        requests,
        parse_value=aware_datetime,
    )


KEY_RESULTS_OF_GOALS = (
    select(KeyResult)
    .where(any_of_keys(KeyResult.goal_id, "goal_ids"))
    .order_by(KeyResult.goal_id, KeyResult.position, KeyResult.id)
)


async def key_results_by_goal(db: Database, goal_ids: Iterable[int]) -> dict[int, list[KeyResult]]:
    wanted = set(goal_ids)
    grouped: dict[int, list[KeyResult]] = defaultdict(list)
    if not wanted:
        return grouped
    async with db.session() as session:
        for key_result in await session.scalars(
            KEY_RESULTS_OF_GOALS, {"goal_ids": key_list(wanted)}
        ):
            grouped[key_result.goal_id].append(key_result)
    return grouped


async def values_by_check_in(
    db: Database, check_in_ids: Iterable[int]
) -> dict[int, list[CheckInValue]]:
    """The key-result values each check-in recorded, in the goal's key-result order."""
    wanted = set(check_in_ids)
    grouped: dict[int, list[CheckInValue]] = defaultdict(list)
    if not wanted:
        return grouped
    statement = (
        select(CheckInValue)
        .join(KeyResult, KeyResult.id == CheckInValue.key_result_id)
        .where(any_of(CheckInValue.check_in_id, wanted))
        .order_by(CheckInValue.check_in_id, KeyResult.position, KeyResult.id)
    )
    async with db.session() as session:
        for value in await session.scalars(statement):
            grouped[value.check_in_id].append(value)
    return grouped
