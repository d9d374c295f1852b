"""Spiegelhalter's funnel plot (icn_graph.reports.funnel): limits checked against values worked
out by hand. Pure computation, no database."""

from __future__ import annotations

import pytest

from icn_graph.reports.funnel import (
    Z_95,
    Z_998,
    FunnelUnit,
    Limits,
    Position,
    funnel,
    limits,
    position,
)


def test_z_values_are_the_two_sided_normal_quantiles() -> None:
    from statistics import NormalDist

    assert NormalDist().inv_cdf(0.975) == pytest.approx(Z_95, abs=1e-6)
    assert NormalDist().inv_cdf(0.999) == pytest.approx(Z_998, abs=1e-6)


def test_limits_at_80_percent_and_100_patients() -> None:
    # sqrt(0.8 * 0.2 / 100) = sqrt(0.0016) = 0.04
    # 95 %:   0.8 -+ 1.959964 * 0.04 = 0.8 -+ 0.07839856 -> 0.72160144, 0.87839856
    # 99.8 %: 0.8 -+ 3.090232 * 0.04 = 0.8 -+ 0.12360928 -> 0.67639072, 0.92360928
    at = limits(0.8, 100)
    assert at.denominator == 100
    assert at.lower_95 == pytest.approx(0.72160144, abs=1e-12)
    assert at.upper_95 == pytest.approx(0.87839856, abs=1e-12)
    assert at.lower_998 == pytest.approx(0.67639072, abs=1e-12)
    assert at.upper_998 == pytest.approx(0.92360928, abs=1e-12)


def test_limits_are_clipped_to_0_and_1() -> None:
    # sqrt(0.8 * 0.2 / 25) = 0.08
    # 95 %:   0.8 -+ 1.959964 * 0.08 = 0.8 -+ 0.15679712 -> 0.64320288, 0.95679712
    # 99.8 %: 0.8 -+ 3.090232 * 0.08 = 0.8 -+ 0.24721856 -> 0.55278144, 1.04721856 -> 1
    at = limits(0.8, 25)
    assert at.lower_95 == pytest.approx(0.64320288, abs=1e-12)
    assert at.upper_95 == pytest.approx(0.95679712, abs=1e-12)
    assert at.lower_998 == pytest.approx(0.55278144, abs=1e-12)
    assert at.upper_998 == 1.0
    # sqrt(0.5 * 0.5 / 4) = 0.25; 0.5 -+ 3.090232 * 0.25 = 0.5 -+ 0.772558 -> -0.27, 1.27
    # 0.5 -+ 1.959964 * 0.25 = 0.5 -+ 0.489991 -> 0.010009, 0.989991
    small = limits(0.5, 4)
    assert (small.lower_998, small.upper_998) == (0.0, 1.0)
    assert small.lower_95 == pytest.approx(0.010009, abs=1e-12)
    assert small.upper_95 == pytest.approx(0.989991, abs=1e-12)


@pytest.mark.parametrize("target", [0.0, 1.0])
def test_a_target_of_0_or_1_collapses_the_limits(target: float) -> None:
    # p0 (1 - p0) = 0: every limit is the target itself
    at = limits(target, 50)
    assert (at.lower_998, at.lower_95, at.upper_95, at.upper_998) == (target,) * 4
    assert position(target, at) is Position.INSIDE
    other = 0.1 if target == 0.0 else 0.9
    expected = Position.ABOVE_998 if target == 0.0 else Position.BELOW_998
    assert position(other, at) is expected


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="denominator"):
        limits(0.5, 0)
    with pytest.raises(ValueError, match="target"):
        limits(1.2, 10)
    with pytest.raises(ValueError, match="numerator 12 is not from 0 to 10"):
        funnel([FunnelUnit("X", 12, 10)])


def test_a_rate_on_a_limit_is_inside_it() -> None:
    at = Limits(denominator=10, lower_998=0.2, lower_95=0.3, upper_95=0.7, upper_998=0.8)
    assert position(0.7, at) is Position.INSIDE
    assert position(0.3, at) is Position.INSIDE
    assert position(0.8, at) is Position.ABOVE_95
    assert position(0.2, at) is Position.BELOW_95
    assert position(0.81, at) is Position.ABOVE_998
    assert position(0.19, at) is Position.BELOW_998


def test_points_fall_where_the_hand_computed_limits_say() -> None:
    units = [
        FunnelUnit("A", 90, 100),  # 0.90: above 0.87839856, below 0.92360928
        FunnelUnit("B", 95, 100),  # 0.95: above 0.92360928
        FunnelUnit("C", 70, 100),  # 0.70: below 0.72160144, above 0.67639072
        FunnelUnit("D", 60, 100),  # 0.60: below 0.67639072
        FunnelUnit("E", 20, 25),  # 0.80: the target
        FunnelUnit("F", 0, 0),  # no patients: no rate
    ]

    result = funnel(units, target=0.8)

    assert result.target == 0.8
    assert [(p.label, p.rate, p.position) for p in result.points] == [
        ("A", 0.9, Position.ABOVE_95),
        ("B", 0.95, Position.ABOVE_998),
        ("C", 0.7, Position.BELOW_95),
        ("D", 0.6, Position.BELOW_998),
        ("E", 0.8, Position.INSIDE),
    ]
    assert result.skipped == ("F",)
    assert result.points[0].limits == limits(0.8, 100)
    assert result.points[4].limits.upper_998 == 1.0
    # The curve runs from half the smallest denominator (12.5) to 10 % past the largest (110).
    assert result.curve[0].denominator == pytest.approx(12.5)
    assert result.curve[-1].denominator == pytest.approx(110)
    assert len(result.curve) == 120
    widths = [c.upper_95 - c.lower_95 for c in result.curve]
    assert widths == sorted(widths, reverse=True)  # the funnel narrows


def test_the_default_target_is_the_pooled_rate() -> None:
    # (30 + 45) / (50 + 50) = 0.75
    result = funnel([FunnelUnit("A", 30, 50), FunnelUnit("B", 45, 50), FunnelUnit("C", 0, 0)])
    assert result.target == pytest.approx(0.75)
    # sqrt(0.75 * 0.25 / 50) = 0.0612372...; 0.75 + 1.959964 * 0.0612372 = 0.870022
    assert result.points[1].limits.upper_95 == pytest.approx(0.870022, abs=1e-6)
    # 0.9 > 0.870022 and 0.9 < 0.75 + 3.090232 * 0.0612372 = 0.939237
    assert result.points[1].position is Position.ABOVE_95
    assert result.points[0].position is Position.BELOW_95  # 0.6 < 0.629978


def test_nothing_to_place() -> None:
    empty = funnel([FunnelUnit("A", 0, 0)])
    assert empty.target is None
    assert (empty.points, empty.curve, empty.skipped) == ((), (), ("A",))
    # A given target still draws limits with no unit (from 1 to 10).
    lone = funnel([], target=0.5, curve_points=3)
    assert [c.denominator for c in lone.curve] == pytest.approx([1, 10**0.5, 10])
