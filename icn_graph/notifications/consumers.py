"""The notification engine's consumers of committed events (registered by its internal plugin)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.events import Event
from icn_graph.events.consumers import EventConsumer
from icn_graph.notifications.fan_out import fan_out_events


def notification_consumers(settings: Settings) -> list[EventConsumer]:
    """Fan-out (automatic follows were made in the recording transaction, so it reaches the
    people they add: :mod:`icn_graph.events.in_transaction`)."""

    async def notify(session: AsyncSession, events: Sequence[Event], now: datetime) -> None:
        await fan_out_events(session, events, settings, now=now)

    return [notify]
