"""A data view as it is shown: its series or funnel, computed at read time.

Which centers appear, and how, comes from the consent rule (``showing.py``) at ``now``; the
values only from the published table (``disclosure.reading``): a cell hidden there is hidden
here, for a named or a blinded center alike, and the network total is ``network_values``' cells.
A rendering never depends on who reads it (previews included), never names a center shown only
inside the network total, and never says which centers a view has beyond those it shows.

- RUN_CHART and P_CHART: one series per shown center (named by the center's name, or "Center X"
  with its letter in the view) and the network's when the view includes it, each charted like a
  report (``build_report``): hidden months take no part in the centre line, limits or signals.
- FUNNEL: each shown center's numerator and denominator summed over its shown months of the
  period, placed around the network's rate over its published months of the period
  (``reports.funnel``). The denominators are summed month by month, so over several months they
  count patient-months: the same patient seen in three months counts three times.

A shown center's months that the unnamed-remainder rule withholds are hidden like a suppressed
cell; each series (and the rendering as a whole) lists its withheld months with the reason.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.models import Center, MeasureValue
from icn_graph.models.stewardship import DataRequest, DataView, DataViewChart
from icn_graph.reports.funnel import FunnelPoint, FunnelUnit, Limits, funnel
from icn_graph.reports.measures.registry import Measure, MeasureRegistry
from icn_graph.services.data_views.showing import (
    CenterShowing,
    ViewShowing,
    period_months,
    view_showing,
)
from icn_graph.services.reports.access import Disclosure
from icn_graph.services.reports.disclosure.reading import PublishedCount, load_series
from icn_graph.services.reports.report import (
    ChartKind,
    Report,
    ReportQuery,
    chart_months,
    find_measure,
)


class SeriesKind(enum.StrEnum):
    NAMED = "NAMED"
    BLINDED = "BLINDED"
    NETWORK = "NETWORK"


class WithheldReason(enum.StrEnum):
    SMALL_COUNTS = "SMALL_COUNTS"
    """Hidden in the published table: a count from 1 to 10, or what would let one be derived."""
    UNNAMED_REMAINDER = "UNNAMED_REMAINDER"
    """A shown center's month: too few centers not shown had data that month."""


REASONS = {
    WithheldReason.SMALL_COUNTS: "Suppressed for everyone: it would reveal a count from 1 to 10 "
    "(or let one be worked out from other values).",
    WithheldReason.UNNAMED_REMAINDER: "Centers' values withheld: too few centers not shown had "
    "data this month, so the network total minus the centers shown would single them out.",
}

NETWORK_LABEL = "Network"


@dataclass(frozen=True)
class WithheldMonth:
    month: date
    reason: WithheldReason

    @property
    def explanation(self) -> str:
        return REASONS[self.reason]


@dataclass(frozen=True)
class RenderedSeries:
    label: str
    kind: SeriesKind
    report: Report
    """Its months, centre line, limits and signals (``report.center`` is always ``None``)."""
    withheld: tuple[WithheldMonth, ...]


@dataclass(frozen=True)
class FunnelEntry:
    label: str
    kind: SeriesKind
    point: FunnelPoint
    months: int
    """The months summed into it (its shown months with data)."""


@dataclass(frozen=True)
class RenderedFunnel:
    target: float | None
    """The network's rate over its published months of the period; ``None`` without any."""
    target_numerator: int
    target_denominator: int
    entries: tuple[FunnelEntry, ...]
    curve: tuple[Limits, ...]
    unplaced: tuple[str, ...]
    """Labels of shown centers not placed: no shown month with data in the period, or no
    network rate to place them around."""


@dataclass(frozen=True)
class Rendering:
    view_id: int
    measure: Measure
    chart: DataViewChart
    months: tuple[date, ...]
    as_of: date
    """The day (UTC) the consents were read on."""
    series: tuple[RenderedSeries, ...]
    """RUN_CHART, P_CHART: the network's first (when included), then named, then blinded."""
    funnel: RenderedFunnel | None
    """FUNNEL only."""
    withheld: tuple[tuple[str, WithheldMonth], ...]
    """Every (series label, withheld month), in series then month order."""
    showing: ViewShowing
    """Who is shown how: for the audit and for the people allowed to know. Never rendered."""

    @property
    def named(self) -> tuple[CenterShowing, ...]:
        return self.showing.named


@dataclass(frozen=True)
class _Subject:
    label: str
    kind: SeriesKind
    center_id: int | None
    withheld: frozenset[date]


async def render_view(
    session: AsyncSession,
    registry: MeasureRegistry,
    view: DataView,
    request: DataRequest,
    *,
    now: datetime,
) -> Rendering:
    """``view`` as it is shown at ``now`` (module docstring). Authorization is the caller's."""
    measure = find_measure(registry, view.measure_key)
    showing = await view_showing(session, registry, view, request, now=now)
    months = period_months(view)
    is_funnel = view.chart is DataViewChart.FUNNEL
    # A funnel's target is the network's rate, whether or not the view lists the network.
    subjects = await _subjects(session, showing, network=view.include_network or is_funnel)
    counts = await _counts(session, view.measure_key, subjects, months)
    withheld = tuple(
        (subject.label, month)
        for subject in subjects
        for month in _withheld(subject, months, counts[subject.center_id])
    )
    series: tuple[RenderedSeries, ...] = ()
    funnel_part = None
    if is_funnel:
        funnel_part = _funnel(subjects, counts)
    else:
        kind = ChartKind(view.chart.value)
        series = tuple(_series(measure, kind, s, months, counts[s.center_id]) for s in subjects)
    return Rendering(
        view_id=view.id,
        measure=measure,
        chart=view.chart,
        months=tuple(months),
        as_of=showing.today,
        series=series,
        funnel=funnel_part,
        withheld=withheld,
        showing=showing,
    )


async def _subjects(
    session: AsyncSession, showing: ViewShowing, *, network: bool
) -> list[_Subject]:
    named_ids = [c.center_id for c in showing.named]
    names: dict[int, str] = {}
    if named_ids:
        rows = await session.execute(select(Center.id, Center.name).where(Center.id.in_(named_ids)))
        names = {center_id: name for center_id, name in rows}
    subjects = []
    if network:
        subjects.append(_Subject(NETWORK_LABEL, SeriesKind.NETWORK, None, frozenset()))
    named = [
        _Subject(names[c.center_id], SeriesKind.NAMED, c.center_id, showing.withheld_months)
        for c in showing.named
    ]
    subjects.extend(sorted(named, key=lambda s: s.label.casefold()))
    subjects.extend(
        _Subject(f"Center {c.letter}", SeriesKind.BLINDED, c.center_id, showing.withheld_months)
        for c in showing.blinded
    )
    return subjects


async def _counts(
    session: AsyncSession, measure_key: str, subjects: Sequence[_Subject], months: Sequence[date]
) -> dict[int | None, dict[date, PublishedCount]]:
    """Each subject's stored months of the period (the network under ``None``): two queries."""
    first, last = months[0], months[-1]
    found: dict[int | None, dict[date, PublishedCount]] = defaultdict(dict)
    if any(s.center_id is None for s in subjects):
        for count in await load_series(session, measure_key, None, start=first, end=last):
            found[None][count.month] = count
    center_ids = sorted(s.center_id for s in subjects if s.center_id is not None)
    if center_ids:
        rows = await session.execute(
            select(
                MeasureValue.center_id,
                MeasureValue.month,
                MeasureValue.numerator,
                MeasureValue.denominator,
                MeasureValue.published,
            ).where(
                MeasureValue.measure_key == measure_key,
                MeasureValue.center_id.in_(center_ids),
                MeasureValue.month >= first,
                MeasureValue.month <= last,
            )
        )
        for center_id, month, numerator, denominator, published in rows:
            found[center_id][month] = PublishedCount(month, numerator, denominator, published)
    return found


def _withheld(
    subject: _Subject, months: Iterable[date], counts: dict[date, PublishedCount]
) -> list[WithheldMonth]:
    """The subject's months that exist but are not shown, with why (remainder first)."""
    found = []
    for month in months:
        count = counts.get(month)
        if count is None:
            continue
        if month in subject.withheld:
            found.append(WithheldMonth(month, WithheldReason.UNNAMED_REMAINDER))
        elif not count.published:
            found.append(WithheldMonth(month, WithheldReason.SMALL_COUNTS))
    return found


def _series(
    measure: Measure,
    kind: ChartKind,
    subject: _Subject,
    months: Sequence[date],
    counts: dict[date, PublishedCount],
) -> RenderedSeries:
    withheld = _withheld(subject, months, counts)
    series = [
        (month, counts[month].numerator, counts[month].denominator)
        if month in counts
        else (month, 0, 0)
        for month in months
    ]
    query = ReportQuery(measure_key=measure.key, chart=kind)
    hidden = {w.month for w in withheld}
    report = chart_months(measure, None, query, series, Disclosure.SUPPRESSED, hidden)
    return RenderedSeries(subject.label, subject.kind, report, tuple(withheld))


def _shown_counts(subject: _Subject, counts: dict[date, PublishedCount]) -> list[PublishedCount]:
    return [
        count
        for month, count in sorted(counts.items())
        if count.published and month not in subject.withheld and count.denominator > 0
    ]


def _funnel(
    subjects: Sequence[_Subject], counts: dict[int | None, dict[date, PublishedCount]]
) -> RenderedFunnel:
    units = [
        FunnelSource(s.label, s.kind, _shown_counts(s, counts[s.center_id]))
        for s in subjects
        if s.center_id is not None
    ]
    return build_funnel(units, list(counts[None].values()))


@dataclass(frozen=True)
class FunnelSource:
    """A center to place: its label, kind and the months of it that show."""

    label: str
    kind: SeriesKind
    counts: Sequence[PublishedCount]


def build_funnel(
    sources: Sequence[FunnelSource], network: Sequence[PublishedCount]
) -> RenderedFunnel:
    """Each source's shown months summed and placed around the network's rate over its
    published months (``network``: the network's stored months of the period)."""
    published = [c for c in network if c.published and c.denominator > 0]
    target_numerator = sum(c.numerator for c in published)
    target_denominator = sum(c.denominator for c in published)
    target = target_numerator / target_denominator if target_denominator else None
    units = [
        FunnelUnit(
            source.label,
            sum(c.numerator for c in source.counts),
            sum(c.denominator for c in source.counts),
        )
        for source in sources
    ]
    if target is None:
        return RenderedFunnel(None, 0, 0, (), (), tuple(unit.label for unit in units))
    about = {source.label: source for source in sources}
    placed = funnel(units, target)
    entries = tuple(
        FunnelEntry(
            point.label,
            about[point.label].kind,
            point,
            sum(1 for c in about[point.label].counts if c.denominator > 0),
        )
        for point in placed.points
    )
    return RenderedFunnel(
        target, target_numerator, target_denominator, entries, placed.curve, placed.skipped
    )
