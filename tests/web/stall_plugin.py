# mypy: disable-error-code="untyped-decorator"
"""A plugin with a query field that never finishes on its own, holding a database connection:
a stalled request, for the execution timeout and the health probe to be tested against."""

from __future__ import annotations

import asyncio

import strawberry
from sqlalchemy import text

from icn_graph.plugin_api import SchemaContribution, hookimpl
from icn_graph.schema.context import Info

STALL_SECONDS = 3600
_in_progress = [0]


@strawberry.type
class StallQuery:
    @strawberry.field(description="Waits (an hour) with a database connection checked out.")
    async def stall(self, info: Info) -> bool:
        _in_progress[0] += 1
        try:
            async with info.context.db.session() as session:
                await session.execute(text("SELECT 1"))
                await asyncio.sleep(STALL_SECONDS)
        finally:
            _in_progress[0] -= 1
        return True

    @strawberry.field(description="How many `stall` fields are waiting in this process now.")
    def stalls_in_progress(self) -> int:
        return _in_progress[0]


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(query=StallQuery)
