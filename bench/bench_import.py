"""Benchmark: a visits file through the real importer vs a raw load of the same rows, interleaved.

    ICN_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench \\
        .venv/bin/python bench/bench_import.py [--rows 200000] [--rounds 3] [--backend both]
        [--profile]

A center's import file (one center, patients seen every three to four months over ten years) is
generated to a temporary file chunk by chunk, never held in memory. For each backend a fresh
database is migrated and given that one center (SQLite: a file in the temporary directory;
PostgreSQL: ``--postgres-url``, whose public schema is dropped and recreated). Then, ``--rounds``
times, alternating A, B, A, B, each into an emptied ``visits`` table and each in a process of its
own so its peak RSS is its own:

A. the import, ``import_visits`` called exactly as ``icn-graph import visits`` calls it;
B. the anchor, a raw load of the same rows as stored (keys hashed, dates parsed, no validation):
   on PostgreSQL one asyncpg ``copy_records_to_table`` streaming the file straight into
   ``visits``; on SQLite one ``sqlite3`` ``executemany`` of a plain ``INSERT``.

It prints each run, the medians and the ratio anchor time / import time (1.0 = as fast as the raw
load), the peak RSS next to the file size (the import's memory stays flat however large the file
is), then the measure refresh the command runs next (``refresh_center_measures``).
``figures(quick)`` is its row of ``make bench`` (bench/run.py): PostgreSQL only, 50,000 rows.
``--profile`` prints where the import spends its time (cProfile).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import csv
import io
import json
import os
import pstats
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from figures import Figure
from scratch_database import migrated_database
from sqlalchemy import delete, insert, make_url, select, text
from visits_data import SECRET, write_visits_csv

from icn_graph.db.database import Database
from icn_graph.models import Center, CenterStatus, Visit
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.registry import PatientKeyHasher, import_visits
from icn_graph.services.reports.measure_store import refresh_center_measures

CENTER_CODE = "BENCH-1"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench"
COLUMNS = (
    "center_id",
    "patient_key",
    "visit_date",
    "pga",
    "diagnosis",
    "on_steroids",
    "pre_visit_planning",
    "growth_assessed",
    "nutrition_assessed",
    "created_at",
)
FLAGS = {"true": True, "false": False, "": None}


async def prepare(url: str) -> None:
    """A migrated, empty database holding the one center the file is imported for."""
    database = await migrated_database(url)
    now = datetime.now(UTC)
    async with database.transaction() as session:
        await session.execute(
            insert(Center),
            [
                {
                    "name": "Benchmark Children's Hospital",
                    "short_code": CENTER_CODE,
                    "city": "Cincinnati",
                    "region": "OH",
                    "country": "US",
                    "joined_on": date(2007, 1, 1),
                    "status": CenterStatus.ACTIVE,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
    await database.dispose()


async def empty_visits(url: str) -> None:
    """Every run loads into an empty ``visits`` (TRUNCATE on PostgreSQL: no dead rows left)."""
    database = Database.from_url(url)
    async with database.transaction() as session:
        if database.dialect == "postgresql":
            await session.execute(text("TRUNCATE visits"))
        else:
            await session.execute(delete(Visit))
    await database.dispose()


def raw_rows(file: Path, center_id: int, *, sqlite_types: bool) -> Iterator[tuple[Any, ...]]:
    """The file's rows as stored, with no validation: what a hand-written loader would send."""
    hasher = PatientKeyHasher(SECRET, center_id)
    now = datetime.now(UTC)
    created_at: Any = str(now.replace(tzinfo=None)) if sqlite_types else now
    with file.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        for key, visit_date, pga, diagnosis, *flags in reader:
            day: Any = visit_date if sqlite_types else date.fromisoformat(visit_date)
            yield (
                center_id,
                hasher(key),
                day,
                pga,
                diagnosis,
                *(FLAGS[flag] for flag in flags),
                created_at,
            )


async def raw_load(url: str, file: Path) -> int:
    """The anchor: the same rows loaded with the driver alone, in one transaction."""
    database = Database.from_url(url)
    async with database.session() as session:
        center_id = await session.scalar(select(Center.id).where(Center.short_code == CENTER_CODE))
    await database.dispose()
    assert center_id is not None
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        connection = sqlite3.connect(parsed.database)
        with connection:
            placeholders = ", ".join("?" for _ in COLUMNS)
            cursor = connection.executemany(
                f"INSERT INTO visits ({', '.join(COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                raw_rows(file, center_id, sqlite_types=True),
            )
            rows = cursor.rowcount
        connection.close()
        return rows
    driver = await asyncpg.connect(parsed.set(drivername="postgresql").render_as_string(False))
    try:
        async with driver.transaction():
            status = await driver.copy_records_to_table(
                "visits", records=raw_rows(file, center_id, sqlite_types=False), columns=COLUMNS
            )
    finally:
        await driver.close()
    return int(status.split()[-1])


def peak_rss_mb() -> float:
    """This process's peak resident set size so far.

    Linux's ``VmHWM`` starts afresh in a new program, unlike ``ru_maxrss``, which a child keeps
    from its parent across fork and exec.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


async def work(step: str, url: str, file: Path) -> dict[str, Any]:
    """One step in this process, as ``icn-graph import visits`` runs it (or the raw anchor)."""
    if step == "raw":
        before = peak_rss_mb()
        start = time.perf_counter()
        rows = await raw_load(url, file)
        return {
            "seconds": time.perf_counter() - start,
            "rows": rows,
            "rss_before_mb": before,
            "rss_peak_mb": peak_rss_mb(),
        }
    database = Database.from_url(url)
    before = peak_rss_mb()
    start = time.perf_counter()
    try:
        if step == "import":
            with file.open(encoding="utf-8-sig", newline="") as stream:
                summary = await import_visits(database, CENTER_CODE, stream, secret=SECRET)
            rows = summary.rows_read
        else:
            refreshed = await refresh_center_measures(database, core_registry(), CENTER_CODE)
            rows = refreshed.rows
    finally:
        await database.dispose()
    return {
        "seconds": time.perf_counter() - start,
        "rows": rows,
        "rss_before_mb": before,
        "rss_peak_mb": peak_rss_mb(),
    }


def worker(step: str, url: str, file: Path, profile: bool) -> None:
    if not profile:
        print(json.dumps(asyncio.run(work(step, url, file))))
        return
    profiler = cProfile.Profile()
    result = profiler.runcall(asyncio.run, work(step, url, file))
    report = io.StringIO()
    pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(15)
    print(report.getvalue(), file=sys.stderr)
    print(json.dumps(result))


def run_step(step: str, url: str, file: Path, profile: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", step, "--url", url, "--file", str(file)]
    done = subprocess.run(  # noqa: S603 (this very script)
        [*command, *(["--profile"] if profile else [])],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr}")
    if profile:
        print(done.stderr)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


ANCHORS = {"sqlite": "raw sqlite3 executemany", "postgresql": "raw asyncpg COPY"}


def compare(
    backend: str, url: str, file: Path, rows: int, rounds: int, profile: bool
) -> dict[str, list[float]]:
    """Import and raw load in turns (A, B, A, B) into a prepared database: their times."""
    size_mb = file.stat().st_size / 1024 / 1024
    asyncio.run(prepare(url))
    times: dict[str, list[float]] = {"import": [], "raw": []}
    for round_number in range(1, rounds + 1):
        for step in ("import", "raw"):
            asyncio.run(empty_visits(url))
            result = run_step(step, url, file, profile and step == "import")
            assert result["rows"] == rows, result
            times[step].append(result["seconds"])
            name = "import_visits" if step == "import" else ANCHORS[backend]
            print(
                f"{backend:<10} round {round_number}  {name:<24} "
                f"{result['seconds']:6.2f} s  {rows / result['seconds']:9,.0f} rows/s   "
                f"peak RSS {result['rss_peak_mb']:5.0f} MB "
                f"(+{result['rss_peak_mb'] - result['rss_before_mb']:.0f} MB over the "
                f"process at start; file {size_mb:.0f} MB)",
                flush=True,
            )
    return times


def figures(quick: bool) -> list[Figure]:
    """``make bench``: PostgreSQL import vs raw COPY (ICN_BENCH_POSTGRES_URL), target 0.6x."""
    rows, rounds = (50_000, 3) if quick else (200_000, 3)
    url = os.environ.get("ICN_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    with tempfile.TemporaryDirectory(prefix="icn-bench-import-") as directory:
        file = Path(directory) / "visits.csv"
        write_visits_csv(file, rows)
        times = compare("postgresql", url, file, rows, rounds, False)
    imported, raw = statistics.median(times["import"]), statistics.median(times["raw"])
    return [
        Figure(
            "PostgreSQL import of visits",
            rows / imported,
            rows / raw,
            "rows/s",
            ANCHORS["postgresql"] + " of the same rows",
            higher_is_better=True,
            target=0.6,
            note=f"{rows:,} rows, one center; median of {rounds} interleaved rounds",
        )
    ]


def main(rows: int, rounds: int, backends: list[str], postgres_url: str, profile: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="icn-bench-import-") as directory:
        file = Path(directory) / "visits.csv"
        start = time.perf_counter()
        write_visits_csv(file, rows)
        size_mb = file.stat().st_size / 1024 / 1024
        print(
            f"file: {rows:,} rows, {size_mb:.1f} MB, generated in "
            f"{time.perf_counter() - start:.1f} s (peak RSS of the generator "
            f"{peak_rss_mb():.0f} MB)"
        )
        urls = {
            "sqlite": f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}",
            "postgresql": postgres_url,
        }
        summary = []
        for backend in backends:
            times = compare(backend, urls[backend], file, rows, rounds, profile)
            imported, raw = statistics.median(times["import"]), statistics.median(times["raw"])
            summary.append((backend, ANCHORS[backend], imported, raw))
            refreshed = run_step("refresh", urls[backend], file, False)
            print(
                f"{backend:<10} refresh {refreshed['seconds']:6.1f} s  "
                f"{refreshed['rows']:,} monthly values   peak RSS "
                f"{refreshed['rss_peak_mb']:5.0f} MB "
                f"(+{refreshed['rss_peak_mb'] - refreshed['rss_before_mb']:.0f} MB)"
            )
        print(f"\n{rows:,} rows, median of {rounds} interleaved rounds")
        print(f"{'backend':<10} {'import_visits':>14} {'anchor':>10}  ratio  anchor")
        for backend, anchor, imported, raw in summary:
            print(
                f"{backend:<10} {imported:12.2f} s {raw:8.2f} s  {raw / imported:4.2f}x  {anchor}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved A, B rounds")
    parser.add_argument(
        "--backend", choices=["sqlite", "postgresql", "both"], default="both", help="where to"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ICN_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="a database the bench may empty (ICN_BENCH_POSTGRES_URL)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the import")
    parser.add_argument("--worker", choices=["import", "raw", "refresh"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        worker(arguments.worker, arguments.url, arguments.file, arguments.profile)
    else:
        chosen = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
        main(arguments.rows, arguments.rounds, chosen, arguments.postgres_url, arguments.profile)
