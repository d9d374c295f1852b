"""``node`` and ``nodes``: refetch any object by its global ID."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import strawberry

from icn_graph.errors import BadInput, NotFound
from icn_graph.schema.centers import Center
from icn_graph.schema.context import Info
from icn_graph.schema.goals import GOAL_FETCHERS
from icn_graph.schema.learning_sessions import FETCHERS as LEARNING_SESSION_FETCHERS
from icn_graph.schema.memberships import Membership
from icn_graph.schema.people import Person
from icn_graph.schema.relay import Node, parse_global_id

MAX_NODES = 100

Fetch = Callable[[Info, int], Awaitable[Node | None]]


async def _center(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.center.load(pk)
    return Center.from_model(row) if row else None


async def _person(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.person.load(pk)
    return Person.from_model(row) if row else None


async def _membership(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.membership.load(pk)
    return Membership.from_model(row) if row else None


FETCHERS: dict[str, Fetch] = {"Center": _center, "Person": _person, "Membership": _membership}
FETCHERS.update(GOAL_FETCHERS)
FETCHERS.update(LEARNING_SESSION_FETCHERS)


async def _fetch(info: Info, global_id: str, field: str) -> Node:
    type_name, pk = parse_global_id(global_id, field=field)
    fetch = FETCHERS.get(type_name)
    found = await fetch(info, pk) if fetch else None
    if found is None:
        raise NotFound(f"Nothing has the ID '{global_id}'.", field=field)
    return found


async def resolve_node(info: Info, id: strawberry.ID) -> Node | None:
    info.context.viewer.require_member()
    return await _fetch(info, id, "id")


async def resolve_nodes(info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
    info.context.viewer.require_member()
    if len(ids) > MAX_NODES:
        raise BadInput(f"ids: at most {MAX_NODES} IDs at once (got {len(ids)}).", field="ids")
    fetched = await asyncio.gather(
        *(_fetch(info, global_id, f"ids[{index}]") for index, global_id in enumerate(ids)),
        return_exceptions=True,
    )
    for outcome in fetched:
        if isinstance(outcome, BaseException) and not isinstance(outcome, BadInput | NotFound):
            raise outcome
    # graphql-core reports an Exception inside a list as that item's error, the item itself null.
    return fetched  # type: ignore[return-value]
