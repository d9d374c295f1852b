"""Benchmark: the measure refresh after a small import, and a full refresh's peak memory.

    ICN_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench \\
        .venv/bin/python bench/bench_refresh.py [--visits 500000] [--rounds 15]
        [--backend postgresql|sqlite] [--unchunked-baseline]

A database is filled with synthetic registry visits (the demo's simulation, as in
``bench_measures.py``: 100 centers, patients seen every three to four months over ten years;
``--visits`` sets the size, e.g. ``--visits 3700000`` for the size of the import that once took
60 s and 1.5 GB to refresh) and every measure is refreshed once. Then, for ``--rounds`` rounds:
a small import (one center, 25 visits in its last two months, through the real importer with
values that change every round), and two refreshes of that center, in alternating order: (a)
only the months the import can change (``visit_months``, as the import command and the upload
do), (b) the baseline, every month of the center (what an import did before). It prints the
best and median of each, the ratio baseline / incremental, and whether the stored values after
(a) equal those after (b). Last, a full refresh of every center runs in a process of its own,
which reports its peak RSS (Linux ``VmHWM``) and time; ``--unchunked-baseline`` runs one more
with all centers in one chunk, the old way, for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from bench_import import peak_rss_mb
from scratch_database import migrated_database
from sqlalchemy import insert, select
from visits_data import SECRET, visits_frame

from icn_graph.db.database import Database
from icn_graph.models import Center, CenterStatus, MeasureValue, Visit
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.registry import import_visits
from icn_graph.services.reports import measure_store
from icn_graph.services.reports.measure_store import refresh_measures

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench"
CENTERS = 100
VISITS_PER_PATIENT = 10  # about, in the simulation over ten years
YEARS = 10
END = date(2024, 12, 31)
IMPORT_ROWS = 25
INSERT_ROWS = 100_000


async def prepare(url: str, visits: int, seed: int) -> dict[str, Any]:
    """A migrated database with ``CENTERS`` centers and about ``visits`` visits, refreshed."""
    database = await migrated_database(url)
    now = datetime.now(UTC)
    async with database.transaction() as session:
        await session.execute(
            insert(Center),
            [
                {
                    "name": f"Bench Center {n}",
                    "short_code": f"B{n:03d}",
                    "city": "Cincinnati",
                    "region": "OH",
                    "country": "US",
                    "joined_on": date(2007, 1, 1),
                    "status": CenterStatus.ACTIVE,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(1, CENTERS + 1)
            ],
        )
    start = time.perf_counter()
    frame = visits_frame(CENTERS, max(visits // VISITS_PER_PATIENT, 10), YEARS, seed, end=END)
    built = time.perf_counter() - start
    start = time.perf_counter()
    for first in range(0, len(frame), INSERT_ROWS):
        await _insert_visits(database, frame.iloc[first : first + INSERT_ROWS], now)
    loaded = time.perf_counter() - start
    total = len(frame)
    counts = frame["center_id"].value_counts()
    del frame
    start = time.perf_counter()
    async with database.transaction() as session:
        await refresh_measures(session, core_registry())
    refreshed = time.perf_counter() - start
    await database.dispose()
    # The center the small imports go to: the median-sized one.
    center = int(counts.index[len(counts) // 2])
    return {
        "visits": total,
        "built": built,
        "loaded": loaded,
        "refreshed": refreshed,
        "center_id": center,
        "center_visits": int(counts[center]),
    }


async def _insert_visits(database: Database, frame: pd.DataFrame, now: datetime) -> None:
    columns = {
        "center_id": frame["center_id"].tolist(),
        "patient_key": frame["patient_key"].astype(str).to_numpy(),
        "visit_date": frame["visit_date"].dt.date.to_numpy(),
        "pga": frame["pga"].astype(str).to_numpy(),
        "diagnosis": frame["diagnosis"].astype(str).to_numpy(),
        **{
            name: frame[name].astype(object).where(frame[name].notna(), None).to_numpy()
            for name in (
                "on_steroids",
                "pre_visit_planning",
                "growth_assessed",
                "nutrition_assessed",
            )
        },
    }
    async with database.transaction() as session:
        connection = await session.connection()
        if connection.dialect.name == "postgresql":
            buffer = io.BytesIO()
            pd.DataFrame(columns).assign(created_at=now.isoformat()).to_csv(
                buffer, index=False, header=False
            )
            buffer.seek(0)
            driver: Any = (await connection.get_raw_connection()).driver_connection
            await driver.copy_to_table(
                "visits", source=buffer, columns=[*columns, "created_at"], format="csv"
            )
            return
        rows = [
            dict(zip(columns, values, strict=True)) | {"created_at": now}
            for values in zip(*columns.values(), strict=True)
        ]
        await session.execute(insert(Visit), rows)


def small_import(round_number: int) -> str:
    """25 visits of one center in its last two months; values change every round."""
    rng = np.random.default_rng(round_number)
    pga = ["QUIESCENT", "MILD", "MODERATE", "SEVERE"]
    lines = ["patient_key,visit_date,pga,diagnosis,on_steroids,pre_visit_planning"]
    for n in range(IMPORT_ROWS):
        day = date(END.year, 11 + n % 2, 1 + n)
        lines.append(
            f"BENCH-{n},{day.isoformat()},{pga[rng.integers(4)]},UC,"
            f"{['no', 'yes'][rng.integers(2)]},{['no', 'yes'][rng.integers(2)]}"
        )
    return "\n".join(lines) + "\n"


async def stored_values(database: Database, center_id: int) -> list[tuple[Any, ...]]:
    async with database.session() as session:
        result = await session.execute(
            select(
                MeasureValue.measure_key,
                MeasureValue.month,
                MeasureValue.numerator,
                MeasureValue.denominator,
            )
            .where(MeasureValue.center_id == center_id)
            .order_by(MeasureValue.measure_key, MeasureValue.month)
        )
        return [tuple(row) for row in result.all()]


async def refreshes(url: str, center_id: int, rounds: int) -> dict[str, Any]:
    """Interleaved: after each small import, the incremental refresh and the baseline."""
    database = Database.from_url(url)
    registry = core_registry()
    async with database.session() as session:
        code = (await session.get(Center, center_id)).short_code  # type: ignore[union-attr]
    times: dict[str, list[float]] = {"incremental": [], "baseline": []}
    rows: dict[str, int] = {}
    same = True
    try:
        for round_number in range(rounds):
            stream = io.StringIO(small_import(round_number), newline="")
            summary = await import_visits(database, code, stream, secret=SECRET)
            order = ["incremental", "baseline"] if round_number % 2 else ["baseline", "incremental"]
            after: dict[str, list[tuple[Any, ...]]] = {}
            for kind in order:
                arguments: dict[str, Any] = (
                    {"visit_months": {center_id: summary.months}}
                    if kind == "incremental"
                    else {"center_ids": [center_id]}
                )
                start = time.perf_counter()
                async with database.transaction() as session:
                    rows[kind] = await refresh_measures(session, registry, **arguments)
                times[kind].append(time.perf_counter() - start)
                after[kind] = await stored_values(database, center_id)
            same = same and after["incremental"] == after["baseline"]
    finally:
        await database.dispose()
    return {"times": times, "rows": rows, "same": same}


async def full_refresh(url: str, chunk: int) -> dict[str, Any]:
    measure_store.CHUNK_VISITS = chunk
    database = Database.from_url(url)
    before = peak_rss_mb()
    start = time.perf_counter()
    try:
        async with database.transaction() as session:
            rows = await refresh_measures(session, core_registry())
    finally:
        await database.dispose()
    return {
        "seconds": time.perf_counter() - start,
        "rows": rows,
        "rss_before_mb": before,
        "rss_peak_mb": peak_rss_mb(),
    }


def full_refresh_in_process(url: str, chunk: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", "--url", url, "--chunk", str(chunk)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"full refresh failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(url: str, visits: int, rounds: int, seed: int, unchunked: bool) -> None:
    prepared = asyncio.run(prepare(url, visits, seed))
    print(
        f"data: {prepared['visits']:,} visits at {CENTERS} centers over {YEARS} years "
        f"(built in {prepared['built']:.1f} s, loaded in {prepared['loaded']:.1f} s, "
        f"first full refresh {prepared['refreshed']:.1f} s)"
    )
    print(
        f"small import: {IMPORT_ROWS} visits in the last two months of one center "
        f"({prepared['center_visits']:,} visits); {rounds} rounds, interleaved"
    )
    result = asyncio.run(refreshes(url, prepared["center_id"], rounds))
    for kind, label in (
        ("incremental", "incremental (months the import can change)"),
        ("baseline", "baseline (every month of the center)"),
    ):
        times = result["times"][kind]
        print(
            f"{label:<44} best {min(times) * 1000:7.1f} ms   median "
            f"{statistics.median(times) * 1000:7.1f} ms   {result['rows'][kind]:,} rows"
        )
    ratio = statistics.median(result["times"]["baseline"]) / statistics.median(
        result["times"]["incremental"]
    )
    print(f"ratio baseline / incremental (median): {ratio:.1f}x")
    print(f"stored values after each: identical: {result['same']}")
    runs = [("chunked", measure_store.CHUNK_VISITS)]
    if unchunked:
        runs.append(("unchunked (one chunk, the old way)", 1 << 62))
    for label, chunk in runs:
        full = full_refresh_in_process(url, chunk)
        print(
            f"full refresh, {label}: {full['seconds']:.1f} s, {full['rows']:,} rows, peak RSS "
            f"{full['rss_peak_mb']:.0f} MB (process at start {full['rss_before_mb']:.0f} MB)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ICN_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="a database the bench may empty (ICN_BENCH_POSTGRES_URL)",
    )
    parser.add_argument("--unchunked-baseline", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--chunk", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        print(json.dumps(asyncio.run(full_refresh(arguments.url, arguments.chunk))))
    elif arguments.backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="icn-bench-refresh-") as directory:
            sqlite_url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
            main(
                sqlite_url,
                arguments.visits,
                arguments.rounds,
                arguments.seed,
                arguments.unchunked_baseline,
            )
    else:
        main(
            arguments.postgres_url,
            arguments.visits,
            arguments.rounds,
            arguments.seed,
            arguments.unchunked_baseline,
        )
