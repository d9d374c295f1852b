"""The ``network`` this deployment serves."""

from __future__ import annotations

import strawberry

from icn_graph.schema.context import Info
from icn_graph.services import centers, people


@strawberry.type(description="The learning network this server serves.")
class Network:
    name: str = strawberry.field(description="Public: shown to anyone.")

    @strawberry.field(description="Active centers. Members only.")
    async def center_count(self, info: Info) -> int:
        return await centers.count_active_centers(info.context.db, info.context.viewer)

    @strawberry.field(description="Parent and patient partners. Members only.")
    async def partner_count(self, info: Info) -> int:
        return await people.count_partners(info.context.db, info.context.viewer)
