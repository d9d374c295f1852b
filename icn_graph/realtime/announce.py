"""The hand-off from notification fan-out to subscribers: called inside the creating transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.models.notifications import Notification


async def announce_notifications(
    session: AsyncSession, notifications: Sequence[Notification]
) -> None:
    """Tell subscribers about ``notifications`` once ``session``'s transaction commits.

    Call after a flush (the rows need their ids). Nothing is announced on rollback.
    """
    del session, notifications  # replaced by the broadcaster (issue #5, subscriptions)
