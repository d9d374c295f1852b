"""Registry visits: one clinic visit of one patient at one center, keyed pseudonymously.

``patient_key`` is a keyed hash (HMAC-SHA256, see ``services/registry/patient_keys.py``) of the
center-local key a data manager uploads; the raw key is never stored.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow
from icn_graph.models.columns import enum_column


class PhysicianGlobalAssessment(enum.StrEnum):
    QUIESCENT = "QUIESCENT"
    MILD = "MILD"
    MODERATE = "MODERATE"
    SEVERE = "SEVERE"


class Diagnosis(enum.StrEnum):
    CROHNS = "CROHNS"
    UC = "UC"
    IBDU = "IBDU"


PATIENT_KEY_LENGTH = 64  # hex digits of an HMAC-SHA256


class Visit(Base):
    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"))
    patient_key: Mapped[str] = mapped_column(String(PATIENT_KEY_LENGTH))
    visit_date: Mapped[date] = mapped_column(Date)
    pga: Mapped[PhysicianGlobalAssessment] = mapped_column(
        enum_column(PhysicianGlobalAssessment, "visit_pga")
    )
    diagnosis: Mapped[Diagnosis] = mapped_column(enum_column(Diagnosis, "visit_diagnosis"))
    on_steroids: Mapped[bool | None] = mapped_column(default=None)
    pre_visit_planning: Mapped[bool | None] = mapped_column(default=None)
    growth_assessed: Mapped[bool | None] = mapped_column(default=None)
    nutrition_assessed: Mapped[bool | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("center_id", "patient_key", "visit_date"),
        Index("ix_visits_center_id_visit_date", "center_id", "visit_date"),
    )
