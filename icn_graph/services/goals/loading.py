"""Fetching the rows a write works on, locked for the rest of its transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.errors import NotFound
from icn_graph.models import Goal, KeyResult


async def goal_for_update(session: AsyncSession, goal_id: int, *, field: str = "id") -> Goal:
    """The goal, locked (on PostgreSQL) so concurrent check-ins on it run one after another."""
    goal = await session.get(Goal, goal_id, with_for_update=True)
    if goal is None:
        raise NotFound("No goal has that id.", field=field)
    return goal


async def key_result_by_id(
    session: AsyncSession, key_result_id: int, *, field: str = "id"
) -> KeyResult:
    """The key result, unlocked: lock its goal first (writers lock goal, then key results)."""
    key_result = await session.get(KeyResult, key_result_id)
    if key_result is None:
        raise NotFound("No key result has that id.", field=field)
    return key_result


async def key_results_of(session: AsyncSession, goal_id: int) -> list[KeyResult]:
    statement = (
        select(KeyResult)
        .where(KeyResult.goal_id == goal_id)
        .order_by(KeyResult.position, KeyResult.id)
        .with_for_update()
    )
    return list(await session.scalars(statement))
