"""People: everyone with an account, from clinicians to parent and patient partners."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime
from icn_graph.models.columns import Timestamps, enum_column

if TYPE_CHECKING:
    from icn_graph.models.memberships import Membership


class PersonKind(enum.StrEnum):
    CLINICIAN = "CLINICIAN"
    NURSE = "NURSE"
    DIETITIAN = "DIETITIAN"
    SOCIAL_WORKER = "SOCIAL_WORKER"
    PSYCHOLOGIST = "PSYCHOLOGIST"
    QI_LEAD = "QI_LEAD"
    DATA_MANAGER = "DATA_MANAGER"
    PARENT_PARTNER = "PARENT_PARTNER"
    PATIENT_PARTNER = "PATIENT_PARTNER"
    STAFF = "STAFF"


PARTNER_KINDS = frozenset({PersonKind.PARENT_PARTNER, PersonKind.PATIENT_PARTNER})


class NetworkRole(enum.StrEnum):
    ADMIN = "ADMIN"
    STAFF = "STAFF"
    DATA_MANAGER = "DATA_MANAGER"
    MEMBER = "MEMBER"


class Person(Timestamps, Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    # Lower-cased email: uniqueness is case-insensitive on every backend.
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    kind: Mapped[PersonKind] = mapped_column(enum_column(PersonKind, "person_kind"))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    network_role: Mapped[NetworkRole] = mapped_column(
        enum_column(NetworkRole, "network_role"), default=NetworkRole.MEMBER
    )
    # Free text ("she/her"); empty: not given.
    pronouns: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # A BCP 47 language tag ("en", "en-US", "fr-CA").
    locale: Mapped[str] = mapped_column(String(35), default="en", server_default="en")
    # Set by `deactivatePerson`: no token or link works for them, their history stays.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    memberships: Mapped[list[Membership]] = relationship(back_populates="person", lazy="raise")

    __table_args__ = (
        Index("ix_people_display_name_id", "display_name", "id"),
        Index("ix_people_kind", "kind"),
    )
