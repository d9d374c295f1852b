"""Small-cell suppression: no count from 1 to 10 leaves its center.

Outside the owning center a monthly point is *suppressed* when its numerator, its denominator or
its complement (denominator - numerator) is from 1 to 10: each of them would tell a reader about
a handful of patients (a rate of 100 % over 4 patients reveals 4 remissions as surely as the
count). Zero may show: "nobody" identifies no one. A suppressed point hides its numerator,
denominator and value, and its control limits too, since p-chart limits depend on the
denominator and would give it away.

The same rule applies to the network aggregate (the sum over centers per month), for everyone.
"""

from __future__ import annotations

SMALLEST_SHOWN_COUNT = 11
"""Counts from 1 to ``SMALLEST_SHOWN_COUNT - 1`` are suppressed outside the owning center."""


def is_small_count(count: int) -> bool:
    """Whether ``count`` is a small cell (1 to 10): zero and 11 or more may show."""
    return 0 < count < SMALLEST_SHOWN_COUNT


def reveals_small_count(numerator: int, denominator: int) -> bool:
    """Whether a point with these counts would reveal a small cell (the numerator, the
    denominator or the complement)."""
    return any(is_small_count(count) for count in (numerator, denominator, denominator - numerator))
