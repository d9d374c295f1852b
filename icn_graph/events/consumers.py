"""Who receives committed events: transactional consumers and after-commit listeners."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.events.record import Event

# Handles a batch of events (in commit order) in the given transaction; raises to fail them all,
# and the batch is then retried event by event. Must be idempotent: delivery is at least once.
EventConsumer = Callable[[AsyncSession, Sequence[Event], datetime], Awaitable[None]]

# Hears about events after the consumers' transaction committed; must not raise.
EventListener = Callable[[Sequence[Event]], Awaitable[None]]
