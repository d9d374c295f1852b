"""Who receives committed events: transactional consumers and after-commit listeners."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.events.record import Event

# Handles a batch of events (in commit order) in the given transaction; raises to fail them all,
# and the batch is then retried event by event. Must be idempotent: delivery is at least once.
EventConsumer = Callable[[AsyncSession, Sequence[Event], datetime], Awaitable[None]]


class EventListener(Protocol):
    """Hears about events after the consumers' transaction committed (the plugin engine)."""

    def deliver(self, events: Sequence[Event]) -> None:
        """Take the events (in commit order) without waiting for anyone; must not raise."""

    async def start(self) -> None:
        """Begin (the app's lifespan, the worker)."""

    async def drain(self) -> None:
        """Wait until everything delivered so far has been handled (tests)."""

    async def close(self) -> None:
        """Finish at shutdown, within a bounded time."""
