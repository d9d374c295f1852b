"""Small-cell suppression: no count from 1 to 10 leaves its center.

Outside the owning center a monthly point is *suppressed* when its numerator, its denominator or
its complement (denominator - numerator) is from 1 to 10: each of them would tell a reader about
a handful of patients (a rate of 100 % over 4 patients reveals 4 remissions as surely as the
count). Zero may show: "nobody" identifies no one. A suppressed point hides its numerator,
denominator and value, and its control limits too, since p-chart limits depend on the
denominator and would give it away.

The same rule applies to the network aggregate (the sum over centers per month), for everyone,
and one step further (:func:`hidden_network_months`): a network month is also hidden from a
viewer when the network's counts minus the counts of the centers that viewer sees unsuppressed
that month (their own centers; for network staff and data managers also every other center whose
month is not suppressed) reveal a small cell. Otherwise subtraction would give the suppressed
centers away: with A = 50/100 and B = 40/90 shown and C = 3/5 hidden, a network month of 93/195
tells staff that C is 3/5; in a two-center network it tells a member of one center the other's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from icn_graph.services.reports.access import Disclosure, disclosure_for
from icn_graph.services.reports.measure_store import MonthlyCount
from icn_graph.services.viewer import Viewer

SMALLEST_SHOWN_COUNT = 11
"""Counts from 1 to ``SMALLEST_SHOWN_COUNT - 1`` are suppressed outside the owning center."""


def is_small_count(count: int) -> bool:
    """Whether ``count`` is a small cell (1 to 10): zero and 11 or more may show."""
    return 0 < count < SMALLEST_SHOWN_COUNT


def reveals_small_count(numerator: int, denominator: int) -> bool:
    """Whether a point with these counts would reveal a small cell (the numerator, the
    denominator or the complement)."""
    return any(is_small_count(count) for count in (numerator, denominator, denominator - numerator))


def sum_by_month(counts: Iterable[MonthlyCount]) -> dict[date, tuple[int, int]]:
    """(numerator, denominator) summed over centers, per month."""
    totals: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for count in counts:
        total = totals[count.month]
        total[0] += count.numerator
        total[1] += count.denominator
    return {month: (y, n) for month, (y, n) in totals.items()}


def hidden_network_months(viewer: Viewer, counts: Iterable[MonthlyCount]) -> set[date]:
    """The months of the network aggregate of ``counts`` (every center's stored counts of one
    measure, any months) that ``viewer`` may not see: the network's counts reveal a small cell,
    or do so once the centers ``viewer`` sees unsuppressed that month are subtracted.

    A center counts as seen when ``viewer`` may see its values (``access.disclosure_for``) and
    either sees them in full (their own center) or its month reveals no small cell.
    """
    counts = list(counts)
    totals = sum_by_month(counts)
    disclosures = {
        center_id: disclosure_for(viewer, center_id)
        for center_id in {count.center_id for count in counts}
    }
    seen = sum_by_month(
        count
        for count in counts
        if disclosures[count.center_id] is Disclosure.FULL
        or (
            disclosures[count.center_id] is Disclosure.SUPPRESSED
            and not reveals_small_count(count.numerator, count.denominator)
        )
    )
    hidden: set[date] = set()
    for month, (y, n) in totals.items():
        known_y, known_n = seen.get(month, (0, 0))
        if reveals_small_count(y, n) or reveals_small_count(y - known_y, n - known_n):
            hidden.add(month)
    return hidden
