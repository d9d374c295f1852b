"""Built-in measures computed from small visit frames whose counts were worked out by hand, and
checked against a deliberately naive reference implementation on random visits."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial

import numpy as np
import pandas as pd
import pytest

from icn_graph.reports.measures.builtin import (
    BUILTIN_MEASURES,
    pre_visit_planning_rate,
    remission_rate,
    steroid_free_remission,
    sustained_remission,
)
from icn_graph.reports.measures.frames import (
    DIAGNOSIS_CATEGORIES,
    PGA_CATEGORIES,
    empty_visits_frame,
)
from icn_graph.reports.measures.monthly import _sorted

Q, MILD, MOD, SEV = "QUIESCENT", "MILD", "MODERATE", "SEVERE"

# (center, patient, visit date, PGA, on steroids, pre-visit planning); None is a blank field.
Row = tuple[int, str, str, str, bool | None, bool | None]
Counts = dict[str, tuple[int, int]]  # "YYYY-MM" -> (numerator, denominator)


def frame(rows: Sequence[Row]) -> pd.DataFrame:
    """Visits with the dtypes of ``load_visits_frame``."""
    centers, patients, dates, pgas, steroids, planning = (
        zip(*rows, strict=True) if rows else [()] * 6
    )
    return pd.DataFrame(
        {
            "center_id": np.array(centers, dtype=np.int64),
            "patient_key": pd.Categorical(patients),
            "visit_date": pd.to_datetime(list(dates)).astype("datetime64[ns]"),
            "pga": pd.Categorical(pgas, categories=PGA_CATEGORIES),
            "diagnosis": pd.Categorical(["UC"] * len(rows), categories=DIAGNOSIS_CATEGORIES),
            "on_steroids": pd.array(steroids, dtype="boolean"),
            "pre_visit_planning": pd.array(planning, dtype="boolean"),
            "growth_assessed": pd.array([None] * len(rows), dtype="boolean"),
            "nutrition_assessed": pd.array([None] * len(rows), dtype="boolean"),
        }
    )


def counts(result: pd.DataFrame, center: int) -> Counts:
    rows = result[result["center_id"] == center]
    return {
        month.strftime("%Y-%m"): (int(numerator), int(denominator))
        for month, numerator, denominator in zip(
            rows["month"], rows["numerator"], rows["denominator"], strict=True
        )
    }


def months(first: str, last: str, value: tuple[int, int]) -> Counts:
    """The same counts for every month from ``first`` through ``last``."""
    year, month = map(int, first.split("-"))
    found: Counts = {}
    while f"{year:04d}-{month:02d}" <= last:
        found[f"{year:04d}-{month:02d}"] = value
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def assert_output_contract(result: pd.DataFrame) -> None:
    assert list(result.columns) == ["center_id", "month", "numerator", "denominator"]
    assert str(result["center_id"].dtype) == "int64"
    assert str(result["month"].dtype) == "datetime64[ns]"
    assert str(result["numerator"].dtype) == "int64"
    assert str(result["denominator"].dtype) == "int64"
    assert (result["month"].dt.day == 1).all()


# -- remission rate ------------------------------------------------------------------------


def test_remission_counts_a_visit_11_months_back_but_not_12() -> None:
    visits = frame(
        [
            (1, "A", "2023-01-15", Q, None, None),
            (1, "B", "2023-12-10", MILD, None, None),
            (1, "B", "2024-01-20", Q, None, None),
        ]
    )
    result = remission_rate(visits)
    assert_output_contract(result)
    # A (quiescent) is active from 2023-01 while the 12-month window (the month and the 11
    # before it) still holds 2023-01: through 2023-12, when the visit is 11 months back.
    # B joins in 2023-12 with MILD. In 2024-01 A's visit is 12 months back: out of the window;
    # B's latest visit is now the quiescent one.
    expected = months("2023-01", "2023-11", (1, 1)) | {"2023-12": (1, 2), "2024-01": (1, 1)}
    assert counts(result, 1) == expected


def test_remission_takes_the_latest_visit_of_a_month() -> None:
    visits = frame(
        [  # listed out of order on purpose
            (2, "C", "2024-03-28", MOD, None, None),
            (2, "C", "2024-03-02", Q, None, None),
            (2, "D", "2024-03-20", Q, None, None),
            (2, "D", "2024-03-05", SEV, None, None),
        ]
    )
    # C ends March MODERATE, D ends it QUIESCENT: 1 of 2.
    assert counts(remission_rate(visits), 2) == {"2024-03": (1, 2)}


def test_remission_keeps_the_months_of_a_gap_with_zero_counts() -> None:
    visits = frame(
        [(3, "E", "2020-01-10", Q, None, None), (3, "E", "2022-06-01", MILD, None, None)]
    )
    result = counts(remission_rate(visits), 3)
    # E is active 2020-01..2020-12 (quiescent), then nobody is until 2022-06 (MILD): the empty
    # months stay in the series, 0 of 0, because they lie inside the center's span.
    assert len(result) == 30
    assert result == (
        months("2020-01", "2020-12", (1, 1))
        | months("2021-01", "2022-05", (0, 0))
        | {"2022-06": (0, 1)}
    )


def test_each_center_gets_its_own_span_and_a_center_without_visits_none() -> None:
    visits = frame(
        [
            (7, "A", "2024-05-01", Q, None, None),
            (9, "A", "2021-02-01", MILD, None, None),  # another center's patient "A"
            (9, "B", "2021-03-01", Q, None, None),
        ]
    )
    result = remission_rate(visits)
    assert list(result["center_id"].unique()) == [7, 9]  # sorted; center 8 has no visits
    assert counts(result, 7) == {"2024-05": (1, 1)}
    assert counts(result, 9) == {"2021-02": (0, 1), "2021-03": (1, 2)}


def test_no_visits_give_no_rows() -> None:
    for measure in BUILTIN_MEASURES:
        result = measure.compute(empty_visits_frame())
        assert result.empty
        assert_output_contract(result)


def test_same_date_records_count_against_remission() -> None:
    visits = frame(
        [
            (1, "K", "2024-01-15", Q, False, None),
            (1, "K", "2024-01-15", MILD, False, None),
        ]
    )
    # Two records of one visit: the more severe one wins, so K is not in remission.
    assert counts(remission_rate(visits), 1) == {"2024-01": (0, 1)}


# -- steroid-free remission ----------------------------------------------------------------


def test_steroid_free_remission_needs_a_recorded_no() -> None:
    visits = frame(
        [
            (1, "F", "2024-01-05", Q, False, None),  # counts
            (1, "G", "2024-01-06", Q, None, None),  # unknown steroid status: does not count
            (1, "H", "2024-01-07", Q, True, None),  # on steroids
            (1, "I", "2024-01-08", MILD, False, None),  # not quiescent
            (1, "J", "2024-01-09", Q, False, None),
            (1, "J", "2024-01-09", Q, True, None),  # same date: the steroid record wins
            (1, "F", "2023-06-01", Q, True, None),  # an earlier visit does not matter
        ]
    )
    result = counts(steroid_free_remission(visits), 1)
    # F was on steroids in 2023-06 (0 of 1) until the January visit; in 2024-01 F, G, H, I
    # and J are active and only F is quiescent and recorded off steroids.
    assert result == months("2023-06", "2023-12", (0, 1)) | {"2024-01": (1, 5)}
    # Remission alone: F, G, H and J (same-date records both quiescent).
    assert counts(remission_rate(visits), 1)["2024-01"] == (4, 5)


# -- sustained remission -------------------------------------------------------------------

SUSTAINED = [
    (1, "P", "2023-01-10", Q, None, None),
    (1, "P", "2023-06-10", Q, None, None),
    (1, "P", "2024-02-10", Q, None, None),
    (1, "Q", "2023-03-01", Q, None, None),
    (1, "Q", "2023-04-01", MILD, None, None),
    (1, "Q", "2023-09-01", Q, None, None),
    (1, "Q", "2023-10-01", Q, None, None),
]


def test_sustained_remission_over_twelve_months() -> None:
    result = counts(sustained_remission(frame(SUSTAINED)), 1)
    # Denominator: P is active in every month of the span 2023-01..2024-02, Q from 2023-03.
    # P: two quiescent visits in the window from 2023-06 while 2023-01 is in it (through
    # 2023-12); in 2024-01 only 2023-06 is left (one visit); in 2024-02 2023-06 and 2024-02.
    # Q: the MILD visit of 2023-04 stays in the window through 2024-03, beyond the span.
    expected = (
        months("2023-01", "2023-02", (0, 1))
        | months("2023-03", "2023-05", (0, 2))
        | months("2023-06", "2023-12", (1, 2))
        | {"2024-01": (0, 2), "2024-02": (1, 2)}
    )
    assert result == expected
    assert counts(BUILTIN_MEASURES[2].compute(frame(SUSTAINED)), 1) == expected


def test_sustained_remission_lookback_is_configurable() -> None:
    result = counts(sustained_remission(frame(SUSTAINED), lookback_months=6), 1)
    # Six months: P only in 2023-06 (2023-01 is 5 months back); later windows hold one visit.
    # Q: from 2023-10 the window 2023-05..2023-10 holds 09 and 10 and no longer the MILD visit;
    # it still holds them through 2024-02 (window 2023-09..2024-02).
    numerators = {month: numerator for month, (numerator, _) in result.items()}
    assert numerators == {month: 0 for month in months("2023-01", "2024-02", (0, 0))} | {
        "2023-06": 1,
        "2023-10": 1,
        "2023-11": 1,
        "2023-12": 1,
        "2024-01": 1,
        "2024-02": 1,
    }
    # The denominator does not depend on the lookback.
    assert [den for _, den in result.values()] == [1, 1] + [2] * 12


def test_sustained_remission_counts_two_dates_in_one_month() -> None:
    visits = frame(
        [
            (2, "R", "2024-05-03", Q, None, None),
            (2, "R", "2024-05-20", Q, None, None),
            (2, "S", "2024-05-04", Q, None, None),
            (2, "S", "2024-05-04", Q, None, None),  # one visit recorded twice: one date
        ]
    )
    assert counts(sustained_remission(visits), 2) == {"2024-05": (1, 2)}


def test_sustained_remission_refuses_a_lookback_below_one_month() -> None:
    with pytest.raises(ValueError, match="lookback_months must be at least 1"):
        sustained_remission(frame(SUSTAINED), lookback_months=0)


# -- pre-visit planning --------------------------------------------------------------------


def test_pre_visit_planning_counts_recorded_visits() -> None:
    visits = frame(
        [
            (1, "A", "2024-01-02", Q, None, True),
            (1, "B", "2024-01-03", Q, None, False),
            (1, "C", "2024-01-04", Q, None, None),  # blank: left out
            (1, "D", "2024-01-31", MILD, None, True),
            (1, "A", "2024-03-01", Q, None, None),
        ]
    )
    # January: 3 visits recorded, 2 with planning. February: no visits. March: one visit, blank.
    assert counts(pre_visit_planning_rate(visits), 1) == {
        "2024-01": (2, 3),
        "2024-02": (0, 0),
        "2024-03": (0, 0),
    }


# -- against a naive reference -------------------------------------------------------------


def month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def reference(rows: Sequence[Row], measure: str, lookback: int = 12) -> dict[int, Counts]:
    """The definitions, literally: every center, every month, every patient, in Python loops."""
    found: dict[int, Counts] = {}
    for center in sorted({row[0] for row in rows}):
        visits = [
            (patient, date.fromisoformat(day), pga, steroids, planning)
            for c, patient, day, pga, steroids, planning in rows
            if c == center
        ]
        first = min(month_number(v[1]) for v in visits)
        last = max(month_number(v[1]) for v in visits)
        series: Counts = {}
        for month in range(first, last + 1):
            label = f"{month // 12:04d}-{month % 12 + 1:02d}"
            if measure == "pre_visit_planning_rate":
                recorded = [v for v in visits if month_number(v[1]) == month and v[4] is not None]
                series[label] = (sum(1 for v in recorded if v[4]), len(recorded))
                continue
            numerator = denominator = 0
            for patient in sorted({v[0] for v in visits}):
                seen = sorted(
                    (v for v in visits if v[0] == patient and month_number(v[1]) <= month),
                    key=lambda v: v[1],
                )
                if not seen or month_number(seen[-1][1]) <= month - 12:
                    continue
                denominator += 1
                latest = seen[-1]
                if measure == "remission_rate":
                    numerator += latest[2] == Q
                elif measure == "steroid_free_remission":
                    numerator += latest[2] == Q and latest[3] is False
                else:
                    window = [v for v in seen if month_number(v[1]) > month - lookback]
                    numerator += len(window) >= 2 and all(v[2] == Q for v in window)
            series[label] = (numerator, denominator)
        found[center] = series
    return found


def random_rows(seed: int) -> list[Row]:
    chooser = random.Random(seed)
    rows: dict[tuple[int, str, str], Row] = {}
    for _ in range(400):
        center = chooser.choice([3, 5, 6])
        patient = f"p{chooser.randrange(25)}"
        day = date(2019, 1, 1) + timedelta(days=chooser.randrange(5 * 365))
        pga = chooser.choice([Q, Q, Q, MILD, MOD, SEV])
        steroids = chooser.choice([True, False, None])
        planning = chooser.choice([True, False, None])
        rows[(center, patient, day.isoformat())] = (
            center,
            patient,
            day.isoformat(),
            pga,
            steroids,
            planning,
        )
    return list(rows.values())


COMPUTATIONS: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    measure.key: measure.compute for measure in BUILTIN_MEASURES
}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("key", sorted(COMPUTATIONS))
def test_vectorized_measures_match_the_naive_reference(seed: int, key: str) -> None:
    rows = random_rows(seed)
    result = COMPUTATIONS[key](frame(rows))
    assert_output_contract(result)
    expected = reference(rows, key)
    assert {center: counts(result, center) for center in expected} == expected
    assert sorted(result["center_id"].unique()) == sorted(expected)


@pytest.mark.parametrize("lookback", [1, 3, 18])
def test_sustained_lookbacks_match_the_naive_reference(lookback: int) -> None:
    rows = random_rows(4)
    result = sustained_remission(frame(rows), lookback_months=lookback)
    expected = reference(rows, "sustained_remission", lookback)
    assert {center: counts(result, center) for center in expected} == expected


def test_the_frame_may_use_plain_strings_for_patients_and_pga() -> None:
    visits = frame(SUSTAINED)
    plain = visits.assign(
        patient_key=visits["patient_key"].astype(str), pga=visits["pga"].astype(str)
    )
    for compute in (remission_rate, partial(sustained_remission, lookback_months=6)):
        pd.testing.assert_frame_equal(compute(plain), compute(visits))


def test_definitions_are_written_for_users() -> None:
    keys = [measure.key for measure in BUILTIN_MEASURES]
    assert keys == [
        "remission_rate",
        "steroid_free_remission",
        "sustained_remission",
        "pre_visit_planning_rate",
    ]
    for measure in BUILTIN_MEASURES:
        assert measure.unit == "%"
        assert "Numerator" in measure.definition
        assert "Denominator" in measure.definition


@pytest.mark.parametrize("spread", [1_000, 1 << 50], ids=["packed", "lexsort"])
def test_rows_sort_by_center_patient_date_and_tie_rank(spread: int) -> None:
    # Small ranges are packed into one int64 per row; ranges too wide for 63 bits are lexsorted.
    generator = np.random.default_rng(7)
    columns = [
        generator.integers(0, 5, 2_000),
        generator.integers(-spread, spread, 2_000),
        generator.integers(-3_000, 30_000, 2_000),
        generator.integers(0, 9, 2_000),
    ]
    center, patient, days, tie = _sorted(*columns)
    order = np.lexsort(columns[::-1])
    for got, column in zip((center, patient, days, tie), columns, strict=True):
        assert got.tolist() == column[order].tolist()
