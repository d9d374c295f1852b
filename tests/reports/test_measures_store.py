"""Stored measure values on both databases: the visits frame, refresh, reading counts, the CLI."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select

from icn_graph.cli import main
from icn_graph.config import Settings
from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.errors import NotFound
from icn_graph.host import load_plugins
from icn_graph.models import Diagnosis, MeasureValue, PhysicianGlobalAssessment, Visit
from icn_graph.plugins import hookimpl
from icn_graph.reports.measures import Direction, Measure, MeasureRegistry
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.reports.measures.frames import load_visits_frame
from icn_graph.reports.measures.monthly import visit_share
from icn_graph.services.reports import (
    MeasureComputationError,
    MonthlyCount,
    load_monthly_counts,
    refresh_center_measures,
    refresh_measures,
)
from icn_graph.testing import StatementCounter, make_center, snapshot

Q = PhysicianGlobalAssessment.QUIESCENT
MILD = PhysicianGlobalAssessment.MILD
REGISTRY = core_registry()


async def add_visits(
    db: Database,
    center_id: int,
    rows: list[tuple[str, str, PhysicianGlobalAssessment, bool | None, bool | None]],
) -> None:
    """(patient, date, PGA, on steroids, pre-visit planning) visits of one center."""
    async with db.transaction() as session:
        session.add_all(
            Visit(
                center_id=center_id,
                patient_key=patient.ljust(64, "0"),
                visit_date=date.fromisoformat(day),
                pga=pga,
                diagnosis=Diagnosis.CROHNS,
                on_steroids=steroids,
                pre_visit_planning=planning,
            )
            for patient, day, pga, steroids, planning in rows
        )


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


async def refresh(db: Database, center_ids: list[int] | None = None) -> int:
    async with db.transaction() as session:
        return await refresh_measures(session, REGISTRY, center_ids=center_ids)


async def counts(
    db: Database,
    key: str,
    center_ids: list[int] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[MonthlyCount]:
    async with db.session() as session:
        return await load_monthly_counts(session, key, center_ids=center_ids, start=start, end=end)


async def test_the_visits_frame_has_the_contracts_dtypes(db: Database) -> None:
    first, second = await make_center(db), await make_center(db)
    await add_visits(
        db, first.id, [("a", "2024-01-31", Q, None, True), ("b", "2024-02-01", MILD, False, None)]
    )
    await add_visits(db, second.id, [("c", "2023-05-05", Q, True, False)])
    async with db.session() as session:
        visits = await load_visits_frame(session, [first.id])
        everything = await load_visits_frame(session, None)
        nothing = await load_visits_frame(session, [])
    assert visits.dtypes.astype(str).to_dict() == {
        "center_id": "int64",
        "patient_key": "category",
        "visit_date": "datetime64[ns]",
        "pga": "category",
        "diagnosis": "category",
        "on_steroids": "boolean",
        "pre_visit_planning": "boolean",
        "growth_assessed": "boolean",
        "nutrition_assessed": "boolean",
    }
    visits = visits.sort_values("visit_date", ignore_index=True)
    assert visits["visit_date"].tolist() == [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-01")]
    assert visits["pga"].tolist() == ["QUIESCENT", "MILD"]
    assert list(visits["pga"].cat.categories) == ["QUIESCENT", "MILD", "MODERATE", "SEVERE"]
    assert visits["on_steroids"].tolist() == [pd.NA, False]
    assert visits["pre_visit_planning"].tolist() == [True, pd.NA]
    assert visits["patient_key"].tolist() == ["a".ljust(64, "0"), "b".ljust(64, "0")]
    assert sorted(everything["center_id"].tolist()) == sorted([first.id, first.id, second.id])
    assert nothing.empty
    assert nothing.dtypes.astype(str).equals(visits.dtypes.astype(str))


async def test_refresh_stores_every_measure_of_every_center(db: Database) -> None:
    first, second, quiet = await make_center(db), await make_center(db), await make_center(db)
    await add_visits(
        db,
        first.id,
        [
            ("a", "2024-01-10", Q, False, True),
            ("b", "2024-02-10", MILD, True, False),
            ("a", "2024-03-10", Q, None, None),
        ],
    )
    await add_visits(db, second.id, [("c", "2023-12-01", Q, False, True)])

    written = await refresh(db)

    # first: 3 months x 4 measures; second: 1 month x 4; quiet (no visits): nothing.
    assert written == 16
    assert len(await stored(db)) == 16
    # a quiescent all along; b MILD from February: 1/1, 1/2, 1/2.
    assert await counts(db, "remission_rate", [first.id]) == [
        MonthlyCount(first.id, date(2024, 1, 1), 1, 1),
        MonthlyCount(first.id, date(2024, 2, 1), 1, 2),
        MonthlyCount(first.id, date(2024, 3, 1), 1, 2),
    ]
    # a's March visit has unknown steroid status: not steroid-free.
    assert [c.numerator for c in await counts(db, "steroid_free_remission", [first.id])] == [
        1,
        1,
        0,
    ]
    # a has two quiescent visits in the window from March.
    assert [c.numerator for c in await counts(db, "sustained_remission", [first.id])] == [0, 0, 1]
    planning = await counts(db, "pre_visit_planning_rate", [first.id])
    assert [(c.numerator, c.denominator) for c in planning] == [(1, 1), (0, 1), (0, 0)]
    assert await counts(db, "remission_rate", [quiet.id]) == []


async def test_refreshing_one_center_leaves_the_others_alone(db: Database) -> None:
    first, second = await make_center(db), await make_center(db)
    await add_visits(db, first.id, [("a", "2024-01-10", Q, False, True)])
    await add_visits(db, second.id, [("b", "2024-01-10", Q, False, True)])
    await refresh(db)
    before = await snapshot(db)
    await add_visits(db, first.id, [("z", "2024-02-10", MILD, None, None)])
    await add_visits(db, second.id, [("y", "2024-02-10", MILD, None, None)])

    written = await refresh(db, [first.id])

    assert written == 8  # two months of four measures, first center only
    after = await snapshot(db)
    unchanged = [row for row in before["measure_values"] if row[2] == second.id]
    assert [row for row in after["measure_values"] if row[2] == second.id] == unchanged
    assert await counts(db, "remission_rate", [first.id]) == [
        MonthlyCount(first.id, date(2024, 1, 1), 1, 1),
        MonthlyCount(first.id, date(2024, 2, 1), 1, 2),
    ]
    assert await counts(db, "remission_rate", [second.id]) == [
        MonthlyCount(second.id, date(2024, 1, 1), 1, 1)
    ]


async def test_a_center_whose_visits_are_gone_keeps_no_values(db: Database) -> None:
    center = await make_center(db)
    await add_visits(db, center.id, [("a", "2024-01-10", Q, False, True)])
    await refresh(db, [center.id])
    async with db.transaction() as session:
        await session.execute(delete(Visit).where(Visit.center_id == center.id))
    assert await refresh(db, [center.id]) == 0
    assert await stored(db) == []
    assert await refresh(db, []) == 0


async def test_refresh_costs_the_same_statements_for_more_centers(
    db: Database, statements: StatementCounter
) -> None:
    async def refresh_counting(centers: int) -> int:
        for _ in range(centers):
            center = await make_center(db)
            await add_visits(db, center.id, [("a", "2024-01-10", Q, False, True)])
        statements.reset()
        await refresh(db)
        return statements.count

    # The visits per center (to chunk them), one read of the visits per chunk (a COPY on
    # PostgreSQL, which the counter doesn't see), the months stored before, the cells disclosed
    # before, one delete, one insert; then the republish: one read of the values, one update
    # publishing them, one hiding the small cells (one per 1,000), one marking the published
    # ones disclosed, one delete and one insert of the network totals. The same for 2 centers
    # or 7.
    two = await refresh_counting(2)
    seven = await refresh_counting(5)
    assert two == seven
    assert two <= 12
    assert len(await stored(db)) == 7 * 4


async def test_a_failing_measure_changes_nothing(db: Database) -> None:
    center = await make_center(db)
    await add_visits(db, center.id, [("a", "2024-01-10", Q, False, True)])
    await refresh(db)
    before = await snapshot(db)

    def broken(visits: pd.DataFrame) -> pd.DataFrame:
        return visits.assign(month=visits["visit_date"], numerator=2, denominator=1)

    registry = MeasureRegistry(
        [
            ("core", REGISTRY.all()),
            (
                "icn-broken",
                [Measure("broken", "Broken", "-", "%", Direction.LOWER_IS_BETTER, broken)],
            ),
        ]
    )
    await add_visits(db, center.id, [("b", "2024-02-10", Q, False, True)])
    with pytest.raises(
        MeasureComputationError, match="measure 'broken': compute returned a numerator"
    ):
        async with db.transaction() as session:
            await refresh_measures(session, registry)
    assert (await snapshot(db))["measure_values"] == before["measure_values"]

    def raising(visits: pd.DataFrame) -> pd.DataFrame:
        raise KeyError("growth")

    failing = MeasureRegistry(
        [
            (
                "icn-broken",
                [Measure("failing", "Failing", "-", "%", Direction.LOWER_IS_BETTER, raising)],
            )
        ]
    )
    with pytest.raises(
        MeasureComputationError, match=r"measure 'failing': compute failed: KeyError"
    ):
        async with db.transaction() as session:
            await refresh_measures(session, failing)


async def test_reading_counts_by_months_and_centers(db: Database) -> None:
    first, second = await make_center(db), await make_center(db)
    await add_visits(
        db, first.id, [("a", "2023-11-10", Q, None, None), ("a", "2024-02-10", Q, None, None)]
    )
    await add_visits(db, second.id, [("b", "2023-12-10", MILD, None, None)])
    await refresh(db)

    months = [(c.center_id, c.month) for c in await counts(db, "remission_rate")]
    assert months == [
        (first.id, date(2023, 11, 1)),
        (first.id, date(2023, 12, 1)),
        (first.id, date(2024, 1, 1)),
        (first.id, date(2024, 2, 1)),
        (second.id, date(2023, 12, 1)),
    ]
    # start and end may fall inside a month: the whole month counts.
    window = await counts(db, "remission_rate", None, date(2023, 12, 15), date(2024, 1, 3))
    assert [(c.center_id, c.month) for c in window] == [
        (first.id, date(2023, 12, 1)),
        (first.id, date(2024, 1, 1)),
        (second.id, date(2023, 12, 1)),
    ]
    assert await counts(db, "remission_rate", [second.id], end=date(2023, 11, 30)) == []
    assert await counts(db, "no_such_measure") == []
    assert await counts(db, "remission_rate", []) == []


async def test_refreshing_a_center_by_code(db: Database) -> None:
    center = await make_center(db)
    await add_visits(db, center.id, [("a", "2024-01-10", Q, False, True)])
    registry = core_registry()
    summary = await refresh_center_measures(db, registry, f" {center.short_code.lower()} ")
    assert (summary.center_code, summary.measures, summary.rows) == (center.short_code, 4, 4)
    with pytest.raises(NotFound, match="No center with code 'NOPE'"):
        await refresh_center_measures(db, registry, "NOPE")


# -- CLI -----------------------------------------------------------------------------------

SECRET = "test-patient-key-secret"
T = TypeVar("T")


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    migrations.upgrade(url)
    return {
        "ICN_DATABASE_URL": url,
        "ICN_LOG_LEVEL": "WARNING",
        "ICN_PLUGINS": "core",
        "ICN_PATIENT_KEY_SECRET": SECRET,
    }


def _with_db(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database.from_url(url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def test_cli_import_refreshes_the_centers_measures(cli_env: dict[str, str], tmp_path: Path) -> None:
    url = cli_env["ICN_DATABASE_URL"]
    _with_db(url, partial(make_center, short_code="CIN"))
    file = tmp_path / "cin.csv"
    file.write_text(
        "patient_key,visit_date,pga,diagnosis,on_steroids,pre_visit_planning\n"
        "P-1,2024-01-15,QUIESCENT,UC,no,yes\n"
        "P-2,2024-03-02,MILD,UC,yes,no\n"
    )
    runner = CliRunner()
    result = runner.invoke(main, ["import", "visits", str(file), "--center", "CIN"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "cin.csv -> CIN: 2 rows read, 2 visits added, 0 updated" in result.output
    # January..March, four measures.
    assert "measures refreshed for CIN: 12 monthly values of 4 measures" in result.output
    remission = _with_db(url, partial(counts_of, "remission_rate"))
    assert remission == [(1, 1), (1, 1), (1, 2)]

    refreshed = runner.invoke(main, ["measures", "refresh", "--center", "cin"], env=cli_env)
    assert refreshed.exit_code == 0, refreshed.output
    assert "measures refreshed for CIN: 12 monthly values of 4 measures" in refreshed.output
    everything = runner.invoke(main, ["measures", "refresh"], env=cli_env)
    assert (
        "measures refreshed for all centers: 12 monthly values of 4 measures" in everything.output
    )

    unknown = runner.invoke(main, ["measures", "refresh", "--center", "ZZZ"], env=cli_env)
    assert unknown.exit_code == 1
    assert "No center with code 'ZZZ'." in unknown.output
    assert "Traceback" not in unknown.output


async def counts_of(key: str, db: Database) -> list[tuple[int, int]]:
    return [(c.numerator, c.denominator) for c in await counts(db, key)]


def test_cli_lists_the_measures(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["measures", "list"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "remission_rate (core): Remission rate [%, higher is better]" in result.output
    for key in ("steroid_free_remission", "sustained_remission", "pre_visit_planning_rate"):
        assert f"{key} (core):" in result.output
    assert "latest visit's Physician Global Assessment is" in result.output


class GrowthPlugin:
    @hookimpl
    def register_measures(self) -> list[Measure]:
        return [
            Measure(
                key="growth_assessment_rate",
                title="Growth assessment",
                definition="Share of visits with growth assessed, among visits recording it.",
                unit="%",
                direction=Direction.HIGHER_IS_BETTER,
                compute=partial(visit_share, column="growth_assessed"),
            )
        ]


async def test_a_plugins_measure_is_refreshed_and_stored(db: Database, settings: Settings) -> None:
    host = load_plugins(settings, extra=[("icn-growth", GrowthPlugin())], discover=False)
    registry = MeasureRegistry.load(host)
    center = await make_center(db)
    async with db.transaction() as session:
        session.add_all(
            Visit(
                center_id=center.id,
                patient_key=key.ljust(64, "0"),
                visit_date=date(2024, 4, day),
                pga=Q,
                diagnosis=Diagnosis.UC,
                growth_assessed=assessed,
            )
            for key, day, assessed in [("a", 1, True), ("b", 2, False), ("c", 3, None)]
        )
        # Refreshed in the same transaction as the (unflushed) visits: they are included.
        assert await refresh_measures(session, registry, center_ids=[center.id]) == 5
    growth = await counts(db, "growth_assessment_rate")
    assert growth == [MonthlyCount(center.id, date(2024, 4, 1), 1, 2)]
