"""Outgoing mail, rendered and queued, and addresses that must not be mailed.

Senders claim QUEUED rows whose ``next_attempt_at`` has passed with a lease (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL); a sender that dies mid-send loses its lease and the row is claimed again.
Historical rows (mail a demo's past would have sent) only ever go to the mail folder.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow
from icn_graph.models.columns import enum_column


class MailStatus(enum.StrEnum):
    QUEUED = "QUEUED"  # waiting for next_attempt_at (retries wait here too)
    SENDING = "SENDING"  # claimed under a lease
    SENT = "SENT"
    FAILED = "FAILED"  # permanent refusal (5xx); the address is suppressed
    DEAD = "DEAD"  # temporary refusals (4xx) until the retry cap: dead-lettered
    SUPPRESSED = "SUPPRESSED"  # not attempted: the address is suppressed


class MailKind(enum.StrEnum):
    IMMEDIATE = "IMMEDIATE"
    DIGEST = "DIGEST"
    # Why a reply by email was not posted, to the person who sent it (see mail_in.refusal).
    MAIL_IN_REFUSAL = "MAIL_IN_REFUSAL"


class OutgoingMail(Base):
    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    to_address: Mapped[str] = mapped_column(String(254))
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    kind: Mapped[MailKind] = mapped_column(enum_column(MailKind, "mail_kind"))
    # The subject (global ID) the message is about; threads group on it. Empty for digests.
    thread_subject_id: Mapped[str] = mapped_column(String(100), default="")
    subject_line: Mapped[str] = mapped_column(String(300))
    # The complete RFC 5322 message, as sent.
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus, "mail_status"))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    leased_by: Mapped[str | None] = mapped_column(String(100), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Mail that history would have sent (a demo's story, see notifications.history): written to
    # the mail folder (ICN_MAIL_DIR) even when ICN_SMTP_HOST is set, never sent over SMTP.
    historical: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (
        Index("ix_outgoing_mail_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outgoing_mail_thread", "person_id", "thread_subject_id", "id"),
    )


class SuppressedAddress(Base):
    """An address that refused mail permanently; a person's new address is not suppressed."""

    __tablename__ = "suppressed_addresses"

    email_key: Mapped[str] = mapped_column(String(254), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    smtp_code: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
