"""90-day goals: owned by a center or by a person, with key results and a history of check-ins.

Goals are never deleted: a finished goal is closed (``DONE`` or ``DROPPED``) and may later be
archived, which only hides it from default listings.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow
from icn_graph.models.columns import Timestamps, enum_column


class GoalStatus(enum.StrEnum):
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    OFF_TRACK = "OFF_TRACK"
    DONE = "DONE"
    DROPPED = "DROPPED"


OPEN_STATUSES = frozenset({GoalStatus.ON_TRACK, GoalStatus.AT_RISK, GoalStatus.OFF_TRACK})
CLOSED_STATUSES = frozenset({GoalStatus.DONE, GoalStatus.DROPPED})


class GoalKind(enum.StrEnum):
    """Derived from the owner, never stored: ``CENTER`` for a center's goal, ``PARTNER`` for a
    person's own goal (partners set them "just like the care centers"; a clinician's personal goal
    is a ``PARTNER`` goal too, since the owner is a person)."""

    CENTER = "CENTER"
    PARTNER = "PARTNER"


class Goal(Timestamps, Base):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Exactly one owner: a center or a person (see the "owner" check constraint).
    center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"), default=None)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    title: Mapped[str] = mapped_column(String(200))
    aim: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[GoalStatus] = mapped_column(
        enum_column(GoalStatus, "goal_status"), default=GoalStatus.ON_TRACK
    )
    confidence: Mapped[int] = mapped_column(SmallInteger)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def kind(self) -> GoalKind:
        return GoalKind.CENTER if self.center_id is not None else GoalKind.PARTNER

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    __table_args__ = (
        CheckConstraint(
            "(center_id IS NULL AND person_id IS NOT NULL)"
            " OR (center_id IS NOT NULL AND person_id IS NULL)",
            name="owner",
        ),
        CheckConstraint("confidence BETWEEN 1 AND 10", name="confidence"),
        CheckConstraint("due_on > starts_on", name="dates"),
        Index("ix_goals_due_on_id", "due_on", "id"),
        Index("ix_goals_created_at_id", "created_at", "id"),
        Index("ix_goals_title_id", "title", "id"),
        Index("ix_goals_center_id_due_on_id", "center_id", "due_on", "id"),
        Index("ix_goals_person_id_due_on_id", "person_id", "due_on", "id"),
    )


class KeyResult(Timestamps, Base):
    """A measurable result of a goal, e.g. "patients in remission" from 72 % to 80 %.

    ``measure_key`` is the place a later issue fills to compute ``current_value`` from a
    measure's monthly data (see ``services.goals.progress.current_value``); today it is unused and
    the current value is the one recorded by the latest check-in.
    """

    __tablename__ = "key_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(32), default=None)
    start_value: Mapped[float] = mapped_column(Float)
    target_value: Mapped[float] = mapped_column(Float)
    current_value: Mapped[float] = mapped_column(Float)
    measure_key: Mapped[str | None] = mapped_column(String(64), default=None)


class CheckIn(Base):
    """One entry in a goal's history: a note, the status and confidence, the values then."""

    __tablename__ = "goal_check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[GoalStatus] = mapped_column(enum_column(GoalStatus, "check_in_status"))
    confidence: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("confidence BETWEEN 1 AND 10", name="confidence"),
        Index("ix_goal_check_ins_goal_id_created_at_id", "goal_id", "created_at", "id"),
    )


class CheckInValue(Base):
    """A key result's value as recorded by a check-in."""

    __tablename__ = "goal_check_in_values"

    check_in_id: Mapped[int] = mapped_column(ForeignKey("goal_check_ins.id"), primary_key=True)
    key_result_id: Mapped[int] = mapped_column(
        ForeignKey("key_results.id"), primary_key=True, index=True
    )
    value: Mapped[float] = mapped_column(Float)
