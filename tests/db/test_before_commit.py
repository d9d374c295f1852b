"""Steps a transaction runs last, inside it: what they write commits with the change, a step
that fails rolls the change back, and a transaction that fails never runs them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from itertools import count

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.before_commit import before_commit
from icn_graph.db.database import Database
from icn_graph.models import Center

_numbers = count(1)


def _new_center() -> Center:
    n = next(_numbers)
    return Center(
        name=f"Before-commit center {n}",
        short_code=f"BC{n}",
        city="Bangor",
        region="Northeast",
        country="US",
        joined_on=date(2014, 1, 1),
    )


async def _in_transaction(db: Database, work: Callable[[AsyncSession], Awaitable[None]]) -> None:
    async with db.transaction() as session:
        await work(session)


async def _centers(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Center)) or 0)


async def test_a_step_runs_once_inside_the_transaction_and_sees_its_changes(db: Database) -> None:
    runs: list[int] = []
    before = await _centers(db)

    async def count_centers(session: AsyncSession) -> None:
        runs.append(int(await session.scalar(select(func.count()).select_from(Center)) or 0))

    async with db.transaction() as session:
        session.add(_new_center())  # not flushed: the step flushes
        before_commit(session, count_centers)
        before_commit(session, count_centers)
    assert runs == [before + 1]
    assert await _centers(db) == before + 1
    async with db.transaction():
        pass
    assert runs == [before + 1]  # registered in one transaction only


async def test_a_step_a_step_registers_runs_after_it(db: Database) -> None:
    order: list[str] = []

    async def second(_session: AsyncSession) -> None:
        order.append("second")

    async def first(session: AsyncSession) -> None:
        order.append("first")
        before_commit(session, second)

    async with db.transaction() as session:
        before_commit(session, first)
    assert order == ["first", "second"]


async def test_a_failing_step_rolls_the_change_back(db: Database) -> None:
    async def refuse(_session: AsyncSession) -> None:
        raise RuntimeError("refused")

    async def add_a_center(session: AsyncSession) -> None:
        session.add(_new_center())
        before_commit(session, refuse)

    before = await _centers(db)
    with pytest.raises(RuntimeError, match="refused"):
        await _in_transaction(db, add_a_center)
    assert await _centers(db) == before


async def test_a_failing_transaction_never_runs_its_steps(db: Database) -> None:
    ran: list[str] = []

    async def step(_session: AsyncSession) -> None:
        ran.append("step")

    async def fail(session: AsyncSession) -> None:
        before_commit(session, step)
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        await _in_transaction(db, fail)
    assert ran == []
