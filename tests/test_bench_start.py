"""bench/bench_start.py: one round of each comparison runs end to end and prints its ratios
(the figures themselves are the bench's to report, not a test's to assert)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_start.py"


def test_one_round_prints_both_ratios() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--rounds", "1", "--serve-rounds", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "ratio icn-graph --help / anchor:" in done.stdout
    assert "ratio icn-graph serve / anchor:" in done.stdout
