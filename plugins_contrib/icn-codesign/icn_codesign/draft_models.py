"""The tables of a thread's drafts and decisions.

A draft is a named text a thread works on ("Panel objectives"), unique per thread whatever the
case; each revision is its full text (Markdown, kept with its sanitized HTML like messages), so
any two revisions can be compared. Agreement is with one revision: a new revision starts fresh.
A decision records what was decided, by whom and when, and what it rests on: messages of the
same thread, and a revision of one of its drafts.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.plugin_api import Base, UTCDateTime, utcnow

NAME_LENGTH = 100
KIND_LENGTH = 64
NOTE_LENGTH = 500
GENERAL_KIND = "general"


class DraftStatus(enum.StrEnum):
    DRAFT = "DRAFT"  # being revised
    FINAL = "FINAL"  # its owner (or staff) finalised an agreed revision; no more revisions


class Draft(Base):
    __tablename__ = "codesign_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("codesign_threads.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    # The name folded to lower case: unique per thread, so "Call to action" is one draft.
    name_key: Mapped[str] = mapped_column(String(NAME_LENGTH))
    # What it is, in the words of the plugin that declared the kind ("panel.objectives").
    kind: Mapped[str] = mapped_column(String(KIND_LENGTH), default=GENERAL_KIND)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[DraftStatus] = mapped_column(
        Enum(
            DraftStatus,
            name="codesign_draft_status",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda members: [member.value for member in members],
        ),
        default=DraftStatus.DRAFT,
    )
    # The revision finalised (its number), when FINAL.
    final_number: Mapped[int | None] = mapped_column(default=None)
    finalised_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How many revisions it has: the next one is number revision_count + 1.
    revision_count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint("thread_id", "name_key", name="uq_codesign_drafts_thread_id_name_key"),
    )


class DraftRevision(Base):
    __tablename__ = "codesign_draft_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("codesign_drafts.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1, 2, ... within the draft
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(NOTE_LENGTH), default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("draft_id", "number", name="uq_codesign_draft_revisions_draft_id_number"),
    )


class Agreement(Base):
    """A participant agrees with one revision."""

    __tablename__ = "codesign_agreements"

    revision_id: Mapped[int] = mapped_column(
        ForeignKey("codesign_draft_revisions.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Decision(Base):
    __tablename__ = "codesign_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("codesign_threads.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    text_html: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The revision it rests on, if any (of a draft of the same thread).
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("codesign_draft_revisions.id", ondelete="SET NULL"), default=None
    )

    __table_args__ = (
        Index("ix_codesign_decisions_thread_id_decided_at_id", "thread_id", "decided_at", "id"),
    )


class DecisionMessage(Base):
    """A message of the thread a decision rests on."""

    __tablename__ = "codesign_decision_messages"

    decision_id: Mapped[int] = mapped_column(
        ForeignKey("codesign_decisions.id", ondelete="CASCADE"), primary_key=True
    )
    message_id: Mapped[int] = mapped_column(
        ForeignKey("codesign_messages.id", ondelete="CASCADE"), primary_key=True
    )
