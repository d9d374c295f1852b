"""Following: who hears about what. A subject is any node's global ID (core's or a plugin's)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow
from icn_graph.models.columns import enum_column


class FollowLevel(enum.StrEnum):
    WATCHING = "WATCHING"  # everything about the subject and what it contains
    NORMAL = "NORMAL"  # the subject itself
    MUTED = "MUTED"  # nothing, even where another follow would notify


class FollowReason(enum.StrEnum):
    MANUAL = "MANUAL"
    CREATED = "CREATED"
    ASSIGNED = "ASSIGNED"
    MEMBER = "MEMBER"
    CONTRIBUTED = "CONTRIBUTED"  # checked in on it, or closed it


class Follow(Base):
    __tablename__ = "follows"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    subject_id: Mapped[str] = mapped_column(String(100))
    level: Mapped[FollowLevel] = mapped_column(enum_column(FollowLevel, "follow_level"))
    reason: Mapped[FollowReason] = mapped_column(enum_column(FollowReason, "follow_reason"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("person_id", "subject_id"),
        Index("ix_follows_subject_id", "subject_id"),
    )
