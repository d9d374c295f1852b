"""Domain events: recorded by services inside their transaction, handed to consumers after commit.

Services call :func:`record_event` with the session of the change. When that transaction commits,
:class:`~icn_graph.db.database.Database` passes the events to its dispatcher (the app wires the
plugin manager's event hook there). A rolled-back transaction dispatches nothing.

The notifications issue backs this with an outbox table (written in the same transaction, swept
by a worker); the signature of ``record_event`` is the contract that stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.ids import to_global_id

PENDING_EVENTS = "icn_graph.pending_events"


@dataclass(frozen=True)
class Event:
    """Something that happened, e.g. ``goal.checked_in`` on ``Goal:12`` by ``Person:3``."""

    type: str
    subject_id: str
    actor_id: str | None
    payload: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def subject_type(self) -> str:
        return self.type.split(".", 1)[0]


def record_event(
    session: AsyncSession,
    type: str,
    subject: tuple[str, int],
    *,
    actor_id: int | None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Record ``type`` about ``subject`` (type name, pk) in ``session``'s transaction."""
    event = Event(
        type=type,
        subject_id=to_global_id(*subject),
        actor_id=to_global_id("Person", actor_id) if actor_id is not None else None,
        payload=payload or {},
    )
    session.info.setdefault(PENDING_EVENTS, []).append(event)
    return event


def take_pending_events(session: AsyncSession) -> list[Event]:
    events: list[Event] = session.info.pop(PENDING_EVENTS, [])
    return events
