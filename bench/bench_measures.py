"""Benchmark: monthly remission for every center and the network, pandas vs DuckDB SQL.

    .venv/bin/python bench/bench_measures.py [--centers 100] [--patients 50000] [--years 10]
        [--rounds 7]

Synthetic registry data (the demo's simulation: patients entering and leaving care, seen every
three to four months; 100 centers, 50,000 patients, about 500,000 visits over 10 years) is built
once as an in-memory visits DataFrame. Then the same result — per center and month the remission
numerator and denominator, plus the network's series (the sums over centers per month) — is
computed two ways in the same run, alternating: (a) core's pandas ``remission_rate`` measure;
(b) one DuckDB SQL query over the same DataFrame registered as a relation (window functions: each
patient's latest visit of a month counts from its month until the patient's next visit month or
12 months later, added up with a running sum per center). The bench asserts both give identical
series, then prints the best and median of each and the ratio pandas / DuckDB.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import duckdb
import pandas as pd
from visits_data import visits_frame

from icn_graph.reports.measures.builtin import ACTIVE_MONTHS, remission_rate

# One window pass over each patient's visits in date order (on a tied date the most severe PGA
# last): a visit is its month's record when the patient's next visit falls in a later month (or
# there is none). A record counts in the denominator from its month until the month of that next
# visit, at most ACTIVE_MONTHS months; in the numerator too when it was quiescent. Each record
# adds +1 where it starts counting and -1 where it stops; a running sum over each center's months
# from its first visit month to its last gives the monthly counts. (Grouping by patient and month
# with arg_max first, then lead() over the groups, gives the same result about 3x slower.)
REMISSION_SQL = f"""
WITH ordered AS (
    SELECT center_id, date_trunc('month', visit_date) AS month, pga = 'QUIESCENT' AS quiescent,
           date_trunc('month', lead(visit_date) OVER patient) AS next_month
    FROM visits
    WINDOW patient AS (
        PARTITION BY center_id, patient_key
        ORDER BY visit_date, CASE pga WHEN 'QUIESCENT' THEN 0 WHEN 'MILD' THEN 1
                                      WHEN 'MODERATE' THEN 2 WHEN 'SEVERE' THEN 3 ELSE 4 END
    )
),
counted AS (
    SELECT center_id, month, quiescent,
           least(coalesce(next_month, month + INTERVAL {ACTIVE_MONTHS} MONTH),
                 month + INTERVAL {ACTIVE_MONTHS} MONTH) AS until
    FROM ordered
    WHERE next_month IS DISTINCT FROM month
),
changes AS (
    SELECT center_id, month, sum(change) AS change, sum(change_quiescent) AS change_quiescent
    FROM (
        SELECT center_id, month, 1 AS change, quiescent::INTEGER AS change_quiescent
        FROM counted
        UNION ALL
        SELECT center_id, until, -1, -quiescent::INTEGER FROM counted
    )
    GROUP BY center_id, month
),
months AS (
    SELECT center_id, unnest(generate_series(min(month), max(month), INTERVAL 1 MONTH)) AS month
    FROM counted
    GROUP BY center_id
)
SELECT months.center_id, months.month,
       sum(coalesce(change_quiescent, 0)) OVER running AS numerator,
       sum(coalesce(change, 0)) OVER running AS denominator
FROM months LEFT JOIN changes USING (center_id, month)
WINDOW running AS (PARTITION BY months.center_id ORDER BY months.month
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
"""  # noqa: S608 (a constant)

NETWORK_SQL = """
SELECT month, sum(numerator) AS numerator, sum(denominator) AS denominator
FROM per_center GROUP BY month
"""

Series = tuple[pd.DataFrame, pd.DataFrame]


def with_pandas(visits: pd.DataFrame) -> Series:
    per_center = remission_rate(visits)
    network = per_center.groupby("month", as_index=False)[["numerator", "denominator"]].sum()
    return per_center, network


def with_duckdb(connection: duckdb.DuckDBPyConnection) -> Series:
    connection.execute(f"CREATE OR REPLACE TEMP TABLE per_center AS {REMISSION_SQL}")
    per_center = connection.sql("SELECT * FROM per_center").df()
    return per_center, connection.sql(NETWORK_SQL).df()


def normalized(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Same column types and row order, for comparing the two results."""
    result = frame.loc[:, [*keys, "numerator", "denominator"]].copy()
    result["month"] = pd.to_datetime(result["month"]).astype("datetime64[ns]")
    for column in ("numerator", "denominator", *(k for k in keys if k != "month")):
        result[column] = result[column].astype("int64")
    return result.sort_values(keys, ignore_index=True)


def timed(run: Callable[[], Series]) -> tuple[float, Series]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main(centers: int, patients: int, years: int, rounds: int, seed: int) -> None:
    start = time.perf_counter()
    visits = visits_frame(centers, patients, years, seed)
    built = time.perf_counter() - start
    connection = duckdb.connect()
    connection.register("visits", visits)

    pandas_result, duckdb_result = with_pandas(visits), with_duckdb(connection)
    for position, keys in ((0, ["center_id", "month"]), (1, ["month"])):
        pd.testing.assert_frame_equal(
            normalized(pandas_result[position], keys), normalized(duckdb_result[position], keys)
        )

    pandas_times: list[float] = []
    duckdb_times: list[float] = []
    for _ in range(rounds):
        pandas_times.append(timed(lambda: with_pandas(visits))[0])
        duckdb_times.append(timed(lambda: with_duckdb(connection))[0])
    threads = connection.sql("SELECT current_setting('threads')").fetchall()
    connection.close()

    per_center, network = pandas_result
    print(
        f"data: {centers} centers, {visits['patient_key'].nunique():,} patients, "
        f"{len(visits):,} visits over {years} years (built in {built:.1f} s)"
    )
    print(
        f"result: {len(per_center):,} center-months and {len(network)} network months, "
        "identical in both (asserted)"
    )
    threads_text = threads[0][0] if threads else "?"
    print(f"rounds: {rounds}; DuckDB {duckdb.__version__} with {threads_text} threads")
    for name, times in (("pandas (remission_rate)", pandas_times), ("DuckDB SQL", duckdb_times)):
        best, median = min(times) * 1000, statistics.median(times) * 1000
        print(f"{name:<24} best {best:8.1f} ms   median {median:8.1f} ms")
    ratio_best = min(pandas_times) / min(duckdb_times)
    ratio_median = statistics.median(pandas_times) / statistics.median(duckdb_times)
    print(f"ratio pandas / DuckDB: best {ratio_best:.2f}x, median {ratio_median:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centers", type=int, default=100)
    parser.add_argument("--patients", type=int, default=50_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2014)
    arguments = parser.parse_args()
    main(arguments.centers, arguments.patients, arguments.years, arguments.rounds, arguments.seed)
