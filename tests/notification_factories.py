"""Notifications written straight to the database: an outbox event and one person's notification
of it, as fan-out would leave them, without running fan-out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from icn_graph.db.database import Database
from icn_graph.events.models import OutboxEvent
from icn_graph.ids import parse_global_id, to_global_id
from icn_graph.models import Person
from icn_graph.notifications.models import DeliveryMode, EmailStatus, Notification


async def add_notification(
    db: Database,
    person: Person,
    subject_id: str,
    *,
    created_at: datetime,
    actor: Person | None = None,
    event_type: str = "goal.checked_in",
    payload: dict[str, Any] | None = None,
    version: int = 1,
    dispatched: bool = True,
    reason: str = "You follow this goal.",
    read_at: datetime | None = None,
    delivery: DeliveryMode = DeliveryMode.IMMEDIATE,
    email_status: EmailStatus = EmailStatus.PENDING,
    email_due_at: datetime | None = None,
) -> Notification:
    """``person``'s notification of a new event about ``subject_id``, both at ``created_at``.

    The event counts as dispatched at ``created_at`` unless ``dispatched`` is false.
    """
    actor_id = to_global_id("Person", actor.id) if actor is not None else None
    async with db.transaction() as session:
        subject_type, subject_pk = parse_global_id(subject_id)
        event = OutboxEvent(
            type=event_type,
            subject_type=subject_type,
            subject_pk=subject_pk,
            subject_id=subject_id,
            version=version,
            actor_id=actor_id,
            payload=payload or {},
            occurred_at=created_at,
            dispatched_at=created_at if dispatched else None,
            attempts=1,
        )
        session.add(event)
        await session.flush()
        notification = Notification(
            person_id=person.id,
            event_id=event.id,
            type=event_type,
            subject_id=subject_id,
            actor_id=actor_id,
            reason=reason,
            created_at=created_at,
            read_at=read_at,
            delivery=delivery,
            email_status=email_status,
            email_due_at=email_due_at,
        )
        session.add(notification)
    return notification
