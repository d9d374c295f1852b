"""Calendar feeds: a person's secret calendar address, stored only as a SHA-256 hash.

A feed lets calendar apps, which cannot send an ``Authorization`` header, subscribe to the
person's own Learning Sessions and to any session's agenda. One live feed per person: making a
new one revokes the old (a partial unique index holds the rule on both databases).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow


class CalendarFeed(Base):
    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written at most once a minute (services/calendar_feeds.py); None: never used.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The session the feed was made with: revoking the session revokes the feed too.
    made_by_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), default=None, index=True
    )

    __table_args__ = (
        Index("ix_calendar_feeds_person_id", "person_id"),
        Index(
            "uq_calendar_feeds_live_person_id",
            "person_id",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
            sqlite_where=text("revoked_at IS NULL"),
        ),
    )
