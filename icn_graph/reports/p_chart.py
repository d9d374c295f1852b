"""p-charts (proportions) with an optional Laney p' adjustment.

Public API::

    p_chart(numerators, denominators, labels=None, baseline=None, laney=False) -> PChart

``numerators`` (yᵢ) and ``denominators`` (nᵢ) are 1-D sequences of equal length (lists, numpy
arrays or pandas Series) with 0 ≤ yᵢ ≤ nᵢ and nᵢ > 0, no NaN; ``labels`` (optional) names each
point (e.g. months); ``baseline`` (optional) is a ``slice`` of positions, a frozen baseline period.

Formulas (Montgomery, *Introduction to Statistical Quality Control*; Laney 2002, *Quality
Engineering* 14(4): 531-537):

- proportions pᵢ = yᵢ / nᵢ;
- centre line p̄ = Σyᵢ / Σnᵢ over the baseline points (all points when no baseline);
- sigma_i = √(p̄(1 - p̄) / nᵢ) for every point;
- limits p̄ ± 3 sigma_i, clamped to [0, 1].

Laney p' (``laney=True``), for large denominators where between-month variation exceeds the
binomial: zᵢ = (pᵢ - p̄) / sigma_i; sigma_z = mean moving range of z over the baseline points
/ 1.128 (d₂ for ranges of two); limits p̄ ± 3 sigma_i sigma_z, clamped to [0, 1]. sigma_z > 1
widens the limits (overdispersion), sigma_z < 1 narrows them, as in Laney's paper. It needs at
least two baseline points. When p̄ is 0 or 1 every sigma_i is 0 and the limits collapse onto p̄
(sigma_z is then reported as 0).

Signals: points outside the limits (``Rule.OUTSIDE_LIMITS``, one signal per point, strictly
above the upper or below the lower limit), then the Anhøj run rules (``Rule.LONG_RUN``,
``Rule.FEW_CROSSINGS``) on the proportions around p̄, the centre line the chart draws, not
around their median (as qicharts2 does: a run "above the centre line" must be above the line a
reader sees). With a frozen baseline, all points are judged against the baseline's p̄. Points
exactly on p̄ are ignored, as points on the median are on a run chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icn_graph.lazy import lazy_module
from icn_graph.reports.run_chart import Runs, runs_around
from icn_graph.reports.signals import (
    Rule,
    Signal,
    as_labels,
    as_series,
    baseline_indices,
    make_signal,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    np = lazy_module("numpy")

__all__ = ["D2", "PChart", "p_chart"]

D2 = 1.128
"""Bias-correction constant d₂ for moving ranges of two points."""


@dataclass(frozen=True, slots=True)
class PChart:
    """A p-chart: proportions, centre line, per-point limits and signals."""

    numerators: tuple[float, ...]
    denominators: tuple[float, ...]
    proportions: tuple[float, ...]
    labels: tuple[str, ...] | None
    centre: float
    """p̄ = Σy / Σn over the baseline (or all points)."""
    sigmas: tuple[float, ...]
    """sigma_i = √(p̄(1 - p̄)/nᵢ), before any Laney adjustment."""
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    baseline: slice | None
    laney: bool
    sigma_z: float | None
    """Laney's sigma_z (``None`` unless ``laney``)."""
    runs: Runs
    """The Anhøj runs analysis around p̄."""
    signals: tuple[Signal, ...]
    """Outside-limit signals, then the run signals (``runs.signals``)."""


def p_chart(
    numerators: npt.ArrayLike,
    denominators: npt.ArrayLike,
    labels: Sequence[str] | None = None,
    baseline: slice | None = None,
    laney: bool = False,
) -> PChart:
    """Centre line, limits, outside-limit and run signals (see the module docstring)."""
    y = as_series("numerators", numerators)
    n = as_series("denominators", denominators)
    if y.size != n.size:
        raise ValueError(
            f"numerators has {y.size} points but denominators has {n.size}; they must match"
        )
    _check_counts(y, n)
    label_tuple = as_labels(labels, y.size)
    base = baseline_indices(baseline, y.size)
    if laney and base.size < 2:
        raise ValueError("laney=True needs at least 2 baseline points for a moving range")

    p = y / n
    centre = float(y[base].sum() / n[base].sum())
    sigma = np.sqrt(centre * (1.0 - centre) / n)

    sigma_z: float | None = None
    width = 3.0 * sigma
    if laney:
        if centre in (0.0, 1.0):
            sigma_z = 0.0
        else:
            z = (p[base] - centre) / sigma[base]
            sigma_z = float(np.abs(np.diff(z)).mean() / D2)
        width = width * sigma_z
    lower = np.clip(centre - width, 0.0, 1.0)
    upper = np.clip(centre + width, 0.0, 1.0)

    signals: list[Signal] = []
    above = p > upper
    for i in np.flatnonzero(above | (p < lower)).tolist():
        where, limit = ("above the upper", upper[i]) if above[i] else ("below the lower", lower[i])
        signals.append(
            make_signal(
                Rule.OUTSIDE_LIMITS,
                i,
                i,
                label_tuple,
                f"p = {p[i]:.4g} ({y[i]:g}/{n[i]:g}) {where} limit {limit:.4g}",
            )
        )

    runs = runs_around(p, centre, label_tuple, f"the centre line (p̄ {centre:.1%})")
    return PChart(
        numerators=tuple(y.tolist()),
        denominators=tuple(n.tolist()),
        proportions=tuple(p.tolist()),
        labels=label_tuple,
        centre=centre,
        sigmas=tuple(sigma.tolist()),
        lower=tuple(lower.tolist()),
        upper=tuple(upper.tolist()),
        baseline=baseline,
        laney=laney,
        sigma_z=sigma_z,
        runs=runs,
        signals=(*signals, *runs.signals),
    )


def _check_counts(y: npt.NDArray[np.float64], n: npt.NDArray[np.float64]) -> None:
    checks = (
        (n <= 0, "denominators must be greater than 0"),
        (y < 0, "numerators must not be negative"),
        (y > n, "numerators must not exceed denominators"),
    )
    for mask, message in checks:
        bad = np.flatnonzero(mask)
        if bad.size:
            shown = ", ".join(str(i) for i in bad[:5].tolist())
            more = f" (and {bad.size - 5} more)" if bad.size > 5 else ""
            raise ValueError(f"{message}; violated at index {shown}{more}")
