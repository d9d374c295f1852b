"""bench/bench_refresh.py: a tiny run end to end on each backend."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from icn_graph.testing import BACKENDS, fresh_database_url

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_tiny_run_prints_times_and_memory(backend: str, tmp_path: Path) -> None:
    url = await fresh_database_url("postgresql", tmp_path, "bench") if backend != "sqlite" else ""
    command = [sys.executable, str(BENCH / "bench_refresh.py"), "--visits", "3000"]
    command += ["--rounds", "2", "--backend", backend, *(["--postgres-url", url] if url else [])]
    done = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "ratio baseline / incremental (median)" in done.stdout
    assert "stored values after each: identical: True" in done.stdout
    assert "full refresh, chunked:" in done.stdout
    assert "peak RSS" in done.stdout
