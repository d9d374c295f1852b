"""bench/bench_measures.py: a tiny run end to end, and its DuckDB query against the pandas
measure on visits made to catch the edge cases (ties on one date, gaps longer than a year)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import duckdb
import pandas as pd
import pytest

from icn_graph.reports.measures.frames import BOOLEAN_COLUMNS, PGA_CATEGORIES

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench_measures() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("bench_measures")
    finally:
        sys.path.remove(str(BENCH))


def test_a_tiny_run_prints_the_ratio() -> None:
    sizes = ["--centers", "3", "--patients", "300", "--years", "2", "--rounds", "1"]
    done = subprocess.run(
        [sys.executable, str(BENCH / "bench_measures.py"), *sizes],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "identical in both (asserted)" in done.stdout
    assert "ratio pandas / DuckDB: best" in done.stdout


def _visits(rows: list[tuple[int, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "center_id": pd.array([row[0] for row in rows], dtype="int64"),
            "patient_key": pd.Categorical([row[1] for row in rows]),
            "visit_date": pd.to_datetime([row[2] for row in rows]).astype("datetime64[ns]"),
            "pga": pd.Categorical([row[3] for row in rows], categories=PGA_CATEGORIES),
            "diagnosis": pd.Categorical(["UC"] * len(rows), categories=["CROHNS", "UC", "IBDU"]),
            **{name: pd.array([None] * len(rows), dtype="boolean") for name in BOOLEAN_COLUMNS},
        }
    )


def test_the_duckdb_query_equals_the_pandas_measure(bench_measures: ModuleType) -> None:
    visits = _visits(
        [
            (1, "a", "2020-01-05", "QUIESCENT"),
            (1, "a", "2020-01-20", "MILD"),  # the month's latest visit decides
            (1, "a", "2021-03-02", "QUIESCENT"),  # after a gap of more than a year
            (1, "b", "2020-02-10", "QUIESCENT"),
            (1, "b", "2020-02-10", "SEVERE"),  # same date: the more severe counts
            (1, "b", "2020-06-30", "QUIESCENT"),
            (2, "a", "2020-12-31", "QUIESCENT"),  # the same raw key at another center
            (2, "c", "2022-01-01", "MODERATE"),
        ]
    )
    connection = duckdb.connect()
    connection.register("visits", visits)
    pandas_series = bench_measures.with_pandas(visits)
    duckdb_series = bench_measures.with_duckdb(connection)
    for position, keys in ((0, ["center_id", "month"]), (1, ["month"])):
        expected = bench_measures.normalized(pandas_series[position], keys)
        pd.testing.assert_frame_equal(
            bench_measures.normalized(duckdb_series[position], keys), expected
        )
    per_center = bench_measures.normalized(pandas_series[0], ["center_id", "month"])
    february = per_center[
        (per_center["center_id"] == 1) & (per_center["month"] == pd.Timestamp("2020-02-01"))
    ]
    assert february[["numerator", "denominator"]].values.tolist() == [[0, 2]]
