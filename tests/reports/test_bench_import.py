"""bench/bench_import.py: a tiny run end to end on each backend, through the real importer."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from icn_graph.testing import BACKENDS, fresh_database_url

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_tiny_import_prints_rate_memory_and_ratio(backend: str, tmp_path: Path) -> None:
    url = await fresh_database_url("postgresql", tmp_path, "bench") if backend != "sqlite" else ""
    command = [sys.executable, str(BENCH / "bench_import.py"), "--rows", "3000", "--rounds", "2"]
    command += ["--backend", backend, *(["--postgres-url", url] if url else [])]
    done = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "file: 3,000 rows" in done.stdout
    anchor = {"sqlite": "raw sqlite3 executemany", "postgresql": "raw asyncpg COPY"}[backend]
    runs = [line.split()[3] for line in done.stdout.splitlines() if " round " in line]
    assert runs == ["import_visits", "raw", "import_visits", "raw"]  # interleaved A, B, A, B
    assert "rows/s" in done.stdout
    assert "monthly values" in done.stdout
    [ratio] = [line for line in done.stdout.splitlines() if line.endswith(anchor)]
    assert ratio.startswith(backend)
    assert ratio.split()[-len(anchor.split()) - 1].endswith("x")
