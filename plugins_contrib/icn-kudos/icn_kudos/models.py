"""The plugin's one table. It uses core's Base, so foreign keys to people and centers work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.plugin_api import Base, UTCDateTime, utcnow


class Kudos(Base):
    __tablename__ = "kudos"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: sent by the network itself (a goal reached).
    from_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), default=None
    )
    to_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), default=None
    )
    to_center_id: Mapped[int | None] = mapped_column(
        ForeignKey("centers.id", ondelete="CASCADE"), default=None
    )
    # The goal the kudos is for, if any (added by kudos_0002).
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("goals.id", ondelete="CASCADE"), default=None
    )
    message: Mapped[str] = mapped_column(String(500))
    # The goal an automatic kudos celebrates; unique, so a replayed event adds nothing.
    celebrates: Mapped[str | None] = mapped_column(String(100), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("(to_person_id IS NULL) <> (to_center_id IS NULL)", name="one_recipient"),
        Index("ix_kudos_created_at_id", "created_at", "id"),
        Index("ix_kudos_to_person_id", "to_person_id"),
        Index("ix_kudos_to_center_id", "to_center_id"),
        Index("ix_kudos_goal_id", "goal_id"),
    )
