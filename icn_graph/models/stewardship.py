"""Data stewardship: requests to use network data, the views proposed for them, each center's
display consent, centers' standing preferences, public links to published views, and the
append-only log of every read of identified center data.

Nothing here is ever deleted: a decision is superseded by a later row or revoked in place (the
row keeps who revoked it and when), so the history of who agreed to what stays complete.
"""

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


class DataRequestState(enum.StrEnum):
    SUBMITTED = "SUBMITTED"
    IN_DISCUSSION = "IN_DISCUSSION"
    PROPOSED = "PROPOSED"
    AWAITING_CENTERS = "AWAITING_CENTERS"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"
    WITHDRAWN = "WITHDRAWN"
    EXPIRED = "EXPIRED"
    """Never stored: a request whose ``expires_on`` has passed reads as EXPIRED."""


class DataAudience(enum.StrEnum):
    NETWORK = "NETWORK"
    """Signed-in members of the network."""
    PUBLIC = "PUBLIC"
    """A public presentation: anyone holding the view's public link, no sign-in."""


class DataViewChart(enum.StrEnum):
    RUN_CHART = "RUN_CHART"
    P_CHART = "P_CHART"
    FUNNEL = "FUNNEL"
    """Centers' rates against their number of patients, with limits around the network rate."""


class OthersShown(enum.StrEnum):
    """How a view shows centers that have not consented to be named."""

    BLINDED = "BLINDED"
    """As "Center A", "Center B", … (letters fixed per view)."""
    NETWORK_TOTAL_ONLY = "NETWORK_TOTAL_ONLY"
    """Not at all, except inside the network total."""


class DataViewStatus(enum.StrEnum):
    PROPOSED = "PROPOSED"
    ACCEPTED = "ACCEPTED"
    """The requester accepted it; its centers are asked."""
    REJECTED = "REJECTED"
    """The requester answered "no, let's try it this way"."""
    SUPERSEDED = "SUPERSEDED"
    """A later proposal replaced it."""


class ConsentDecision(enum.StrEnum):
    CONSENT = "CONSENT"
    """Show us named, within the scope recorded."""
    UNNAMED = "UNNAMED"
    """Show us, but blinded."""
    DECLINE = "DECLINE"


class StandingPreference(enum.StrEnum):
    ALWAYS_ASK = "ALWAYS_ASK"
    IDENTIFIED_WITHIN_NETWORK = "IDENTIFIED_WITHIN_NETWORK"
    """Pre-fills CONSENT for views shown to network members; public views are asked."""
    IDENTIFIED = "IDENTIFIED"
    """Pre-fills CONSENT for any audience."""
    UNNAMED = "UNNAMED"
    """Pre-fills UNNAMED."""
    DECLINE = "DECLINE"
    """Pre-fills DECLINE."""


class DataRequest(Timestamps, Base):
    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(300))
    audience: Mapped[DataAudience] = mapped_column(enum_column(DataAudience, "data_audience"))
    measure_keys: Mapped[list[Any]] = mapped_column(JSON)
    """The measures asked for (keys), in the requester's order."""
    whole_network: Mapped[bool] = mapped_column(Boolean)
    """The network as a whole; else the centers in ``data_request_centers``."""
    period_start: Mapped[date] = mapped_column(Date)
    """First month asked for (the 1st)."""
    period_end: Mapped[date] = mapped_column(Date)
    """Last month asked for (the 1st)."""
    presentation: Mapped[str] = mapped_column(Text)
    """How the requester means to show it, in their words."""
    expires_on: Mapped[date] = mapped_column(Date)
    """After this day nothing of the request is shown any more."""
    state: Mapped[DataRequestState] = mapped_column(
        enum_column(DataRequestState, "data_request_state"), default=DataRequestState.SUBMITTED
    )
    closed_reason: Mapped[str | None] = mapped_column(Text, default=None)
    """Why it was declined or withdrawn."""
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    discussion_id: Mapped[str | None] = mapped_column(String(200), default=None)
    """The global ID of the discussion a plugin opened for it (a co-design thread); ``None``:
    the request's own comments are its discussion."""

    __table_args__ = (
        CheckConstraint("period_start <= period_end", name="period"),
        Index("ix_data_requests_state", "state"),
    )


class DataRequestCenter(Base):
    """A center a request asks about (when not the whole network)."""

    __tablename__ = "data_request_centers"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("data_requests.id", ondelete="CASCADE"), primary_key=True
    )
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), primary_key=True, index=True)


class DataRequestComment(Base):
    """The discussion of a request when no plugin provides one."""

    __tablename__ = "data_request_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("data_requests.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataView(Base):
    """One concrete proposal of what to show for a request. Never edited: a revision is a new
    view with the next ``version``, and the previous one is SUPERSEDED."""

    __tablename__ = "data_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("data_requests.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    measure_key: Mapped[str] = mapped_column(String(64))
    chart: Mapped[DataViewChart] = mapped_column(enum_column(DataViewChart, "data_view_chart"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    others: Mapped[OthersShown] = mapped_column(enum_column(OthersShown, "others_shown"))
    include_network: Mapped[bool] = mapped_column(Boolean, default=True)
    """Whether the network total is part of the view."""
    note: Mapped[str] = mapped_column(Text, default="")
    """The proposer's explanation ("let's try it this way")."""
    status: Mapped[DataViewStatus] = mapped_column(
        enum_column(DataViewStatus, "data_view_status"), default=DataViewStatus.PROPOSED
    )
    response: Mapped[str | None] = mapped_column(Text, default=None)
    """The requester's reason when rejecting it."""
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("request_id", "version"),
        CheckConstraint("period_start <= period_end", name="period"),
    )


class DataViewCenter(Base):
    """A center named in a view, with the letter it has there whenever it is shown blinded
    (drawn at random when the view is proposed: stable within the view, unrelated across views)."""

    __tablename__ = "data_view_centers"

    view_id: Mapped[int] = mapped_column(
        ForeignKey("data_views.id", ondelete="CASCADE"), primary_key=True
    )
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), primary_key=True, index=True)
    letter: Mapped[str] = mapped_column(String(8))

    __table_args__ = (UniqueConstraint("view_id", "letter"),)


class DisplayConsent(Base):
    """One center's decision about one view. The latest row of a (view, center) is its answer;
    earlier rows stay as history. Revoking marks the row; it never deletes it."""

    __tablename__ = "display_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    view_id: Mapped[int] = mapped_column(ForeignKey("data_views.id", ondelete="CASCADE"))
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), index=True)
    decision: Mapped[ConsentDecision] = mapped_column(
        enum_column(ConsentDecision, "consent_decision")
    )
    # The exact scope agreed to, copied from the request and view when deciding.
    audience: Mapped[DataAudience] = mapped_column(enum_column(DataAudience, "data_audience"))
    purpose: Mapped[str] = mapped_column(String(300))
    expires_on: Mapped[date] = mapped_column(Date)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prefilled_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("standing_consents.id"), default=None
    )
    """The standing preference that suggested this answer, if any."""
    note: Mapped[str] = mapped_column(Text, default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    revoke_reason: Mapped[str | None] = mapped_column(Text, default=None)

    __table_args__ = (Index("ix_display_consents_view_center", "view_id", "center_id", "id"),)


class StandingConsent(Base):
    """A center's standing preference; the latest row of a center is the one in force."""

    __tablename__ = "standing_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), index=True)
    preference: Mapped[StandingPreference] = mapped_column(
        enum_column(StandingPreference, "standing_preference")
    )
    valid_until: Mapped[date | None] = mapped_column(Date, default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataViewLink(Base):
    """An unguessable link that opens a published PUBLIC view without signing in. Only the
    SHA-256 of its token is stored."""

    __tablename__ = "data_view_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    view_id: Mapped[int] = mapped_column(
        ForeignKey("data_views.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)


class IdentifiedRead(Base):
    """One read or export of identified center data by someone outside the center (or through a
    public link). Append-only: written in the read's own transaction."""

    __tablename__ = "identified_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    reader_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("data_view_links.id"), default=None)
    channel: Mapped[str] = mapped_column(String(16))
    """How it was read: GRAPHQL, PNG, SVG, VEGA_LITE, CSV."""
    subject: Mapped[str] = mapped_column(String(32))
    """What was read: REPORT, DATA_VIEW, KEY_RESULT, COMPARISON, …"""
    measure_key: Mapped[str | None] = mapped_column(String(64), default=None)
    view_id: Mapped[int | None] = mapped_column(ForeignKey("data_views.id"), default=None)

    __table_args__ = (
        CheckConstraint("reader_id IS NOT NULL OR link_id IS NOT NULL", name="reader_or_link"),
    )


class IdentifiedReadCenter(Base):
    """A center whose identified data one read showed, and the consent it was shown under
    (``None``: shown by role, e.g. to network staff)."""

    __tablename__ = "identified_read_centers"

    read_id: Mapped[int] = mapped_column(
        ForeignKey("identified_reads.id", ondelete="CASCADE"), primary_key=True
    )
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), primary_key=True)
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("display_consents.id"), default=None)

    __table_args__ = (Index("ix_identified_read_centers_center", "center_id", "read_id"),)
