"""Benchmark: a 1,000,000-row visits file through the real importer, on SQLite and PostgreSQL.

    ICN_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench \\
        .venv/bin/python bench/bench_import.py [--rows 1000000] [--backend both] [--profile]

A center's import file (one center, about 100,000 patients seen every three to four months over
ten years) is generated to a temporary file chunk by chunk, never held in memory. For each
backend a fresh database is migrated and given that one center (SQLite: a file in the temporary
directory; PostgreSQL: ``--postgres-url``, whose public schema is dropped and recreated). Then,
each in a process of its own so its peak RSS is its own: (1) the import, ``import_visits`` called
exactly as ``icn-graph import visits`` calls it; (2) the measure refresh the command runs next
(``refresh_center_measures``). It prints rows per second, and the peak RSS of each process next
to the file size: the import's memory stays flat however large the file is. ``--profile`` prints
where the import spends its time (cProfile).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from scratch_database import migrated_database
from sqlalchemy import insert
from visits_data import SECRET, write_visits_csv

from icn_graph.db.database import Database
from icn_graph.models import Center, CenterStatus
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.registry import import_visits
from icn_graph.services.reports.measure_store import refresh_center_measures

CENTER_CODE = "BENCH-1"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench"


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
    """One step in this process, as ``icn-graph import visits`` runs it."""
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


def main(rows: int, backends: list[str], postgres_url: str, profile: bool) -> None:
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
        for backend in backends:
            asyncio.run(prepare(urls[backend]))
            imported = run_step("import", urls[backend], file, profile)
            assert imported["rows"] == rows, imported
            refreshed = run_step("refresh", urls[backend], file, False)
            rate = rows / imported["seconds"]
            print(
                f"{backend:<10} import  {imported['seconds']:6.1f} s  {rate:9,.0f} rows/s   "
                f"peak RSS {imported['rss_peak_mb']:5.0f} MB "
                f"(+{imported['rss_peak_mb'] - imported['rss_before_mb']:.0f} MB over the "
                f"process at start; file {size_mb:.0f} MB)"
            )
            print(
                f"{'':<10} refresh {refreshed['seconds']:6.1f} s  "
                f"{refreshed['rows']:,} monthly values   peak RSS "
                f"{refreshed['rss_peak_mb']:5.0f} MB "
                f"(+{refreshed['rss_peak_mb'] - refreshed['rss_before_mb']:.0f} MB)"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--backend", choices=["sqlite", "postgresql", "both"], default="both", help="where to"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ICN_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="a database the bench may empty (ICN_BENCH_POSTGRES_URL)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the import")
    parser.add_argument("--worker", choices=["import", "refresh"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        worker(arguments.worker, arguments.url, arguments.file, arguments.profile)
    else:
        chosen = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
        main(arguments.rows, chosen, arguments.postgres_url, arguments.profile)
