"""The ``Thread`` type."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum

import strawberry

from icn_codesign import services
from icn_codesign.models import Thread as ThreadRow
from icn_codesign.models import ThreadAudience as AudienceValue
from icn_graph.plugin_api import Info, Node

ThreadAudience = strawberry.enum(
    Enum("ThreadAudience", [(member.name, member.value) for member in AudienceValue]),  # type: ignore[misc]
    description="Who may read a thread: its participants, a center's team and its participants, "
    "or every member of the network (network staff always may, to moderate).",
)


@strawberry.type(description="A co-design conversation, standing alone or attached to a Node.")
class Thread(Node):
    type_name = "Thread"

    title: str
    created_at: datetime
    last_activity_at: datetime

    @classmethod
    def from_row(cls, row: ThreadRow) -> Thread:
        return cls(
            pk=row.id,
            title=row.title,
            created_at=row.created_at,
            last_activity_at=row.last_activity_at,
        )

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[Thread | None]:
        rows = await services.threads_by_id(info.context.db, info.context.viewer, pks)
        return [cls.from_row(rows[pk]) if pk in rows else None for pk in pks]
