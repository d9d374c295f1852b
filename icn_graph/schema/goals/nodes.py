"""Refetching goals, key results and check-ins with ``node(id)``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from icn_graph.schema.context import Info
from icn_graph.schema.goals import loaders
from icn_graph.schema.goals.types import CheckIn, Goal, KeyResult
from icn_graph.schema.relay import Node


async def _goal(info: Info, pk: int) -> Node | None:
    row = await loaders.goal(info).load(pk)
    return Goal.from_model(row) if row else None


async def _key_result(info: Info, pk: int) -> Node | None:
    row = await loaders.key_result(info).load(pk)
    return KeyResult.from_model(row) if row else None


async def _check_in(info: Info, pk: int) -> Node | None:
    row = await loaders.check_in(info).load(pk)
    return CheckIn.from_model(row) if row else None


GOAL_FETCHERS: dict[str, Callable[[Info, int], Awaitable[Node | None]]] = {
    "Goal": _goal,
    "KeyResult": _key_result,
    "CheckIn": _check_in,
}
