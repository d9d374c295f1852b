"""Monthly measure values per center and for the network: what the measures registry computed
from visits, and whether each cell is published (the disclosure policy's pattern)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, false
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
    published: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Whether readers outside the center may see this cell; false until the disclosure policy
    has judged it (a refresh writes false, the republish that ends it decides)."""
    disclosed: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Whether this cell has ever been published with exactly these counts: readers may have
    saved them, so hiding it later protects nothing (a refresh that rewrites the same counts
    keeps the flag; republish sets it on every published cell)."""

    __table_args__ = (
        UniqueConstraint("measure_key", "center_id", "month"),
        Index("ix_measure_values_measure_key_month", "measure_key", "month"),
        # republish reads and flags every center's cells of the months an import rewrote
        Index("ix_measure_values_month", "month"),
    )


class NetworkValue(Base):
    """A measure's network total for one month (the sum over centers), as last published."""

    __tablename__ = "network_values"

    measure_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    numerator: Mapped[int]
    denominator: Mapped[int]
    published: Mapped[bool]
