"""Learning Sessions: the twice-yearly network meeting, its agenda, speakers and registrations."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow
from icn_graph.models.columns import Timestamps, enum_column


class Season(enum.StrEnum):
    SPRING = "SPRING"
    FALL = "FALL"


class LearningSessionStatus(enum.StrEnum):
    PLANNING = "PLANNING"
    REGISTRATION_OPEN = "REGISTRATION_OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETE = "COMPLETE"


class AgendaItemKind(enum.StrEnum):
    PLENARY = "PLENARY"
    PANEL = "PANEL"
    BREAKOUT = "BREAKOUT"
    WORKSHOP = "WORKSHOP"
    POSTER = "POSTER"
    BREAK = "BREAK"


class AgendaPart(enum.StrEnum):
    """What a person does on one agenda item."""

    SPEAKER = "SPEAKER"
    MODERATOR = "MODERATOR"
    PANELIST = "PANELIST"
    FACILITATOR = "FACILITATOR"


class RegistrationPart(enum.StrEnum):
    """Why a person comes to a session."""

    ATTENDEE = "ATTENDEE"
    SPEAKER = "SPEAKER"
    STAFF = "STAFF"


class LearningSession(Timestamps, Base):
    __tablename__ = "learning_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    season: Mapped[Season] = mapped_column(enum_column(Season, "season"))
    year: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[LearningSessionStatus] = mapped_column(
        enum_column(LearningSessionStatus, "learning_session_status"),
        default=LearningSessionStatus.PLANNING,
    )
    # Ordered lists of strings. JSON works the same on SQLite and PostgreSQL and costs no extra
    # query per session; nothing filters on them, and listings key on ``starts_on``.
    objectives: Mapped[list[Any]] = mapped_column(JSON, default=lambda: [])
    priorities: Mapped[list[Any]] = mapped_column(JSON, default=lambda: [])

    __table_args__ = (
        UniqueConstraint("season", "year"),
        CheckConstraint("ends_on >= starts_on", name="ends_on_not_before_starts_on"),
        Index("ix_learning_sessions_starts_on_id", "starts_on", "id"),
        Index("ix_learning_sessions_status", "status"),
    )


class AgendaItem(Timestamps, Base):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_sessions.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[AgendaItemKind] = mapped_column(enum_column(AgendaItemKind, "agenda_item_kind"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_agenda_items_session_id_starts_at_id", "session_id", "starts_at", "id"),
    )


class AgendaAssignment(Base):
    """A person on an agenda item, with their part (a panelist, the moderator, ...)."""

    __tablename__ = "agenda_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    part: Mapped[AgendaPart] = mapped_column(enum_column(AgendaPart, "agenda_part"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("agenda_item_id", "person_id"),)


class Registration(Base):
    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_sessions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    part: Mapped[RegistrationPart] = mapped_column(
        enum_column(RegistrationPart, "registration_part"), default=RegistrationPart.ATTENDEE
    )
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        UniqueConstraint("session_id", "person_id"),
        Index("ix_registrations_session_id_registered_at_id", "session_id", "registered_at", "id"),
    )
