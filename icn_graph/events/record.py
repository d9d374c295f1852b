"""Domain events: written to the outbox inside the transaction of their change.

Services call :func:`record_event` with the session of the change: it adds an ``events`` row
(:class:`~icn_graph.events.models.OutboxEvent`) to that session, so the event exists exactly when
the change does. When the transaction commits, :class:`~icn_graph.db.database.Database` hands the
events (now carrying their row ids) to its event sink, the outbox dispatcher; a rolled-back
transaction writes and hands on nothing. Events a process never got to dispatch (it crashed right
after the commit) are swept by a worker, so consumers see every event at least once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.after_commit import hand_over_after_commit
from icn_graph.events.models import OutboxEvent
from icn_graph.ids import to_global_id


@dataclass(frozen=True)
class Event:
    """Something that happened, e.g. ``goal.checked_in`` on ``Goal:12`` by ``Person:3``.

    ``id`` is the outbox row's id once the recording transaction has committed: consumers use it
    to stay idempotent, since an event may be handed to them more than once.
    """

    type: str
    subject_id: str
    actor_id: str | None
    payload: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    id: int | None = None

    @property
    def subject_type(self) -> str:
        return self.type.split(".", 1)[0]

    @classmethod
    def from_row(cls, row: OutboxEvent) -> Event:
        return cls(
            type=row.type,
            subject_id=row.subject_id,
            actor_id=row.actor_id,
            payload=dict(row.payload),
            occurred_at=row.occurred_at,
            id=row.id,
        )


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
    row = OutboxEvent(
        type=event.type,
        subject_id=event.subject_id,
        actor_id=event.actor_id,
        payload=event.payload,
        occurred_at=event.occurred_at,
        attempts=0,
    )
    session.add(row)
    hand_over_after_commit(session, partial(Event.from_row, row))
    return event
