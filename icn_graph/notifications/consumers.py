"""The notification engine's consumers of committed events (registered by its internal plugin)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.events import Event
from icn_graph.events.consumers import EventConsumer
from icn_graph.notifications.auto_follow import follow_automatically_all
from icn_graph.notifications.fan_out import fan_out_events


def notification_consumers(settings: Settings) -> list[EventConsumer]:
    """Automatic follows first, so that fan-out reaches the people they add."""

    async def follow(session: AsyncSession, events: Sequence[Event], _now: datetime) -> None:
        await follow_automatically_all(session, events)

    async def notify(session: AsyncSession, events: Sequence[Event], now: datetime) -> None:
        await fan_out_events(session, events, settings, now=now)

    return [follow, notify]
