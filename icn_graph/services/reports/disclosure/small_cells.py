"""The small-cell rule: no count from 1 to 10 leaves its center.

A count is *small* from 1 to 10: each would tell a reader about a handful of patients. Zero may
show ("nobody" identifies no one), and so may 11 or more. A monthly point reveals a small cell
when its numerator, its denominator or its complement (denominator - numerator) is small: a rate
of 100 % over 4 patients reveals 4 remissions as surely as the count.
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
