"""A refresh after an import recomputes only the months the import can change, and stores
exactly what a full refresh stores: crafted imports and seeded random ones, through the real
importer, on both databases."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, select

from icn_graph.db.database import Database
from icn_graph.errors import StartupError
from icn_graph.models import Center, Diagnosis, MeasureValue, PhysicianGlobalAssessment, Visit
from icn_graph.reports.measures import Direction, Measure, MeasureRegistry
from icn_graph.reports.measures.builtin import BUILTIN_MEASURES
from icn_graph.reports.measures.monthly import CenterSpans, PatientMonths
from icn_graph.reports.measures.registry import CORE
from icn_graph.services.registry import PatientKeyHasher, import_visits
from icn_graph.services.reports import refresh_measures
from icn_graph.testing import StatementCounter, make_center

SECRET = "incremental-refresh-secret"
PGA = [member.value for member in PhysicianGlobalAssessment]
HEADER = "patient_key,visit_date,pga,diagnosis,on_steroids,pre_visit_planning\n"

Row = tuple[str, date, str, str, str]  # patient, date, pga, on steroids, planning


def ever_seen(visits: pd.DataFrame) -> pd.DataFrame:
    """Patients seen at the center up to each month, ever: depends on all history."""
    records = PatientMonths.of(visits)
    spans: CenterSpans = records.spans
    first = records.patient_start == np.arange(len(records.month))
    far = np.full(int(first.sum()), records.FAR, dtype=np.int64)
    counted = spans.count_intervals(records.center[first], records.month[first], far)
    return spans.frame(counted, counted)


EVER_SEEN = Measure(
    key="ever_seen",
    title="Patients ever seen",
    definition="Patients seen at the center up to the month.",
    unit="patients",
    direction=Direction.HIGHER_IS_BETTER,
    compute=ever_seen,
)  # window_months None: every month is recomputed
REGISTRY = MeasureRegistry([(CORE, BUILTIN_MEASURES), ("test", [EVER_SEEN])])


async def stored(db: Database) -> list[tuple[object, ...]]:
    async with db.session() as session:
        result = await session.execute(
            select(
                MeasureValue.measure_key,
                MeasureValue.center_id,
                MeasureValue.month,
                MeasureValue.numerator,
                MeasureValue.denominator,
            ).order_by(MeasureValue.measure_key, MeasureValue.center_id, MeasureValue.month)
        )
        return [tuple(row) for row in result.all()]


async def add_visits(db: Database, center: Center, rows: list[Row]) -> None:
    hasher = PatientKeyHasher(SECRET, center.id)
    async with db.transaction() as session:
        session.add_all(
            Visit(
                center_id=center.id,
                patient_key=hasher(patient),
                visit_date=day,
                pga=PhysicianGlobalAssessment(pga),
                diagnosis=Diagnosis.UC,
                on_steroids={"yes": True, "no": False, "": None}[steroids],
                pre_visit_planning={"yes": True, "no": False, "": None}[planning],
            )
            for patient, day, pga, steroids, planning in rows
        )


def csv_of(rows: list[Row]) -> str:
    lines = [f"{p},{d.isoformat()},{pga},UC,{s},{v}\n" for p, d, pga, s, v in rows]
    return HEADER + "".join(lines)


async def full_refresh(db: Database) -> None:
    async with db.transaction() as session:
        await refresh_measures(session, REGISTRY)


async def import_then_compare(
    db: Database, center: Center, imported: list[Row]
) -> list[tuple[object, ...]]:
    """Import ``imported`` for ``center`` and refresh only its months; assert the stored values
    are a full refresh's. Returns the stored values."""
    summary = await import_visits(
        db, center.short_code, io.StringIO(csv_of(imported), newline=""), secret=SECRET
    )
    assert set(summary.months) == {row[1].replace(day=1) for row in imported}
    async with db.transaction() as session:
        await refresh_measures(session, REGISTRY, visit_months={center.id: summary.months})
    incremental = await stored(db)
    await full_refresh(db)
    full = await stored(db)
    assert incremental == full
    return full


def visit(patient: str, day: str, pga: str = "QUIESCENT", steroids: str = "no") -> Row:
    return (patient, date.fromisoformat(day), pga, steroids, "yes")


BASE = [
    visit("a", "2020-01-10"),
    visit("a", "2020-05-02", "MILD", "yes"),
    visit("b", "2020-03-15"),
    visit("b", "2020-09-30"),
    visit("c", "2021-02-01", "SEVERE", ""),
    visit("a", "2021-04-20"),
]

CRAFTED = {
    "new months after the span": [visit("a", "2021-06-01"), visit("d", "2021-07-15")],
    "a visit's values changed mid-span": [visit("b", "2020-09-30", "MODERATE", "yes")],
    "a new patient mid-span": [visit("e", "2020-07-07", "MILD")],
    "months before the span, with a gap of years": [visit("z", "2016-02-02")],
    "months after the span, with a gap of years": [visit("a", "2024-11-11")],
    "a month with no stored neighbours": [visit("b", "2020-02-29"), visit("f", "2022-12-31")],
}


@pytest.mark.parametrize("imported", CRAFTED.values(), ids=list(CRAFTED))
async def test_a_crafted_import_stores_what_a_full_refresh_does(
    db: Database, imported: list[Row]
) -> None:
    center, other = await make_center(db), await make_center(db)
    await add_visits(db, center, BASE)
    await add_visits(db, other, BASE[:3])
    await full_refresh(db)
    others_before = [row for row in await stored(db) if row[1] == other.id]

    after = await import_then_compare(db, center, imported)

    assert [row for row in after if row[1] == other.id] == others_before


async def test_a_centers_first_import_stores_every_month(db: Database) -> None:
    center = await make_center(db)
    await import_then_compare(db, center, BASE)


async def test_only_the_affected_months_are_rewritten(
    db: Database, statements: StatementCounter
) -> None:
    center = await make_center(db)
    await add_visits(db, center, BASE)
    await full_refresh(db)
    async with db.session() as session:
        before = select(MeasureValue.measure_key, MeasureValue.month, MeasureValue.computed_at)
        computed: dict[tuple[str, date], datetime] = {
            (key, month): at for key, month, at in (await session.execute(before)).all()
        }
    summary = await import_visits(
        db,
        center.short_code,
        io.StringIO(csv_of([visit("b", "2020-09-30", "MILD")]), newline=""),
        secret=SECRET,
    )
    statements.reset()
    async with db.transaction() as session:
        await refresh_measures(session, REGISTRY, visit_months={center.id: summary.months})
    # spans (2), the recent visits, the disclosed cells, one delete, one insert (+ lock); then
    # republish: the month's cells, publish, hide, mark disclosed, the network's delete, insert
    assert statements.count <= 13
    async with db.session() as session:
        rows = (
            await session.execute(
                select(MeasureValue.measure_key, MeasureValue.month, MeasureValue.computed_at)
            )
        ).all()
    rewritten: dict[str, list[date]] = {}
    for key, month, computed_at in rows:
        if computed_at != computed[(key, month)]:
            rewritten.setdefault(key, []).append(month)
    window = [date(2020 + (8 + i) // 12, (8 + i) % 12 + 1, 1) for i in range(8)]  # to 2021-04
    assert sorted(rewritten["remission_rate"]) == window
    assert sorted(rewritten["sustained_remission"]) == window
    assert rewritten["pre_visit_planning_rate"] == [date(2020, 9, 1)]
    assert len(rewritten["ever_seen"]) == 16  # no window: every month, 2020-01 to 2021-04


def random_rows(rng: random.Random, count: int, patients: int, start: date, days: int) -> list[Row]:
    rows = {}
    for _ in range(count):
        patient = f"p{rng.randrange(patients)}"
        day = start + timedelta(days=rng.randrange(days))
        rows[(patient, day)] = (
            patient,
            day,
            rng.choice(PGA),
            rng.choice(["yes", "no", ""]),
            rng.choice(["yes", "no", ""]),
        )
    return list(rows.values())


@pytest.mark.parametrize("seed", range(12))
async def test_random_imports_store_what_a_full_refresh_does(db: Database, seed: int) -> None:
    rng = random.Random(seed)
    centers = [await make_center(db), await make_center(db)]
    for center in centers:
        await add_visits(
            db, center, random_rows(rng, rng.randrange(0, 40), 8, date(2015, 1, 1), 1500)
        )
    await full_refresh(db)
    for _ in range(3):  # imports one after another, each refreshed only where it can matter
        center = rng.choice(centers)
        start = date(2013, 1, 1) + timedelta(days=rng.randrange(3000))
        imported = random_rows(rng, rng.randrange(1, 12), 10, start, rng.choice([20, 200, 900]))
        await import_then_compare(db, center, imported)
    async with db.transaction() as session:
        await session.execute(delete(MeasureValue))


@pytest.mark.parametrize("window", [0, -3, 1.5, "12"])
def test_a_window_that_is_not_a_whole_number_of_months_stops_start_up(window: object) -> None:
    odd = Measure(
        key="odd",
        title="Odd",
        definition="",
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=ever_seen,
        window_months=window,  # type: ignore[arg-type]
    )
    with pytest.raises(StartupError, match="plugin 'icn-odd': measure 'odd' has window_months"):
        MeasureRegistry([("icn-odd", [odd])])
