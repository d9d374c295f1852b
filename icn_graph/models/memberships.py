"""Memberships: a person's role on a center's care team (partners included)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow
from icn_graph.models.centers import Center
from icn_graph.models.columns import enum_column
from icn_graph.models.people import Person


class CenterRole(enum.StrEnum):
    CLINICIAN = "CLINICIAN"
    NURSE = "NURSE"
    DIETITIAN = "DIETITIAN"
    SOCIAL_WORKER = "SOCIAL_WORKER"
    PSYCHOLOGIST = "PSYCHOLOGIST"
    QI_LEAD = "QI_LEAD"
    DATA_MANAGER = "DATA_MANAGER"
    PARENT_PARTNER = "PARENT_PARTNER"
    PATIENT_PARTNER = "PATIENT_PARTNER"


class Membership(Base):
    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    role: Mapped[CenterRole] = mapped_column(enum_column(CenterRole, "center_role"))
    since: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="memberships", lazy="raise")
    center: Mapped[Center] = relationship(back_populates="memberships", lazy="raise")

    __table_args__ = (UniqueConstraint("person_id", "center_id"),)
