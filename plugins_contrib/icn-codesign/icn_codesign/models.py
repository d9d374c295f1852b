"""The plugin's tables: threads, their participants, messages, message edits and mentions.

They use core's Base, so foreign keys to people and centers work; the drafts and decisions of a
thread live in their own module next to these.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.plugin_api import Base, UTCDateTime, utcnow

TITLE_LENGTH = 200
REASON_LENGTH = 500


class ThreadAudience(enum.StrEnum):
    """Who may read a thread (network staff always may, to moderate)."""

    PARTICIPANTS = "PARTICIPANTS"  # its participants only
    CENTER = "CENTER"  # the center's care team, and its participants
    NETWORK = "NETWORK"  # every signed-in member


def _enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint, storing the member's value."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class Thread(Base):
    __tablename__ = "codesign_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    audience: Mapped[ThreadAudience] = mapped_column(_enum(ThreadAudience, "codesign_audience"))
    # The center whose team may read it (required for CENTER, and may be set for the others).
    center_id: Mapped[int | None] = mapped_column(
        ForeignKey("centers.id", ondelete="CASCADE"), default=None
    )
    # The global ID of the Node it is attached to (a Learning Session, a goal, ...), if any.
    subject_id: Mapped[str | None] = mapped_column(String(100), default=None)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("audience <> 'CENTER' OR center_id IS NOT NULL", name="center_audience"),
        Index("ix_codesign_threads_last_activity_at_id", "last_activity_at", "id"),
        Index("ix_codesign_threads_subject_id", "subject_id"),
        Index("ix_codesign_threads_center_id", "center_id"),
    )


class Participant(Base):
    """A person in a thread. Leaving keeps the row (``left_at``); an invitation clears it."""

    __tablename__ = "codesign_participants"

    thread_id: Mapped[int] = mapped_column(
        ForeignKey("codesign_threads.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    invited_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Messages after this are unread for them (None: nothing read yet).
    last_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (Index("ix_codesign_participants_person_id", "person_id"),)


class Message(Base):
    """A message: its Markdown source, and that source rendered and sanitized (kept, so a page
    of messages renders nothing)."""

    __tablename__ = "codesign_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("codesign_threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Staff hid it: the body is no longer served to anyone but staff; the reason is.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    hidden_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    hidden_reason: Mapped[str | None] = mapped_column(String(REASON_LENGTH), default=None)
    # Where it came from: "app", or "email" for a reply by mail.
    source: Mapped[str] = mapped_column(String(20), default="app")

    __table_args__ = (
        Index("ix_codesign_messages_thread_id_created_at_id", "thread_id", "created_at", "id"),
    )


class MessageEdit(Base):
    """A message's earlier text: one row per edit, holding the body it replaced."""

    __tablename__ = "codesign_message_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("codesign_messages.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_codesign_message_edits_message_id_id", "message_id", "id"),)


class Mention(Base):
    """A person a message mentions (who could see the thread when it was written)."""

    __tablename__ = "codesign_mentions"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("codesign_messages.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_codesign_mentions_person_id", "person_id"),)
