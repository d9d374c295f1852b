"""Run charts with the Anhøj rules.

Public API::

    run_chart(values, labels=None, baseline=None) -> RunChart
    runs_around(series, centre, labels, line) -> Runs
    longest_run_limit(n) -> int
    crossings_limit(n) -> int

``values`` is a 1-D sequence of numbers (list, tuple, numpy array or pandas Series) without NaN;
``labels`` (optional) names each point, e.g. months ``"2024-01"``; ``baseline`` (optional) is a
``slice`` of positions, a frozen baseline period.

Centre line: the median of the baseline points if a baseline is given, else of all points. The
rules are then applied to *all* points against that centre line (so a frozen baseline lets later
months signal a shift away from it).

Points exactly on the median are ignored: they neither break nor extend a run and they are not
counted as crossings. ``n`` is the number of useful observations (points not on the median).

Anhøj rules (Anhøj & Olesen 2014, *PLoS ONE* 9(11): e113825; Anhøj 2015, *PLoS ONE* 10(3):
e0121349):

1. **Unusually long run** (``Rule.LONG_RUN``): a run of consecutive useful points on one side of
   the median longer than ``round(log2(n)) + 3``. Every such run is returned as its own signal,
   spanning its first to its last point.
2. **Too few crossings** (``Rule.FEW_CROSSINGS``): fewer median crossings than the lower 5th
   percentile of Binomial(n - 1, 0.5), i.e. the smallest ``c`` with P(X ≤ c) ≥ 0.05
   (``qbinom(0.05, n - 1, 0.5)`` in R). The signal spans the whole series.

Published limits: n = 10 → longest run 6, crossings 2; n = 20 → 7, 6; n = 30 → 8, 10;
n = 60 → 9, 23.

When every point lies on the median (``n == 0``) the limits are ``None`` and nothing signals.

``runs_around`` applies the same rules around any centre line: the p-chart judges runs around the
p̄ it draws (as qicharts2 does), the run chart around its median.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icn_graph.lazy import lazy_module
from icn_graph.reports.signals import (
    FloatArray,
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

__all__ = ["RunChart", "Runs", "crossings_limit", "longest_run_limit", "run_chart", "runs_around"]


@dataclass(frozen=True, slots=True)
class RunChart:
    """A run chart and its Anhøj runs analysis."""

    values: tuple[float, ...]
    labels: tuple[str, ...] | None
    centre: float
    """The median of the baseline (or of all points)."""
    baseline: slice | None
    useful: int
    """``n``: points not on the median."""
    longest_run: int
    longest_run_limit: int | None
    """A run longer than this signals (``None`` when ``useful == 0``)."""
    crossings: int
    crossings_limit: int | None
    """Fewer crossings than this signals (``None`` when ``useful == 0``)."""
    signals: tuple[Signal, ...]


def longest_run_limit(n: int) -> int:
    """The Anhøj upper limit for the longest run: ``round(log2(n)) + 3`` (n ≥ 1).

    ``log2(n)`` is never exactly half-way between integers for integer ``n``, so the rounding
    convention does not matter.
    """
    _check_n(n)
    return round(math.log2(n)) + 3


def crossings_limit(n: int) -> int:
    """The Anhøj lower limit for crossings: the 5th percentile of Binomial(n - 1, 0.5) (n ≥ 1).

    That is the smallest ``c`` with P(X ≤ c) ≥ 0.05. With p = 0.5, P(X ≤ c) =
    Σ_{k ≤ c} C(n - 1, k) / 2^(n - 1), so the comparison is done exactly in integers:
    ``20 · Σ C(m, k) ≥ 2^m``.
    """
    _check_n(n)
    m = n - 1
    target = 2**m
    term = 1  # C(m, 0)
    cumulative = 0
    for c in range(m + 1):
        cumulative += term
        if 20 * cumulative >= target:
            return c
        term = term * (m - c) // (c + 1)  # C(m, c + 1)
    return m  # not reached: the full sum is 2^m


def run_chart(
    values: npt.ArrayLike,
    labels: Sequence[str] | None = None,
    baseline: slice | None = None,
) -> RunChart:
    """Median centre line and Anhøj signals for ``values`` (see the module docstring)."""
    series = as_series("values", values)
    label_tuple = as_labels(labels, series.size)
    base = baseline_indices(baseline, series.size)
    centre = float(np.median(series[base]))
    runs = runs_around(series, centre, label_tuple, f"the median {centre:g}")
    return RunChart(
        values=tuple(series.tolist()),
        labels=label_tuple,
        centre=centre,
        baseline=baseline,
        useful=runs.useful,
        longest_run=runs.longest_run,
        longest_run_limit=runs.longest_run_limit,
        crossings=runs.crossings,
        crossings_limit=runs.crossings_limit,
        signals=runs.signals,
    )


@dataclass(frozen=True, slots=True)
class Runs:
    """The Anhøj runs analysis of a series around one centre line."""

    useful: int
    """``n``: points not on the centre line."""
    longest_run: int
    longest_run_limit: int | None
    """A run longer than this signals (``None`` when ``useful == 0``)."""
    crossings: int
    crossings_limit: int | None
    """Fewer crossings than this signals (``None`` when ``useful == 0``)."""
    signals: tuple[Signal, ...]


def runs_around(
    series: FloatArray, centre: float, labels: tuple[str, ...] | None, line: str
) -> Runs:
    """The Anhøj rules for ``series`` around ``centre``, the line the chart draws.

    ``line`` names that line in the signal descriptions ("the median 0.5", "the centre line
    (p̄ 62.5 %)"). Points exactly on it are ignored, as for the median.
    """
    side = np.sign(series - centre)
    positions = np.flatnonzero(side != 0)  # indices of useful points
    useful_sides = side[positions]
    n = int(positions.size)
    if n == 0:
        return Runs(0, 0, None, 0, None, ())

    changes = np.flatnonzero(useful_sides[1:] != useful_sides[:-1]) + 1
    crossings = int(changes.size)
    run_starts = np.concatenate(([0], changes))
    run_lengths = np.diff(np.concatenate((run_starts, [n])))
    run_limit = longest_run_limit(n)
    cross_limit = crossings_limit(n)

    signals: list[Signal] = []
    for start, length in zip(
        run_starts[run_lengths > run_limit].tolist(),
        run_lengths[run_lengths > run_limit].tolist(),
        strict=True,
    ):
        first = int(positions[start])
        last = int(positions[start + length - 1])
        where = "above" if useful_sides[start] > 0 else "below"
        signals.append(
            make_signal(
                Rule.LONG_RUN,
                first,
                last,
                labels,
                f"Run of {length} points {where} {line} "
                f"(longer than the limit of {run_limit} for {n} useful points)",
            )
        )
    if crossings < cross_limit:
        signals.append(
            make_signal(
                Rule.FEW_CROSSINGS,
                0,
                series.size - 1,
                labels,
                f"{crossings} crossings of {line}, fewer than the limit of {cross_limit} "
                f"for {n} useful points",
            )
        )
    return Runs(
        useful=n,
        longest_run=int(run_lengths.max()),
        longest_run_limit=run_limit,
        crossings=crossings,
        crossings_limit=cross_limit,
        signals=tuple(signals),
    )


def _check_n(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive whole number of useful observations, got {n!r}")
