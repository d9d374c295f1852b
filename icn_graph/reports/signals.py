"""Shared pieces of the SPC core: signal records and input validation.

``Rule`` names the rule that fired (a ``StrEnum``, so ``Rule.LONG_RUN == "long_run"``):

- ``long_run``: a run on one side of the centre line (the run chart's median, the p-chart's p̄)
  longer than the Anhøj limit;
- ``few_crossings``: fewer crossings of the centre line than the Anhøj limit;
- ``outside_limits`` (p-chart): a point above the upper or below the lower control limit.

``Signal`` is one fired rule with the points it covers: ``start_index``/``end_index`` are
inclusive positions in the input series, ``start_label``/``end_label`` the matching labels (for
example months, ``"2024-03"``) when labels were given, else ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TypeAlias

from icn_graph.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    np = lazy_module("numpy")

__all__ = ["FloatArray", "Rule", "Signal"]

FloatArray: TypeAlias = "npt.NDArray[np.float64]"


class Rule(StrEnum):
    """The rule behind a signal."""

    LONG_RUN = "long_run"
    FEW_CROSSINGS = "few_crossings"
    OUTSIDE_LIMITS = "outside_limits"


@dataclass(frozen=True, slots=True)
class Signal:
    """One fired rule and the points it covers (inclusive indices into the series)."""

    rule: Rule
    start_index: int
    end_index: int
    start_label: str | None
    end_label: str | None
    description: str


def as_series(name: str, data: npt.ArrayLike) -> FloatArray:
    """``data`` as a 1-D float array; ValueError if it is not numeric, not 1-D, empty or has
    NaN or infinite values."""
    try:
        array = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers: {exc}") from exc
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got {array.ndim} dimensions")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise ValueError(f"{name} must be finite numbers; NaN or infinite at index {_indices(bad)}")
    return array


def as_labels(labels: Sequence[str] | None, size: int) -> tuple[str, ...] | None:
    """``labels`` as a tuple, checked to match the series length."""
    if labels is None:
        return None
    if isinstance(labels, str):
        raise ValueError("labels must be a sequence of strings, not a single string")
    result = tuple(labels)
    if len(result) != size:
        raise ValueError(f"labels has {len(result)} items but the series has {size} points")
    return result


def baseline_indices(baseline: slice | None, size: int) -> npt.NDArray[np.intp]:
    """The positions selected by ``baseline`` (all positions when ``None``).

    A baseline is a contiguous period: its step must be ``None`` or 1 and it must select at
    least one point.
    """
    if baseline is None:
        return np.arange(size, dtype=np.intp)
    if not isinstance(baseline, slice):
        raise ValueError(f"baseline must be a slice, got {type(baseline).__name__}")
    if baseline.step not in (None, 1):
        raise ValueError(f"baseline must be a contiguous period (step 1), got step {baseline.step}")
    start, stop, _ = baseline.indices(size)
    if stop <= start:
        raise ValueError(f"baseline {baseline} selects no points of a series of {size}")
    return np.arange(start, stop, dtype=np.intp)


def make_signal(
    rule: Rule, start: int, end: int, labels: tuple[str, ...] | None, description: str
) -> Signal:
    """A ``Signal`` with labels looked up from the indices."""
    return Signal(
        rule=rule,
        start_index=start,
        end_index=end,
        start_label=None if labels is None else labels[start],
        end_label=None if labels is None else labels[end],
        description=description,
    )


def _indices(positions: npt.NDArray[np.intp], limit: int = 5) -> str:
    shown = ", ".join(str(int(i)) for i in positions[:limit])
    more = positions.size - limit
    return shown + (f" (and {more} more)" if more > 0 else "")
