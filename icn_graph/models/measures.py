"""Monthly measure values per center: what the measures registry computed from visits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow


class MeasureValue(Base):
    __tablename__ = "measure_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_key: Mapped[str] = mapped_column(String(64))
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    numerator: Mapped[int]
    denominator: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("measure_key", "center_id", "month"),
        Index("ix_measure_values_measure_key_month", "measure_key", "month"),
    )
