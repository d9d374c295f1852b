"""The plugin's tables: a session's call for proposals and review committee, proposals, their
presenters (with consent) and reviews. They use core's Base, so foreign keys to people and
Learning Sessions work."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, Index, Integer, String, Text, text
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
    # A panel's co-design thread (icn-codesign's ``codesign_threads.id``; no foreign key: the
    # two plugins migrate on their own histories). Null for other kinds.
    thread_id: Mapped[int | None] = mapped_column(Integer, default=None)

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


class FeedbackRole(enum.StrEnum):
    """The group a feedback answer is counted in, from core's people: a parent or patient
    partner by ``Person.kind`` (even when also staff), network staff (``ADMIN``/``STAFF``
    network role or ``kind: STAFF``), and everyone else on a care team (clinicians, nurses,
    dietitians, social workers, psychologists, QI leads, data managers). Stored with the
    answer: a later change of role does not move an answer between groups."""

    NETWORK_STAFF = "NETWORK_STAFF"
    CARE_TEAM = "CARE_TEAM"
    PARENT_PARTNER = "PARENT_PARTNER"
    PATIENT_PARTNER = "PATIENT_PARTNER"


FEEDBACK_ROLES: tuple[FeedbackRole, ...] = tuple(FeedbackRole)


class CommunityItem(enum.StrEnum):
    """The closing poll: four statements adapted from the Sense of Community Index (one per
    element of McMillan and Chavis's sense of community), each answered from 1 (strongly
    disagree) to 5 (strongly agree)."""

    BELONGING = "BELONGING"
    NEEDS_MET = "NEEDS_MET"
    SHARED_GOALS = "SHARED_GOALS"
    INFLUENCE = "INFLUENCE"


COMMUNITY_ITEMS: tuple[CommunityItem, ...] = tuple(CommunityItem)
COMMUNITY_PROMPTS: dict[CommunityItem, str] = {
    CommunityItem.BELONGING: "I feel I belong in this network.",
    CommunityItem.NEEDS_MET: "I can get what I need from this network.",
    CommunityItem.SHARED_GOALS: "People in this network share the same goals.",
    CommunityItem.INFLUENCE: "I have a say in what happens in this network.",
}
FEEDBACK_COMMENT_LENGTH = 2000


class SessionFeedback(Base):
    """One person's answer to a Learning Session's feedback survey: the four closing-poll
    statements and a comment only network staff read (never with a name). Answering again
    replaces it."""

    __tablename__ = "panels_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_sessions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[FeedbackRole] = mapped_column(_enum(FeedbackRole, "panels_feedback_role"))
    belonging: Mapped[int] = mapped_column(Integer)
    needs_met: Mapped[int] = mapped_column(Integer)
    shared_goals: Mapped[int] = mapped_column(Integer)
    influence: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("belonging BETWEEN 1 AND 5", name="belonging_range"),
        CheckConstraint("needs_met BETWEEN 1 AND 5", name="needs_met_range"),
        CheckConstraint("shared_goals BETWEEN 1 AND 5", name="shared_goals_range"),
        CheckConstraint("influence BETWEEN 1 AND 5", name="influence_range"),
        Index("uq_panels_feedback_session_id_person_id", "session_id", "person_id", unique=True),
    )


class FeedbackRating(Base):
    """An answer's overall rating, 1 to 5, of one agenda item of its session."""

    __tablename__ = "panels_feedback_ratings"

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("panels_feedback.id", ondelete="CASCADE"), primary_key=True
    )
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        Index("ix_panels_feedback_ratings_agenda_item_id", "agenda_item_id"),
    )


class PanelRole(enum.StrEnum):
    """What an invited person does on a panel."""

    MODERATOR = "MODERATOR"
    PANELIST = "PANELIST"


class InvitationState(enum.StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


MESSAGE_LENGTH = 2000


class PanelInvitation(Base):
    """A person invited to moderate or sit on a panel, and their answer (final once given).
    A person is invited once per proposal; at most one moderator accepts (a partial unique
    index backs the service's check)."""

    __tablename__ = "panels_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("panels_proposals.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[PanelRole] = mapped_column(_enum(PanelRole, "panels_panel_role"))
    state: Mapped[InvitationState] = mapped_column(
        _enum(InvitationState, "panels_invitation_state"), default=InvitationState.PENDING
    )
    message: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    invited_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        Index(
            "uq_panels_invitations_proposal_id_person_id", "proposal_id", "person_id", unique=True
        ),
        Index("ix_panels_invitations_person_id", "person_id"),
        Index(
            "uq_panels_invitations_one_moderator",
            "proposal_id",
            unique=True,
            postgresql_where=text("role = 'MODERATOR' AND state = 'ACCEPTED'"),
            sqlite_where=text("role = 'MODERATOR' AND state = 'ACCEPTED'"),
        ),
    )
