"""Helpers for the outcome-report tests: stored monthly values, people in each audience, and
the report query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Center, CenterRole, MeasureValue, NetworkRole, PersonKind
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.reports.disclosure import republish
from icn_graph.testing import make_center, make_person, token_for

MEASURE = "remission_rate"

REPORT_FIELDS = """
    measure { key title unit direction }
    center { shortCode }
    chart
    centerLine
    points {
      month numerator denominator value suppressed centerLine lowerLimit upperLimit
    }
    signals { rule startMonth endMonth description }
"""

REPORT_QUERY = f"""
query Report(
  $measure: String!, $centerId: ID, $from: Date, $to: Date,
  $chart: ReportChart! = P_CHART, $baselineMonths: Int, $laney: Boolean! = false
) {{
  report(
    measure: $measure, centerId: $centerId, from: $from, to: $to, chart: $chart,
    baselineMonths: $baselineMonths, laney: $laney
  ) {{ {REPORT_FIELDS} }}
}}
"""


def month(index: int, start: date = date(2022, 1, 1)) -> date:
    """The ``index``-th month after ``start``."""
    total = start.year * 12 + start.month - 1 + index
    return date(total // 12, total % 12 + 1, 1)


async def store_values(
    db: Database,
    center: Center,
    counts: Sequence[tuple[int, int]],
    *,
    measure: str = MEASURE,
    start: date = date(2022, 1, 1),
) -> None:
    """Store ``counts`` (numerator, denominator) for consecutive months from ``start``, and
    republish the table (as a refresh does)."""
    async with db.transaction() as session:
        session.add_all(
            MeasureValue(
                measure_key=measure,
                center_id=center.id,
                month=month(index, start),
                numerator=numerator,
                denominator=denominator,
            )
            for index, (numerator, denominator) in enumerate(counts)
        )
        await session.flush()
        await republish(session, core_registry())


@dataclass
class Audience:
    """One center and a token for each kind of reader."""

    center: Center
    other_center: Center
    member: str
    """A clinician on ``center``'s team."""
    other_member: str
    """A clinician on ``other_center``'s team."""
    staff: str
    admin: str
    data_manager: str
    """A network data manager (on no center's team)."""

    @property
    def center_id(self) -> str:
        return to_global_id("Center", self.center.id)


async def make_audience(db: Database) -> Audience:
    center = await make_center(db)
    other = await make_center(db)

    async def token(**fields: Any) -> str:
        return await token_for(db, await make_person(db, **fields))

    return Audience(
        center=center,
        other_center=other,
        member=await token(center=center, role=CenterRole.CLINICIAN),
        other_member=await token(center=other, role=CenterRole.CLINICIAN),
        staff=await token(kind=PersonKind.STAFF, network_role=NetworkRole.STAFF),
        admin=await token(kind=PersonKind.STAFF, network_role=NetworkRole.ADMIN),
        data_manager=await token(kind=PersonKind.STAFF, network_role=NetworkRole.DATA_MANAGER),
    )
