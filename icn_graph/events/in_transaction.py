"""Consumers that run inside the transaction recording the events, just before it commits.

What they write commits with the change, so a mutation's answer already shows it (a person who
creates a goal follows it in the same transaction, and the goal's ``viewerIsFollowing`` says so at
once). Core installs its consumers with the other registries at start-up
(:func:`~icn_graph.host.install_registries`); after-commit work (notification fan-out, mail,
plugins' ``on_event``) stays with the outbox dispatcher. History (events recorded inside
:func:`~icn_graph.events.record.recording_history`) is not handed to them: it is already done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.before_commit import before_commit

if TYPE_CHECKING:
    from icn_graph.events.record import Event

# Handles the events a transaction recorded, in order, in that transaction; raising rolls the
# whole change back.
InTransactionConsumer: TypeAlias = "Callable[[AsyncSession, Sequence[Event]], Awaitable[None]]"

RECORDED = "icn_graph.recorded_events"

_consumers: tuple[InTransactionConsumer, ...] = ()


def use_in_transaction_consumers(consumers: Sequence[InTransactionConsumer]) -> None:
    global _consumers
    _consumers = tuple(consumers)


def consume_in_transaction(session: AsyncSession, event: Event) -> None:
    """Hand ``event`` to the consumers before ``session``'s transaction commits."""
    session.info.setdefault(RECORDED, []).append(event)
    before_commit(session, _consume_recorded)


async def _consume_recorded(session: AsyncSession) -> None:
    events: list[Event] = session.info.pop(RECORDED, [])
    for consumer in _consumers:
        await consumer(session, events)
