# mypy: disable-error-code="untyped-decorator"
"""A small plugin for these tests: cheers on goals, in a table of its own.

It adds ``Goal.kudosCount`` and ``Goal.cheers`` to core's Goal (one grouped query per request
through a DataLoader), and ``Cheer``, a ``Node`` that ``node(id:)`` refetches. A hidden cheer is
seen by staff only: ``resolve_nodes`` gives others None.
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, func, select

from icn_graph.db.database import Database
from icn_graph.plugins import SchemaContribution, hookimpl
from icn_graph.schema.context import Info
from icn_graph.schema.goals.types import Goal
from icn_graph.schema.relay import Node

metadata = MetaData()
cheers = Table(
    "test_plugin_cheers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("goal_id", Integer, nullable=False, index=True),
    Column("message", String(200), nullable=False),
    Column("hidden", Boolean, nullable=False, default=False),
)


async def count_by_goal(db: Database, goal_ids: list[int]) -> list[int]:
    async with db.session() as session:
        rows = await session.execute(
            select(cheers.c.goal_id, func.count())
            .where(cheers.c.goal_id.in_(goal_ids))
            .group_by(cheers.c.goal_id)
        )
        counts = {goal_id: count for goal_id, count in rows}
    return [counts.get(goal_id, 0) for goal_id in goal_ids]


async def cheer_rows(db: Database, pks: Sequence[int]) -> dict[int, tuple[int, str, bool]]:
    async with db.session() as session:
        rows = await session.execute(
            select(cheers.c.id, cheers.c.goal_id, cheers.c.message, cheers.c.hidden).where(
                cheers.c.id.in_(pks)
            )
        )
        return {pk: (goal_id, message, hidden) for pk, goal_id, message, hidden in rows}


@strawberry.type(description="A cheer on a goal.")
class Cheer(Node):
    type_name = "Cheer"

    message: str

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[Cheer | None]:
        found = await cheer_rows(info.context.db, pks)
        staff = info.context.viewer.is_staff
        return [
            cls(pk=pk, message=found[pk][1])
            if pk in found and (staff or not found[pk][2])
            else None
            for pk in pks
        ]


@strawberry.type
class GoalCheers:
    @strawberry.field(description="How many cheers the goal got.")
    async def kudos_count(self, root: Goal, info: Info) -> int | None:
        return await info.context.loaders.get("cheers.count_by_goal", count_by_goal).load(root.pk)

    @strawberry.field(description="The goal's visible cheers, oldest first.")
    async def cheers(self, root: Goal, info: Info) -> list[Cheer] | None:
        async with info.context.db.session() as session:
            rows = await session.execute(
                select(cheers.c.id, cheers.c.message)
                .where(cheers.c.goal_id == root.pk, cheers.c.hidden.is_(False))
                .order_by(cheers.c.id)
            )
            return [Cheer(pk=pk, message=message) for pk, message in rows]


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(extend={"Goal": GoalCheers})


async def create_table(db: Database) -> None:
    """The plugin's table, emptied (a migration would create it in a real plugin)."""
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(cheers.delete())


async def add_cheer(db: Database, goal_id: int, message: str, *, hidden: bool = False) -> int:
    async with db.transaction() as session:
        inserted = cheers.insert().values(goal_id=goal_id, message=message, hidden=hidden)
        pk: int = (await session.execute(inserted.returning(cheers.c.id))).scalar_one()
        return pk
