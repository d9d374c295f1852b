"""Spiegelhalter's funnel plot for proportions: units' rates against their denominators, with
control limits around a target rate that narrow as the denominator grows.

For a target ``p0`` (the network's rate) and a denominator ``n``, the limits are the **normal
approximation** to the binomial,

    p0 ± z · sqrt(p0 · (1 - p0) / n),

with ``z = 1.959964`` for the 95 % limits and ``z = 3.090232`` for the 99.8 % limits (two-sided:
2.5 % and 0.1 % in each tail), clipped to [0, 1]. Spiegelhalter (2005, "Funnel plots for
comparing institutional performance", Statistics in Medicine 24:1185-1202) gives exact binomial
limits as well; they differ from these for small ``n`` or ``p0`` near 0 or 1, where the normal
limits are symmetric and, clipped, may touch 0 or 1. We use the normal approximation with
clipping and say so wherever the chart is drawn.

A unit falls inside, between the 95 % and 99.8 % limits, or beyond the 99.8 % limits, above or
below the target; a rate exactly on a limit counts as inside it. A unit with denominator 0 has
no rate and is skipped. With ``p0`` equal to 0 or 1 the limits collapse onto the target: a unit
at the target is inside, any other beyond the 99.8 % limits.

Pure computation: no database, no measures.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

Z_95 = 1.959964
"""Two-sided 95 %: the standard normal's 97.5th percentile."""
Z_998 = 3.090232
"""Two-sided 99.8 %: the standard normal's 99.9th percentile."""

CURVE_POINTS = 120
"""Denominators at which the limit curves are drawn (log-spaced)."""


class Position(enum.StrEnum):
    """Where a unit's rate falls against the limits at its denominator."""

    INSIDE = "INSIDE"
    ABOVE_95 = "ABOVE_95"
    """Above the upper 95 % limit, within the 99.8 % one."""
    ABOVE_998 = "ABOVE_998"
    """Above the upper 99.8 % limit."""
    BELOW_95 = "BELOW_95"
    """Below the lower 95 % limit, within the 99.8 % one."""
    BELOW_998 = "BELOW_998"
    """Below the lower 99.8 % limit."""


@dataclass(frozen=True)
class Limits:
    """The four limits at one denominator."""

    denominator: float
    lower_998: float
    lower_95: float
    upper_95: float
    upper_998: float


@dataclass(frozen=True)
class FunnelUnit:
    """A unit to place: a label and its counts."""

    label: str
    numerator: int
    denominator: int


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    numerator: int
    denominator: int
    rate: float
    position: Position
    limits: Limits
    """The limits at this point's denominator."""


@dataclass(frozen=True)
class Funnel:
    target: float | None
    """``None``: no target (no unit and no given rate), hence no limits."""
    points: tuple[FunnelPoint, ...]
    skipped: tuple[str, ...]
    """Labels of units with denominator 0 (no rate to place)."""
    curve: tuple[Limits, ...]
    """The limits from the smallest to the largest denominator plotted."""


def limits(target: float, denominator: float) -> Limits:
    """The 95 % and 99.8 % limits around ``target`` at ``denominator`` (> 0), clipped to [0, 1]."""
    if denominator <= 0:
        raise ValueError(f"denominator must be positive (got {denominator})")
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"target must be a proportion from 0 to 1 (got {target})")
    spread = math.sqrt(target * (1.0 - target) / denominator)

    def clip(value: float) -> float:
        return min(1.0, max(0.0, value))

    return Limits(
        denominator=denominator,
        lower_998=clip(target - Z_998 * spread),
        lower_95=clip(target - Z_95 * spread),
        upper_95=clip(target + Z_95 * spread),
        upper_998=clip(target + Z_998 * spread),
    )


def position(rate: float, at: Limits) -> Position:
    """Where ``rate`` falls against ``at``; on a limit is inside it."""
    if rate > at.upper_998:
        return Position.ABOVE_998
    if rate > at.upper_95:
        return Position.ABOVE_95
    if rate < at.lower_998:
        return Position.BELOW_998
    if rate < at.lower_95:
        return Position.BELOW_95
    return Position.INSIDE


def funnel(
    units: Sequence[FunnelUnit], target: float | None = None, *, curve_points: int = CURVE_POINTS
) -> Funnel:
    """The funnel of ``units`` around ``target`` (default: the pooled rate of the units,
    sum of numerators over sum of denominators). Units keep their order."""
    placed = [unit for unit in units if unit.denominator > 0]
    skipped = tuple(unit.label for unit in units if unit.denominator <= 0)
    for unit in placed:
        if not 0 <= unit.numerator <= unit.denominator:
            raise ValueError(
                f"{unit.label}: numerator {unit.numerator} is not from 0 to {unit.denominator}"
            )
    if target is None and placed:
        target = sum(u.numerator for u in placed) / sum(u.denominator for u in placed)
    if target is None:
        return Funnel(None, (), skipped, ())
    points = []
    for unit in placed:
        rate = unit.numerator / unit.denominator
        at = limits(target, unit.denominator)
        points.append(
            FunnelPoint(unit.label, unit.numerator, unit.denominator, rate, position(rate, at), at)
        )
    return Funnel(target, tuple(points), skipped, _curve(target, placed, curve_points))


def _curve(target: float, units: Sequence[FunnelUnit], count: int) -> tuple[Limits, ...]:
    """Limits at ``count`` log-spaced denominators from half the smallest unit's to a tenth past
    the largest's (from 1 to 10 without units)."""
    denominators = [unit.denominator for unit in units]
    if not denominators:
        low, high = 1.0, 10.0
    else:
        low = max(1.0, min(denominators) / 2)
        high = max(low * 2, max(denominators) * 1.1)
    steps = max(2, count)
    ratio = (high / low) ** (1 / (steps - 1))
    return tuple(limits(target, low * ratio**step) for step in range(steps))
