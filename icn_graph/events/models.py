"""The transactional outbox: every domain event, written in the transaction of its change.

A row is dispatched (handed to notifications, plugins and subscriptions) right after commit by
the process that made the change; a worker sweeps rows left undispatched, claiming them with a
lease so that several workers share the work and a crashed one's rows are taken over.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow


class OutboxEvent(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    # The subject as (GraphQL type name, primary key); ``subject_id`` is its global ID, kept for
    # the follows and notifications that name subjects that way.
    subject_type: Mapped[str] = mapped_column(String(100))
    subject_pk: Mapped[int]
    subject_id: Mapped[str] = mapped_column(String(100))
    actor_id: Mapped[str | None] = mapped_column(String(100), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The payload format's version (the event type's ``version``); 1 is the untyped dicts that
    # were stored before events were typed.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # A claim: whoever holds an unexpired lease is dispatching the event.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    attempts: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        Index(
            "ix_events_undispatched",
            "id",
            postgresql_where=text("dispatched_at IS NULL"),
            sqlite_where=text("dispatched_at IS NULL"),
        ),
        Index("ix_events_subject_id", "subject_id", "id"),
        Index("ix_events_subject", "subject_type", "subject_pk", "id"),
    )
