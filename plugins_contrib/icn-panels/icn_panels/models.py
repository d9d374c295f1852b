"""The plugin's tables: a session's call for proposals and review committee, proposals, their
presenters (with consent) and reviews. They use core's Base, so foreign keys to people and
Learning Sessions work."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.plugin_api import Base, UTCDateTime, utcnow

TITLE_LENGTH = 200
TEXT_LENGTH = 5000
AUDIENCE_LENGTH = 500
REASON_LENGTH = 1000
COMMENT_LENGTH = 5000


class ProposalKind(enum.StrEnum):
    PANEL = "PANEL"
    BREAKOUT = "BREAKOUT"
    WORKSHOP = "WORKSHOP"
    PLENARY = "PLENARY"
    POSTER = "POSTER"


class ProposalStatus(enum.StrEnum):
    """Where a proposal stands. An accepted one's pipeline stage is in ``ProposalStage``.
    Stored without a CHECK constraint: later statuses need no table rewrite."""

    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    ACCEPTED_WITH_COACHING = "ACCEPTED_WITH_COACHING"
    DECLINED = "DECLINED"


class Decision(enum.StrEnum):
    ACCEPT = "ACCEPT"
    ACCEPT_WITH_COACHING = "ACCEPT_WITH_COACHING"
    DECLINE = "DECLINE"


DECIDED_STATUS = {
    Decision.ACCEPT: ProposalStatus.ACCEPTED,
    Decision.ACCEPT_WITH_COACHING: ProposalStatus.ACCEPTED_WITH_COACHING,
    Decision.DECLINE: ProposalStatus.DECLINED,
}


class PresenterConsent(enum.StrEnum):
    """A proposed presenter is listed publicly only once they have CONFIRMED."""

    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    DECLINED = "DECLINED"


def _enum(enum_class: type[enum.Enum], name: str, *, constrained: bool = True) -> Enum:
    """A portable enum: VARCHAR storing the member's value (plus a named CHECK if constrained)."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=constrained,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class CallForProposals(Base):
    """A Learning Session's call: proposals are accepted from ``opens_at`` until ``closes_at``."""

    __tablename__ = "panels_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sessions.id", ondelete="CASCADE"), unique=True
    )
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("closes_at > opens_at", name="dates_in_order"),)


class Reviewer(Base):
    """A member of a session's review committee, granted by network staff."""

    __tablename__ = "panels_reviewers"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    granted_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_panels_reviewers_person_id", "person_id"),)


class Proposal(Base):
    __tablename__ = "panels_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_sessions.id", ondelete="CASCADE"))
    proposer_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    kind: Mapped[ProposalKind] = mapped_column(_enum(ProposalKind, "panels_proposal_kind"))
    abstract: Mapped[str] = mapped_column(Text)
    objectives: Mapped[str] = mapped_column(Text, default="")
    # What the delivered session asks centers and partners to do next (a panel's comes from its
    # finalised "Call to action" draft); what centers adopt as 90-day goals.
    call_to_action: Mapped[str | None] = mapped_column(Text, default=None)
    intended_audience: Mapped[str] = mapped_column(String(AUDIENCE_LENGTH), default="")
    status: Mapped[ProposalStatus] = mapped_column(
        _enum(ProposalStatus, "panels_proposal_status", constrained=False),
        default=ProposalStatus.SUBMITTED,
    )
    decision_reason: Mapped[str | None] = mapped_column(Text, default=None)
    decided_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The agenda item it became (``scheduleProposal``); null again if the item is removed.
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), default=None
    )

    __table_args__ = (
        Index("ix_panels_proposals_session_id_id", "session_id", "id"),
        Index("ix_panels_proposals_proposer_id", "proposer_id"),
        Index("ix_panels_proposals_agenda_item_id", "agenda_item_id", unique=True),
    )


class Presenter(Base):
    """A person proposed to present; listed to others only once they confirm."""

    __tablename__ = "panels_presenters"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("panels_proposals.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer)
    consent: Mapped[PresenterConsent] = mapped_column(
        _enum(PresenterConsent, "panels_presenter_consent"), default=PresenterConsent.PENDING
    )
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (Index("ix_panels_presenters_person_id", "person_id"),)


class Review(Base):
    """One committee member's score and comment on a proposal; never shown to its proposer or
    presenters. Reviewing again revises it."""

    __tablename__ = "panels_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("panels_proposals.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        Index(
            "uq_panels_reviews_proposal_id_reviewer_id", "proposal_id", "reviewer_id", unique=True
        ),
    )


class Stage(enum.StrEnum):
    """The pipeline of an accepted proposal, in order."""

    IDEA = "IDEA"
    OUTLINE = "OUTLINE"
    COACHED = "COACHED"
    PREPPED = "PREPPED"
    RUN_THROUGH = "RUN_THROUGH"
    DELIVERED = "DELIVERED"


STAGES: tuple[Stage, ...] = tuple(Stage)

# Default due dates, in days before the session's first day (documented in the README).
DUE_DAYS_BEFORE: dict[Stage, int] = {
    Stage.IDEA: 90,
    Stage.OUTLINE: 60,
    Stage.COACHED: 42,
    Stage.PREPPED: 21,
    Stage.RUN_THROUGH: 7,
    Stage.DELIVERED: 0,
}
EVIDENCE_LENGTH = 2000


class ProposalStage(Base):
    """One stage of an accepted proposal's pipeline: due date, owner, coach, and once done the
    evidence (a draft's text or URL; a rehearsal date for the run-through). ``overdue_at`` is
    set once, by the overdue job, when it recorded the stage's ``proposal.stage_overdue``."""

    __tablename__ = "panels_stages"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("panels_proposals.id", ondelete="CASCADE"), primary_key=True
    )
    stage: Mapped[Stage] = mapped_column(_enum(Stage, "panels_stage"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    coach_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    evidence: Mapped[str | None] = mapped_column(Text, default=None)
    rehearsal_on: Mapped[date | None] = mapped_column(Date, default=None)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    completed_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        Index("ix_panels_stages_due_on", "due_on"),
        Index("ix_panels_stages_owner_id", "owner_id"),
        Index("ix_panels_stages_coach_id", "coach_id"),
    )


class Adoption(Base):
    """A delivered proposal's call to action taken up as a 90-day goal: by a center (its QI
    lead or staff set a center goal) or by a partner (a goal of their own). One per proposal and
    center, one per proposal and person; ``panels_0007``."""

    __tablename__ = "panels_adoptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("panels_proposals.id", ondelete="CASCADE"))
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    # Exactly one: the center whose goal it is, or the partner whose own goal it is.
    center_id: Mapped[int | None] = mapped_column(
        ForeignKey("centers.id", ondelete="CASCADE"), default=None
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), default=None
    )
    adopted_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    adopted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("(center_id IS NULL) <> (person_id IS NULL)", name="one_adopter"),
        Index("uq_panels_adoptions_goal_id", "goal_id", unique=True),
        Index("uq_panels_adoptions_proposal_id_center_id", "proposal_id", "center_id", unique=True),
        Index("uq_panels_adoptions_proposal_id_person_id", "proposal_id", "person_id", unique=True),
    )
