"""Domain events: written to the outbox inside the transaction of their change.

Services call :func:`record` with the session of the change and a typed event: it adds an
``events`` row (:class:`~icn_graph.events.models.OutboxEvent`) to that session, so the event
exists exactly when the change does. When the transaction commits,
:class:`~icn_graph.db.database.Database` hands the events (now carrying their row ids) to its event
sink, the outbox dispatcher; a rolled-back transaction writes and hands on nothing. Events a
process never got to dispatch (it crashed right after the commit) are swept by a worker, so
consumers see every event at least once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.after_commit import hand_over_after_commit
from icn_graph.events.in_transaction import consume_in_transaction
from icn_graph.events.models import OutboxEvent
from icn_graph.events.registry import event_types
from icn_graph.events.serialize import to_payload
from icn_graph.events.types import DomainEvent, EventTypeError, SubjectRef
from icn_graph.ids import to_global_id


@dataclass(frozen=True)
class Event:
    """Something that happened, e.g. ``goal.checked_in`` on ``Goal:12`` by ``Person:3``, with
    the typed event itself in ``data`` (a :class:`~icn_graph.events.types.DomainEvent`).

    ``id`` is the outbox row's id once the recording transaction has committed: consumers use it
    to stay idempotent, since an event may be handed to them more than once.
    """

    data: DomainEvent
    type: str
    subject_id: str
    actor_id: str | None
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    id: int | None = None

    @property
    def subject(self) -> SubjectRef:
        return self.data.subject

    @property
    def subject_type(self) -> str:
        return self.data.subject.type

    @property
    def payload(self) -> dict[str, Any]:
        """``data`` as stored (JSON); prefer ``data``'s typed fields."""
        return to_payload(self.data)

    @classmethod
    def of(
        cls,
        data: DomainEvent,
        *,
        actor_id: int | None,
        occurred_at: datetime | None = None,
        id: int | None = None,
    ) -> Event:
        """``data`` wrapped as an event (tests, and :func:`record`)."""
        return cls(
            data=data,
            type=data.event_name,
            subject_id=data.subject.global_id,
            actor_id=to_global_id("Person", actor_id) if actor_id is not None else None,
            occurred_at=occurred_at or datetime.now(UTC),
            id=id,
        )

    @classmethod
    def from_row(cls, row: OutboxEvent) -> Event:
        subject = SubjectRef(row.subject_type, row.subject_pk)
        return cls(
            data=event_types().read(row.type, row.payload, version=row.version, subject=subject),
            type=row.type,
            subject_id=row.subject_id,
            actor_id=row.actor_id,
            occurred_at=row.occurred_at,
            id=row.id,
        )


HISTORY = "icn_graph.history"


@contextmanager
def recording_history(session: AsyncSession, at: datetime) -> Iterator[None]:
    """Events recorded in ``session`` inside the block are history that happened ``at``: stored
    with that time and already dispatched, so no consumer, notification, mail or ``on_event``
    ever hears of them (a demo playing its past through the services)."""
    if at.tzinfo is None:
        raise ValueError("recording_history needs an aware datetime")
    before = session.info.get(HISTORY)
    session.info[HISTORY] = at.astimezone(UTC)
    try:
        yield
    finally:
        if before is None:
            session.info.pop(HISTORY, None)
        else:
            session.info[HISTORY] = before


def history_time(session: AsyncSession) -> datetime | None:
    """The moment ``session`` is recording history at (inside :func:`recording_history`), or
    None when what it records happens now."""
    at: datetime | None = session.info.get(HISTORY)
    return at


def record(session: AsyncSession, data: DomainEvent, *, actor_id: int | None) -> Event:
    """Record ``data`` (done by the person ``actor_id``) in ``session``'s transaction (as history
    inside :func:`recording_history`)."""
    if not isinstance(data, DomainEvent) or "event_name" not in vars(type(data)):
        raise EventTypeError(f"{data!r} is not a typed event (a class made with @event_type)")
    history: datetime | None = session.info.get(HISTORY)
    event = Event.of(data, actor_id=actor_id, occurred_at=history)
    row = OutboxEvent(
        type=event.type,
        subject_type=event.subject.type,
        subject_pk=event.subject.pk,
        subject_id=event.subject_id,
        actor_id=event.actor_id,
        payload=to_payload(data),
        version=type(data).event_version,
        occurred_at=event.occurred_at,
        attempts=0,
    )
    if history is not None:
        row.dispatched_at = datetime.now(UTC)
    session.add(row)
    if history is None:
        consume_in_transaction(session, event)
        hand_over_after_commit(session, partial(_committed, row, data))
    return event


def _committed(row: OutboxEvent, data: DomainEvent) -> Event:
    """``data`` as recorded in ``row``, once the commit gave the row its id."""
    return Event(
        data=data,
        type=row.type,
        subject_id=row.subject_id,
        actor_id=row.actor_id,
        occurred_at=row.occurred_at,
        id=row.id,
    )
