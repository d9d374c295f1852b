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
async def test_a_tiny_import_prints_rate_and_memory(backend: str, tmp_path: Path) -> None:
    url = await fresh_database_url("postgresql", tmp_path, "bench") if backend != "sqlite" else ""
    command = [sys.executable, str(BENCH / "bench_import.py"), "--rows", "3000"]
    command += ["--backend", backend, *(["--postgres-url", url] if url else [])]
    done = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "file: 3,000 rows" in done.stdout
    assert f"{backend:<10} import" in done.stdout
    assert "rows/s" in done.stdout
    assert "monthly values" in done.stdout
