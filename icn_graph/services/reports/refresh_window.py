"""Which stored months an import can change: the affected window of each measure.

A measure with ``window_months = w`` (see :class:`~icn_graph.reports.measures.Measure`) gives a
month a value from the visits of that month and the ``w - 1`` before it, over the center's span
(its first visit month through its last). Visits imported in month ``m`` can therefore change
the months ``m`` through ``m + w - 1``; and when the import widens the center's span, the months
newly inside it get values for the first time. Nothing else can change: imports only add or
update visits, never remove them.

Months here are integers, months since January 1970 (``numpy``'s ``datetime64[M]``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date


def month_number(day: date) -> int:
    return (day.year - 1970) * 12 + day.month - 1


def month_start(month: int) -> date:
    return date(1970 + month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class Span:
    """Inclusive first and last month of a center's visits or of its stored values."""

    first: int
    last: int

    def months(self) -> range:
        return range(self.first, self.last + 1)


def affected_months(
    touched: Collection[int], window_months: int, visits: Span, stored: Span | None
) -> frozenset[int]:
    """The months of the center's ``visits`` span whose values visits imported in the
    ``touched`` months can change, for a measure of ``window_months``, given the span of the
    values ``stored`` before (``None``: none stored, every month is new)."""
    if stored is None:
        return frozenset(visits.months())
    months: set[int] = set()
    for month in touched:
        months.update(range(month, month + window_months))
    months.update(range(visits.first, stored.first))  # the span grew earlier
    months.update(range(stored.last + 1, visits.last + 1))  # ... or later
    return frozenset(month for month in months if visits.first <= month <= visits.last)


def history_start(affected: Iterable[int], window_months: int) -> int:
    """The first month of visits needed to recompute the ``affected`` months."""
    return min(affected) - (window_months - 1)
