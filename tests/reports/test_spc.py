"""Unit tests for the SPC core (icn_graph.reports): run charts with the Anhøj rules and p-charts
with optional Laney p'. Pure computation, no database."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from icn_graph.reports.p_chart import D2, p_chart
from icn_graph.reports.run_chart import crossings_limit, longest_run_limit, run_chart
from icn_graph.reports.signals import Rule

MONTHS = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 13)]


# --- run-chart limits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "run_limit", "cross_limit"),
    [(10, 6, 2), (20, 7, 6), (30, 8, 10), (60, 9, 23)],
)
def test_published_anhoj_limits(n: int, run_limit: int, cross_limit: int) -> None:
    assert longest_run_limit(n) == run_limit
    assert crossings_limit(n) == cross_limit


def test_crossings_limit_is_the_binomial_5th_percentile() -> None:
    """Cross-check against a float binomial CDF: the smallest c with P(X <= c) >= 0.05."""
    for n in range(1, 120):
        m = n - 1
        cdf = np.cumsum([math.comb(m, k) / 2**m for k in range(m + 1)])
        expected = int(np.argmax(cdf >= 0.05))
        assert crossings_limit(n) == expected, n


def test_crossings_limit_is_exact_for_long_series() -> None:
    """Integer arithmetic throughout: binomial terms for n = 2,000 are far beyond a float."""
    for n in (1_500, 2_000, 3_001):
        m = n - 1
        cumulative = 0
        for c in range(m + 1):
            cumulative += math.comb(m, c)
            if 20 * cumulative >= 2**m:
                break
        assert crossings_limit(n) == c, n


@pytest.mark.parametrize("n", [0, -3, True, 2.5, "10"])
def test_limits_need_a_positive_n(n: int) -> None:
    with pytest.raises(ValueError, match="positive whole number"):
        longest_run_limit(n)
    with pytest.raises(ValueError, match="positive whole number"):
        crossings_limit(n)


# --- run charts ---------------------------------------------------------------------------------


def test_hand_computed_run_chart() -> None:
    values = [1, 3, 2, 5, 4, 6, 2, 7, 8, 3]
    # sorted: 1 2 2 3 3 | 4 5 6 7 8 -> median (3 + 4) / 2 = 3.5
    # sides:  - - - + + + - + + -  -> runs [---][+++][-][++][-]: 5 runs, longest 3, 4 crossings
    chart = run_chart(values)
    assert chart.centre == 3.5
    assert chart.useful == 10
    assert chart.longest_run == 3
    assert chart.crossings == 4
    assert (chart.longest_run_limit, chart.crossings_limit) == (6, 2)
    assert chart.signals == ()


def test_points_on_the_median_are_ignored() -> None:
    values = [1, 2, 3, 2, 3, 4, 3, 5]
    # sorted: 1 2 2 3 | 3 3 4 5 -> median 3; sides - - 0 - 0 + 0 +
    # useful points: - - - + + -> n = 5, 1 crossing, longest run 3 (the 0 at index 2 neither
    # breaks nor extends the run of three below)
    chart = run_chart(values)
    assert chart.centre == 3
    assert chart.useful == 5
    assert chart.crossings == 1
    assert chart.longest_run == 3
    assert (chart.longest_run_limit, chart.crossings_limit) == (5, 0)


def test_all_points_on_the_median() -> None:
    chart = run_chart([4.0, 4.0, 4.0])
    assert chart.useful == 0
    assert chart.longest_run == 0
    assert chart.crossings == 0
    assert chart.longest_run_limit is None
    assert chart.crossings_limit is None
    assert chart.signals == ()


def test_a_shift_of_eight_points_above_the_median_signals() -> None:
    values = [11, 9] * 6 + [14] * 8
    labels = MONTHS[:20]
    # median of all 20: six 9s, six 11s, eight 14s -> 11 (the 11s are on it and ignored);
    # n = 14 -> limit round(log2 14) + 3 = 7; the eight 14s are a run of 8 > 7.
    # Useful sides: six 9s below, then eight 14s above -> 1 crossing < qbinom(0.05, 13, 0.5) = 4,
    # so too few crossings signals as well.
    chart = run_chart(values, labels=labels)
    assert chart.centre == 11
    assert chart.useful == 14
    assert chart.longest_run == 8
    assert chart.longest_run_limit == 7
    assert (chart.crossings, chart.crossings_limit) == (1, 4)
    signal, crossings = chart.signals
    assert crossings.rule is Rule.FEW_CROSSINGS
    assert (crossings.start_index, crossings.end_index) == (0, 19)
    assert signal.rule is Rule.LONG_RUN
    assert (signal.start_index, signal.end_index) == (12, 19)
    assert (signal.start_label, signal.end_label) == ("2025-01", "2025-08")
    assert "8 points above the median" in signal.description


def test_shift_against_a_frozen_baseline() -> None:
    # baseline months 0-11 alternate 11/9: median 10; every point is useful (n = 20, limit 7)
    shift8 = run_chart([11, 9] * 6 + [14] * 8, baseline=slice(0, 12))
    assert shift8.centre == 10
    assert shift8.useful == 20
    [signal] = shift8.signals
    assert (signal.rule, signal.start_index, signal.end_index) == (Rule.LONG_RUN, 12, 19)

    shift7 = run_chart([11, 9] * 6 + [9] + [14] * 7, baseline=slice(0, 12))
    assert shift7.longest_run == 7
    assert shift7.signals == ()


def test_too_few_crossings_covers_the_whole_series() -> None:
    values = [1] * 5 + [3] * 5 + [1] * 5 + [3] * 5
    # median 2, n = 20: 3 crossings < 6; longest run 5 <= 7
    chart = run_chart(values, labels=MONTHS[:20])
    assert chart.crossings == 3
    [signal] = chart.signals
    assert signal.rule is Rule.FEW_CROSSINGS
    assert (signal.start_index, signal.end_index) == (0, 19)
    assert (signal.start_label, signal.end_label) == ("2024-01", "2025-08")


def test_frozen_baseline_changes_the_centre_line() -> None:
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert run_chart(values).centre == 5.5
    frozen = run_chart(values, baseline=slice(0, 5))
    assert frozen.centre == 3
    assert frozen.useful == 9  # the 3 is on the frozen median
    assert frozen.longest_run == 7  # 4..10 all above the baseline median


def test_run_chart_accepts_numpy_and_pandas() -> None:
    values = [1, 3, 2, 5, 4, 6, 2, 7, 8, 3]
    assert run_chart(np.array(values)).centre == 3.5
    assert run_chart(pd.Series(values, dtype="float64")).centre == 3.5


# --- p-charts -----------------------------------------------------------------------------------


def test_hand_computed_p_chart_with_clamping() -> None:
    y = [1, 3, 18, 78]
    n = [4, 4, 64, 128]
    # p̄ = 100 / 200 = 0.5
    # n = 4:   sigma = sqrt(0.25 / 4) = 0.25      -> 0.5 ± 0.75 -> clamped to [0, 1]
    # n = 64:  sigma = sqrt(0.25 / 64) = 0.0625   -> [0.3125, 0.6875]; p = 0.28125 below
    # n = 128: sigma = sqrt(0.25 / 128)           -> 0.5 ± 0.1325825; p = 0.609375 inside
    chart = p_chart(y, n, labels=MONTHS[:4])
    assert chart.centre == 0.5
    assert chart.proportions == (0.25, 0.75, 0.28125, 0.609375)
    assert chart.sigmas == pytest.approx([0.25, 0.25, 0.0625, math.sqrt(0.25 / 128)])
    assert chart.lower == pytest.approx([0.0, 0.0, 0.3125, 0.5 - 3 * math.sqrt(0.25 / 128)])
    assert chart.upper == pytest.approx([1.0, 1.0, 0.6875, 0.5 + 3 * math.sqrt(0.25 / 128)])
    assert chart.sigma_z is None
    [signal] = chart.signals
    assert signal.rule is Rule.OUTSIDE_LIMITS
    assert (signal.start_index, signal.end_index) == (2, 2)
    assert signal.start_label == signal.end_label == "2024-03"
    assert "below the lower limit" in signal.description


def test_p_chart_point_at_a_clamped_limit_is_not_outside() -> None:
    chart = p_chart([4, 0, 2], [4, 4, 4])  # p̄ = 0.5, limits [0, 1]; p = 1 and 0 sit on them
    assert chart.lower == (0.0, 0.0, 0.0)
    assert chart.upper == (1.0, 1.0, 1.0)
    assert chart.signals == ()


def test_laney_widens_limits_when_overdispersed() -> None:
    y = [440, 560, 440, 560, 470, 530]
    n = [1000] * 6
    standard = p_chart(y, n)
    # p̄ = 0.5, sigma = sqrt(0.25 / 1000): limits 0.5 ± 0.0474 -> the four 0.44/0.56 points signal
    assert standard.centre == 0.5
    assert [s.start_index for s in standard.signals] == [0, 1, 2, 3]
    assert all(s.rule is Rule.OUTSIDE_LIMITS for s in standard.signals)

    laney = p_chart(y, n, laney=True)
    sigma = math.sqrt(0.25 / 1000)
    # moving ranges of p: 0.12 0.12 0.12 0.09 0.06 -> mean 0.102; of z: 0.102 / sigma
    sigma_z = 0.102 / sigma / D2
    assert laney.sigma_z == pytest.approx(sigma_z)
    assert laney.sigma_z is not None
    assert laney.sigma_z > 1
    width = 3 * sigma * sigma_z  # = 3 * 0.102 / 1.128
    assert laney.lower == pytest.approx([0.5 - width] * 6)
    assert laney.upper == pytest.approx([0.5 + width] * 6)
    assert laney.signals == ()


def test_laney_uses_the_baseline_moving_ranges() -> None:
    y = [440, 560, 440, 560, 470, 530]
    chart = p_chart(y, [1000] * 6, baseline=slice(0, 4), laney=True)
    assert chart.centre == 0.5
    sigma = math.sqrt(0.25 / 1000)
    assert chart.sigma_z == pytest.approx(0.12 / sigma / D2)


def test_p_chart_frozen_baseline_changes_the_centre_line() -> None:
    y = [10, 10, 30, 30]
    n = [100] * 4
    assert p_chart(y, n).centre == pytest.approx(0.2)
    frozen = p_chart(y, n, baseline=slice(0, 2))
    assert frozen.centre == pytest.approx(0.1)
    # limits 0.1 ± 3 * 0.03 = [0.01, 0.19]: the two 0.3 months are above
    assert frozen.upper == pytest.approx([0.19] * 4)
    assert [(s.start_index, "above the upper" in s.description) for s in frozen.signals] == [
        (2, True),
        (3, True),
    ]


def test_p_chart_with_zero_centre_line() -> None:
    chart = p_chart([0, 0, 0], [10, 20, 30], laney=True)
    assert chart.centre == 0.0
    assert chart.sigma_z == 0.0
    assert chart.lower == chart.upper == (0.0, 0.0, 0.0)
    assert chart.signals == ()


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": []}, "values must not be empty"),
        ({"values": [1.0, math.nan, 2.0]}, "NaN or infinite at index 1"),
        ({"values": [1.0, math.inf]}, "NaN or infinite at index 1"),
        ({"values": ["a", "b"]}, "values must be numbers"),
        ({"values": [[1, 2], [3, 4]]}, "one-dimensional"),
        ({"values": [1, 2], "labels": ["2024-01"]}, "labels has 1 items but the series has 2"),
        ({"values": [1, 2], "labels": "ab"}, "not a single string"),
        ({"values": [1, 2], "baseline": slice(5, 9)}, "selects no points"),
        ({"values": [1, 2, 3], "baseline": slice(0, 3, 2)}, "contiguous"),
    ],
)
def test_run_chart_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run_chart(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"labels": "ab"}, "labels must be a sequence of strings, not a single string"),
        ({"baseline": [0, 1]}, "baseline must be a slice, got list"),
        ({"baseline": range(2)}, "baseline must be a slice, got range"),
    ],
)
def test_refusals_of_labels_and_baselines_say_exactly_what_is_wrong(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        run_chart([1, 2], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("y", "n", "extra", "message"),
    [
        ([1, 2], [3, 4, 5], {}, "numerators has 2 points but denominators has 3"),
        ([1, 0], [3, 0], {}, "denominators must be greater than 0; violated at index 1"),
        ([1, 0], [3, -2], {}, "denominators must be greater than 0"),
        ([4, 1], [3, 2], {}, "numerators must not exceed denominators; violated at index 0"),
        ([-1, 1], [3, 2], {}, "numerators must not be negative"),
        ([1, math.nan], [3, 2], {}, "numerators must be finite"),
        ([1, 1], [3, math.nan], {}, "denominators must be finite"),
        ([1, 1], [3, 3], {"labels": ["a"]}, "labels has 1 items"),
        ([1, 1], [3, 3], {"baseline": slice(1, 2), "laney": True}, "at least 2 baseline points"),
        ([], [], {}, "numerators must not be empty"),
    ],
)
def test_p_chart_rejects_bad_input(
    y: list[float], n: list[float], extra: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        p_chart(y, n, **extra)  # type: ignore[arg-type]


# --- runs on a p-chart: around the p̄ it draws ---------------------------------------------------


def test_p_chart_judges_a_long_run_below_the_centre_line_around_p_bar() -> None:
    # Nine months at 45/100 then seven at 56/100: p̄ = 797/1600 = 0.498125, limits ± 0.15, so no
    # month is outside them. Around p̄ the nine 0.45s are a run of 9 below (n = 16, limit 7) and
    # there is 1 crossing (< 4). Around the median (0.45, the nine 0.45s on it) the seven 0.56s
    # would be the run instead (n = 7, limit 6): the chart would call "above" a run that sits
    # above a line it does not draw.
    y = [45] * 9 + [56] * 7
    chart = p_chart(y, [100] * 16, labels=MONTHS[:16])
    assert chart.centre == pytest.approx(0.498125)
    assert (chart.runs.useful, chart.runs.longest_run, chart.runs.longest_run_limit) == (16, 9, 7)
    assert (chart.runs.crossings, chart.runs.crossings_limit) == (1, 4)
    run, crossings = chart.signals
    assert (run.rule, run.start_label, run.end_label) == (Rule.LONG_RUN, "2024-01", "2024-09")
    assert run.description.startswith("Run of 9 points below the centre line (p̄ 49.8%)")
    assert crossings.rule is Rule.FEW_CROSSINGS
    assert "crossings of the centre line (p̄ 49.8%)" in crossings.description

    median_runs = [s for s in run_chart(chart.proportions).signals if s.rule is Rule.LONG_RUN]
    assert [(s.start_index, s.end_index) for s in median_runs] == [(9, 15)]


def test_p_chart_judges_a_long_run_above_the_centre_line_around_p_bar() -> None:
    # Mirror image: nine at 55/100 then seven at 44/100; p̄ = 803/1600 = 0.501875.
    chart = p_chart([55] * 9 + [44] * 7, [100] * 16)
    runs = [s for s in chart.signals if s.rule is Rule.LONG_RUN]
    assert [(s.start_index, s.end_index) for s in runs] == [(0, 8)]
    assert runs[0].description.startswith("Run of 9 points above the centre line (p̄ 50.2%)")
    assert all(s.rule is not Rule.OUTSIDE_LIMITS for s in chart.signals)


def test_p_chart_runs_follow_a_frozen_baseline() -> None:
    # Baseline p̄ = 0.5 from eight months alternating 55/45; then eight months at 60/100, inside
    # the limits (0.5 ± 0.15) but all above the frozen p̄: a run of 8 > 7 (n = 16).
    chart = p_chart([55, 45] * 4 + [60] * 8, [100] * 16, baseline=slice(0, 8))
    assert chart.centre == 0.5
    [run] = chart.signals
    assert (run.rule, run.start_index, run.end_index) == (Rule.LONG_RUN, 8, 15)


def test_points_on_p_bar_are_ignored_by_the_run_rules() -> None:
    chart = p_chart([50] * 8 + [40, 60] * 2, [100] * 12)  # p̄ = 600/1200 = 0.5
    assert chart.centre == 0.5
    assert chart.runs.useful == 4
    assert chart.signals == ()
