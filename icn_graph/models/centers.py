"""Care centers: the hospitals and clinics whose care teams make up the network."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icn_graph.db.base import Base
from icn_graph.models.columns import Timestamps, enum_column

if TYPE_CHECKING:
    from icn_graph.models.memberships import Membership


class CenterStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class Center(Timestamps, Base):
    __tablename__ = "centers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_code: Mapped[str] = mapped_column(String(16), unique=True)
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    joined_on: Mapped[date] = mapped_column(Date)
    status: Mapped[CenterStatus] = mapped_column(
        enum_column(CenterStatus, "center_status"), default=CenterStatus.ACTIVE
    )

    memberships: Mapped[list[Membership]] = relationship(back_populates="center", lazy="raise")

    __table_args__ = (
        Index("ix_centers_name_id", "name", "id"),
        Index("ix_centers_joined_on_id", "joined_on", "id"),
        Index("ix_centers_region", "region"),
    )
