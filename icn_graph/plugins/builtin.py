"""Core registered as a plugin through the same hooks third parties use."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.demo.context import DemoContext
from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.plugins.hookspecs import hookimpl


@hookimpl
def register_schema() -> SchemaContribution:
    from icn_graph.schema.root import Mutation, Query
    from icn_graph.schema.subscriptions import Subscription

    return SchemaContribution(query=Query, mutation=Mutation, subscription=Subscription)


@hookimpl
async def load_demo_data(session: AsyncSession, context: DemoContext) -> None:
    from icn_graph.demo.contributors import CORE_CONTRIBUTORS

    for contribute in CORE_CONTRIBUTORS:
        await contribute(session, context)
