"""The attendance mix: who registered and who came, by kind of person, the way a network reports
its meetings ("42 parents, 18 patients, 61 physicians, ...")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select

from icn_graph.db.database import Database
from icn_graph.models import Person, PersonKind, Registration

# The order meeting reports use: partners first, then the care team, then the network.
MIX_ORDER: tuple[PersonKind, ...] = (
    PersonKind.PATIENT_PARTNER,
    PersonKind.PARENT_PARTNER,
    PersonKind.CLINICIAN,
    PersonKind.NURSE,
    PersonKind.DIETITIAN,
    PersonKind.SOCIAL_WORKER,
    PersonKind.PSYCHOLOGIST,
    PersonKind.QI_LEAD,
    PersonKind.DATA_MANAGER,
    PersonKind.STAFF,
)

LABELS: dict[PersonKind, str] = {
    PersonKind.PATIENT_PARTNER: "Patients",
    PersonKind.PARENT_PARTNER: "Parents",
    PersonKind.CLINICIAN: "Physicians",
    PersonKind.NURSE: "Nurses",
    PersonKind.DIETITIAN: "Dietitians",
    PersonKind.SOCIAL_WORKER: "Social workers",
    PersonKind.PSYCHOLOGIST: "Psychologists",
    PersonKind.QI_LEAD: "QI leads",
    PersonKind.DATA_MANAGER: "Data managers",
    PersonKind.STAFF: "Network staff",
}


@dataclass(frozen=True)
class MixRow:
    kind: PersonKind
    registered: int
    attended: int

    @property
    def label(self) -> str:
        return LABELS[self.kind]


@dataclass(frozen=True)
class AttendanceMix:
    """One row per kind of person, every kind present (zeros included), in ``MIX_ORDER``."""

    rows: tuple[MixRow, ...]

    @property
    def registered(self) -> int:
        return sum(row.registered for row in self.rows)

    @property
    def attended(self) -> int:
        return sum(row.attended for row in self.rows)


async def attendance_mixes(db: Database, session_ids: Sequence[int]) -> list[AttendanceMix]:
    """The mix of each session, in one statement (for loaders; the caller checked the viewer)."""
    counts: dict[tuple[int, PersonKind], tuple[int, int]] = {}
    if session_ids:
        statement = (
            select(
                Registration.session_id,
                Person.kind,
                func.count(),
                func.coalesce(func.sum(cast(Registration.attended, Integer)), 0),
            )
            .join(Person, Person.id == Registration.person_id)
            .where(Registration.session_id.in_(set(session_ids)))
            .group_by(Registration.session_id, Person.kind)
        )
        async with db.session() as session:
            for session_id, kind, registered, attended in await session.execute(statement):
                counts[(session_id, kind)] = (int(registered), int(attended))
    return [
        AttendanceMix(
            tuple(MixRow(kind, *counts.get((session_id, kind), (0, 0))) for kind in MIX_ORDER)
        )
        for session_id in session_ids
    ]
