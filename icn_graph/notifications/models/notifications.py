"""In-app notifications (one per person and event) and each person's delivery preferences.

A notification whose ``email_status`` is PENDING becomes mail once ``email_due_at`` passes: the
mail composer groups a person's due notifications (per followed subject for immediate mail, all
of them for a digest), renders one message, and sets ``mail_id`` and ``email_status`` QUEUED.
"""

from __future__ import annotations

import enum
from datetime import datetime, time
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Time, UniqueConstraint
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow
from icn_graph.models.columns import enum_column


class DeliveryMode(enum.StrEnum):
    IMMEDIATE = "IMMEDIATE"
    DAILY_DIGEST = "DAILY_DIGEST"
    WEEKLY_DIGEST = "WEEKLY_DIGEST"
    OFF = "OFF"


class EmailStatus(enum.StrEnum):
    NONE = "NONE"  # no mail planned (delivery OFF, muted type, suppressed address)
    PENDING = "PENDING"  # waiting for email_due_at
    QUEUED = "QUEUED"  # composed into outgoing mail ``mail_id``
    SKIPPED = "SKIPPED"  # read in the app before its mail was composed


def _own_subject(context: DefaultExecutionContext) -> Any:
    """A notification written without a followed subject threads on its own subject."""
    return context.get_current_parameters()["subject_id"]  # type: ignore[no-untyped-call]


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(100))
    subject_id: Mapped[str] = mapped_column(String(100))
    # The subject the person follows that this notification rolls up to: the event's subject,
    # or what contains it (a registration's Learning Session, a key result's goal). Mail batches
    # and threads on it, and its "stop mail about this" link mutes it.
    followed_subject_id: Mapped[str] = mapped_column(String(100), default=_own_subject)
    actor_id: Mapped[str | None] = mapped_column(String(100), default=None)
    # Why the person got it, e.g. "You follow this goal." (shown in the app and the mail).
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    delivery: Mapped[DeliveryMode] = mapped_column(enum_column(DeliveryMode, "delivery_mode"))
    email_status: Mapped[EmailStatus] = mapped_column(enum_column(EmailStatus, "email_status"))
    email_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("outgoing_mail.id", ondelete="SET NULL"), default=None
    )

    __table_args__ = (
        UniqueConstraint("event_id", "person_id"),
        Index("ix_notifications_person_id_id", "person_id", "id"),
        Index("ix_notifications_email_due", "email_status", "email_due_at"),
        Index("ix_notifications_person_id_followed_subject_id", "person_id", "followed_subject_id"),
    )


class NotificationPreferences(Base):
    """A person's choices; no row means the defaults for their kind."""

    __tablename__ = "notification_preferences"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    delivery: Mapped[DeliveryMode] = mapped_column(enum_column(DeliveryMode, "delivery_mode"))
    digest_hour: Mapped[int] = mapped_column(default=7)  # 0-23 in the person's timezone
    digest_weekday: Mapped[int] = mapped_column(default=0)  # 0 = Monday
    quiet_hours_start: Mapped[time | None] = mapped_column(Time, default=None)
    quiet_hours_end: Mapped[time | None] = mapped_column(Time, default=None)
    # Event type -> DeliveryMode value, e.g. {"goal.checked_in": "OFF"}.
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
