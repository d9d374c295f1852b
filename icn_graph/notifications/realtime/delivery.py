"""Loading announced notifications for the subscriber they belong to."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.notifications.models.notifications import Notification


async def load_announced(
    db: Database, person_id: int, notification_ids: Collection[int]
) -> list[Notification]:
    """``person_id``'s notifications among ``notification_ids``, oldest first, in one query.

    Ids of someone else's notifications, or of rows that no longer exist, give nothing.
    """
    async with db.session() as session:
        rows = await session.scalars(
            select(Notification)
            .where(Notification.id.in_(notification_ids), Notification.person_id == person_id)
            .order_by(Notification.id)
        )
        return list(rows)
