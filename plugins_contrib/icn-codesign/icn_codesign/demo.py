"""placeholder"""

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import DemoContext


async def load(session: AsyncSession, context: DemoContext) -> None:
    return None
