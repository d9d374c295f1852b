"""The SPC rules at their edges: crossings exactly at the Anhøj limit, a long run below the
median, Laney's p' with unequal denominators and with p̄ = 1, and the exact words of every
signal and refusal a data manager reads. Pure computation, no database."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from icn_graph.reports.p_chart import D2, p_chart
from icn_graph.reports.run_chart import run_chart
from icn_graph.reports.signals import Rule, as_series

LOW, HIGH = 1, 3  # median 2 when there are as many of each


def _runs(*lengths: int) -> list[int]:
    """Runs of the given lengths alternating below and above the median, starting below."""
    values: list[int] = []
    for i, length in enumerate(lengths):
        values += [LOW if i % 2 == 0 else HIGH] * length
    return values


def test_crossings_exactly_at_the_limit_do_not_signal() -> None:
    chart = run_chart(_runs(3, 4, 2, 3, 2, 3, 3))  # n = 20: limit 6, longest run 4
    assert (chart.useful, chart.crossings, chart.crossings_limit) == (20, 6, 6)
    assert chart.signals == ()


def test_one_crossing_fewer_than_the_limit_signals() -> None:
    chart = run_chart(_runs(4, 4, 3, 3, 3, 3))
    assert (chart.crossings, chart.crossings_limit, chart.longest_run) == (5, 6, 4)
    [signal] = chart.signals
    assert signal.rule is Rule.FEW_CROSSINGS
    assert (signal.start_index, signal.end_index) == (0, 19)
    assert signal.description == (
        "5 crossings of the median 2, fewer than the limit of 6 for 20 useful points"
    )


def test_a_long_run_below_the_median_says_below() -> None:
    chart = run_chart([10, 12] * 6 + [5] * 8, baseline=slice(0, 12))
    assert chart.centre == 11
    [signal] = chart.signals
    assert (signal.rule, signal.start_index, signal.end_index) == (Rule.LONG_RUN, 12, 19)
    assert signal.description == (
        "Run of 8 points below the median 11 (longer than the limit of 7 for 20 useful points)"
    )


def test_a_run_at_the_limit_does_not_signal_and_one_longer_does() -> None:
    at_limit = run_chart([10, 12] * 6 + [5] * 7 + [12], baseline=slice(0, 12))
    assert (at_limit.longest_run, at_limit.longest_run_limit) == (7, 7)
    assert at_limit.signals == ()
    longer = run_chart([10, 12] * 6 + [5] * 8, baseline=slice(0, 12))
    assert (longer.longest_run, longer.longest_run_limit) == (8, 7)


def test_two_long_runs_are_two_signals() -> None:
    chart = run_chart([1] * 8 + [3] * 8)  # median 2, n = 16: limit 7, one crossing
    runs = [s for s in chart.signals if s.rule is Rule.LONG_RUN]
    assert [(s.start_index, s.end_index) for s in runs] == [(0, 7), (8, 15)]
    assert ["below" in runs[0].description, "above" in runs[1].description] == [True, True]


def test_laney_with_unequal_denominators() -> None:
    y = [30, 45, 70, 40]
    n = [100, 150, 200, 80]
    chart = p_chart(y, n, laney=True)
    centre = sum(y) / sum(n)  # p̄ weights each month by its patients, not the mean of the rates
    assert chart.centre == pytest.approx(centre)
    sigmas = [math.sqrt(centre * (1 - centre) / size) for size in n]
    z = [(count / size - centre) / s for count, size, s in zip(y, n, sigmas, strict=True)]
    sigma_z = sum(abs(b - a) for a, b in itertools.pairwise(z)) / 3 / D2
    assert chart.sigmas == pytest.approx(sigmas)
    assert chart.sigma_z == pytest.approx(sigma_z)
    assert chart.lower == pytest.approx([centre - 3 * s * sigma_z for s in sigmas])
    assert chart.upper == pytest.approx([centre + 3 * s * sigma_z for s in sigmas])


def test_laney_with_every_patient_counted_has_finite_limits() -> None:
    chart = p_chart([10, 20, 30], [10, 20, 30], laney=True)
    assert chart.centre == 1.0
    assert chart.sigma_z == 0.0
    assert chart.lower == chart.upper == (1.0, 1.0, 1.0)
    assert chart.signals == ()


def test_laney_needs_two_baseline_points() -> None:
    with pytest.raises(ValueError, match=r"^laney=True needs at least 2 baseline points"):
        p_chart([1, 2, 3], [10, 10, 10], baseline=slice(0, 1), laney=True)
    two = p_chart([1, 2, 3], [10, 10, 10], baseline=slice(0, 2), laney=True)
    assert two.sigma_z == pytest.approx(0.1 / math.sqrt(0.15 * 0.85 / 10) / D2)


def test_outside_limit_signals_say_which_limit() -> None:
    chart = p_chart([10, 10, 30, 0], [100, 100, 100, 100], baseline=slice(0, 2))
    # p̄ 0.1, limits 0.1 ± 0.09: 0.3 is above, 0 below
    above, below = chart.signals
    assert (above.rule, above.start_index, above.end_index) == (Rule.OUTSIDE_LIMITS, 2, 2)
    assert above.description == "p = 0.3 (30/100) above the upper limit 0.19"
    assert (below.rule, below.start_index, below.end_index) == (Rule.OUTSIDE_LIMITS, 3, 3)
    assert below.description == "p = 0 (0/100) below the lower limit 0.01"


def test_p_chart_runs_are_judged_around_p_bar_and_say_so() -> None:
    chart = p_chart([1] * 8 + [3] * 8, [10] * 16)
    run = chart.runs.signals[0]
    assert run.description == (
        "Run of 8 points below the centre line (p̄ 20.0%) "
        "(longer than the limit of 7 for 16 useful points)"
    )
    assert chart.signals[-len(chart.runs.signals) :] == chart.runs.signals


@pytest.mark.parametrize(
    ("numerators", "denominators", "message"),
    [
        (
            [1] * 7,
            [0] * 7,
            "denominators must be greater than 0; violated at index 0, 1, 2, 3, 4 (and 2 more)",
        ),
        ([-1] * 5, [1] * 5, "numerators must not be negative; violated at index 0, 1, 2, 3, 4"),
        ([0, 2], [1, 1], "numerators must not exceed denominators; violated at index 1"),
        (
            [2] * 6,
            [1] * 6,
            "numerators must not exceed denominators; violated at index 0, 1, 2, 3, 4 (and 1 more)",
        ),
        ([1, 2], [1], "numerators has 2 points but denominators has 1; they must match"),
    ],
)
def test_p_chart_refusals_name_the_points(
    numerators: list[int], denominators: list[int], message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        p_chart(numerators, denominators)


def test_series_refusals_name_the_points() -> None:
    seven = "values must be finite numbers; NaN or infinite at index 0, 1, 2, 3, 4 (and 2 more)"
    with pytest.raises(ValueError, match=f"^{re.escape(seven)}$"):
        as_series("values", [math.nan] * 7)
    three = "values must be finite numbers; NaN or infinite at index 1, 3, 5"
    with pytest.raises(ValueError, match=f"^{re.escape(three)}$"):
        as_series("values", [1.0, math.inf, 2.0, math.nan, 3.0, math.inf])


def test_six_bad_points_name_five_and_one_more() -> None:
    six = "values must be finite numbers; NaN or infinite at index 0, 1, 2, 3, 4 (and 1 more)"
    with pytest.raises(ValueError, match=f"^{re.escape(six)}$"):
        as_series("values", [math.nan] * 6)
    five = "values must be finite numbers; NaN or infinite at index 0, 1, 2, 3, 4"
    with pytest.raises(ValueError, match=f"^{re.escape(five)}$"):
        as_series("values", [math.nan] * 5)


def test_a_run_chart_keeps_its_input() -> None:
    labels = ["2024-01", "2024-02", "2024-03", "2024-04"]
    chart = run_chart([1, 2, 3, 4], labels=labels, baseline=slice(0, 3))
    assert chart.values == (1.0, 2.0, 3.0, 4.0)
    assert chart.labels == tuple(labels)
    assert chart.baseline == slice(0, 3)
    assert chart.centre == 2


@pytest.mark.parametrize("laney", [False, True])
def test_a_p_chart_keeps_its_input(laney: bool) -> None:
    labels = ["2024-01", "2024-02", "2024-03", "2024-04"]
    chart = p_chart([1, 2, 3, 4], [10, 10, 10, 10], labels, baseline=slice(0, 3), laney=laney)
    assert chart.numerators == (1.0, 2.0, 3.0, 4.0)
    assert chart.denominators == (10.0, 10.0, 10.0, 10.0)
    assert chart.labels == tuple(labels)
    assert chart.baseline == slice(0, 3)
    assert chart.laney is laney
    assert chart.centre == pytest.approx(0.2)
