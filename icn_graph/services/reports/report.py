"""``build_report``: one measure's monthly series for a center or the network, with SPC, as the
disclosure policy lets the viewer see it.

Steps: check who may see the series (``access.py``), read the stored monthly counts with their
published flags (``disclosure.reading``: the network's from its stored totals), fill the months
in range (a month without data is a point with denominator 0, no value and no limits, left out of
the SPC), hide the months the viewer may not see (a center's own team sees every month of it;
everyone else exactly the published cells, the same for everyone), then compute the chart on the
months the viewer sees.

Hidden months take no part in any chart calculation: the centre line (p̄ or the median), the
limits, Laney's sigma_z and every signal come from the shown months only. Anything computed
over a hidden month would give it away: with one shown month of 30/50 and a hidden one, a
centre line p̄ of 33/54 leaves only 3/4 for the hidden month. A hidden point carries the centre
line (which no longer depends on it) but no counts, value or limits, and no signal concerns it:
a run spanning it is a run of the shown months on either side. A frozen baseline covers the first
``baseline_months`` months with data, hidden ones included (so it is the same period for every
viewer), and is computed from the shown months in it. When the baseline (or the whole series)
has no shown month, or only one for Laney's adjustment, there is no centre line, no limits and
no signals.

Which cells are hidden is decided when the values change, across centers, the network total and
measure families (``disclosure.pattern``), so that no hidden count can be derived by combining
what any readers see.

A center's report read by someone outside its team (network staff and data managers) is an
identified read: ``build_reports`` records it in the audit log (``stewardship.read_audit``) in
the transaction that reads it, one audit read per measure however many centers a request reads,
and refuses every report of the batch when the audit cannot be written. The network aggregate
and a team's own center are not identified reads.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.errors import BadInput, NotFound, ServiceError
from icn_graph.models import Center
from icn_graph.reports import MAX_MONTHS
from icn_graph.reports.measures.registry import Measure, MeasureRegistry
from icn_graph.reports.p_chart import p_chart
from icn_graph.reports.run_chart import run_chart
from icn_graph.reports.signals import Rule, Signal
from icn_graph.services.reports.access import Disclosure, center_disclosure, network_disclosure
from icn_graph.services.reports.disclosure.reading import (
    PublishedCount,
    load_center_series,
    load_series,
    shows,
)
from icn_graph.services.stewardship.read_audit import ReadChannel, ReadSubject, record_role_read
from icn_graph.services.viewer import Viewer


class ChartKind(enum.StrEnum):
    RUN_CHART = "RUN_CHART"
    """Median centre line and the Anhøj run rules."""
    P_CHART = "P_CHART"
    """p̄ centre line, 3-sigma limits per month, points outside them, and the Anhøj rules
    around p̄."""


@dataclass(frozen=True)
class ReportQuery:
    measure_key: str
    center_id: int | None = None
    """``None``: the network aggregate."""
    start: date | None = None
    """First month (any day in it); default the first stored month."""
    end: date | None = None
    """Last month (any day in it); default the last stored month."""
    chart: ChartKind = ChartKind.P_CHART
    baseline_months: int | None = None
    """Freeze the centre line (and limits) on the first N months with data."""
    laney: bool = False


@dataclass(frozen=True)
class ReportPoint:
    month: date
    numerator: int | None
    denominator: int | None
    value: float | None
    """numerator / denominator, 0-1; ``None`` when suppressed or without data."""
    suppressed: bool
    center_line: float | None
    lower_limit: float | None
    upper_limit: float | None


@dataclass(frozen=True)
class ReportSignal:
    rule: Rule
    start_month: date
    end_month: date
    description: str


@dataclass(frozen=True)
class Report:
    measure: Measure
    center: Center | None
    """``None`` for the network aggregate."""
    chart: ChartKind
    points: tuple[ReportPoint, ...]
    center_line: float | None
    signals: tuple[ReportSignal, ...]
    disclosure: Disclosure

    @property
    def subject(self) -> str:
        """Whose series this is, for titles: the center's name or "Network"."""
        return self.center.name if self.center is not None else "Network"

    @property
    def has_suppressed(self) -> bool:
        return any(point.suppressed for point in self.points)


def find_measure(registry: MeasureRegistry, key: str) -> Measure:
    """The measure ``key``; BAD_USER_INPUT naming it and listing the known keys."""
    try:
        return registry.get(key)
    except NotFound:
        known = ", ".join(sorted(measure.key for measure in registry.all()))
        raise BadInput(
            f"measure: unknown measure '{key[:64]}'; known measures: {known}.", field="measure"
        ) from None


async def build_report(
    db: Database,
    viewer: Viewer,
    registry: MeasureRegistry,
    query: ReportQuery,
    *,
    channel: str = ReadChannel.GRAPHQL,
    subject: str = ReadSubject.REPORT,
) -> Report:
    """The report ``query`` asks for, as ``viewer`` may see it (see the module docstring).

    A center's report read from outside its team is an identified read: it is recorded in the
    audit log (``channel``: how it is served, ``subject``: what it is shown as) in the read's
    own transaction, and the read fails with ``AuditUnavailable`` when that cannot be written.
    """
    (built,) = await build_reports(db, viewer, registry, [query], channel=channel, subject=subject)
    if isinstance(built, ServiceError):
        raise built
    return built


async def build_reports(
    db: Database,
    viewer: Viewer,
    registry: MeasureRegistry,
    queries: Sequence[ReportQuery],
    *,
    channel: str = ReadChannel.GRAPHQL,
    subject: str = ReadSubject.REPORT,
) -> list[Report | ServiceError]:
    """Each report of ``queries``, in order, or the problem that refused it (FORBIDDEN,
    NOT_FOUND, BAD_USER_INPUT), read in one transaction that also records the identified reads
    among them: one audit read per measure, listing every center shown from outside its team.
    When the audit cannot be written, every report fails with ``AuditUnavailable``."""
    results: list[Report | ServiceError | None] = [None] * len(queries)
    prepared: list[tuple[int, _Prepared]] = []
    for index, query in enumerate(queries):
        try:
            prepared.append((index, _prepare(viewer, registry, query)))
        except ServiceError as problem:
            results[index] = problem
    if prepared:
        await _read(db, viewer, prepared, results, channel=channel, subject=subject)
    done = [result for result in results if result is not None]
    assert len(done) == len(queries)
    return done


async def _read(
    db: Database,
    viewer: Viewer,
    prepared: Sequence[tuple[int, _Prepared]],
    results: list[Report | ServiceError | None],
    *,
    channel: str,
    subject: str,
) -> None:
    """Read the ``prepared`` reports into ``results`` and audit the identified ones, in one
    transaction."""
    async with db.transaction() as session:
        wanted = {item.query.center_id for _, item in prepared} - {None}
        centers: dict[int, Center] = {}
        if wanted:
            found = await session.scalars(select(Center).where(Center.id.in_(sorted(wanted))))
            centers = {center.id: center for center in found}
        # One query per measure and range, however many centers ask for it.
        groups: dict[tuple[str, date | None, date | None], set[int]] = {}
        for _, item in prepared:
            if item.query.center_id is not None and item.query.center_id in centers:
                key = (item.measure.key, item.start, item.end)
                groups.setdefault(key, set()).add(item.query.center_id)
        series: dict[tuple[str, date | None, date | None, int], list[PublishedCount]] = {}
        for (measure_key, start, end), group in groups.items():
            loaded = await load_center_series(session, measure_key, group, start=start, end=end)
            for member in group:
                series[(measure_key, start, end, member)] = loaded.get(member, [])
        shown: dict[str, list[int]] = {}
        for index, item in prepared:
            center_id = item.query.center_id
            center = None if center_id is None else centers.get(center_id)
            if center_id is not None and center is None:
                results[index] = NotFound("No center has that ID.", field="centerId")
                continue
            if center is None:
                counts = await load_series(
                    session, item.measure.key, None, start=item.start, end=item.end
                )
            else:
                counts = series[(item.measure.key, item.start, item.end, center.id)]
            try:
                results[index] = _report(item, center, counts)
            except ServiceError as problem:  # e.g. too few months for Laney's adjustment
                results[index] = problem
                continue
            if center is not None:
                shown.setdefault(item.measure.key, []).append(center.id)
        for measure_key, center_ids in shown.items():
            await record_role_read(
                session,
                viewer,
                channel=channel,
                subject=subject,
                measure_key=measure_key,
                center_ids=center_ids,
            )


@dataclass(frozen=True)
class _Prepared:
    query: ReportQuery
    measure: Measure
    disclosure: Disclosure
    start: date | None
    end: date | None


def _prepare(viewer: Viewer, registry: MeasureRegistry, query: ReportQuery) -> _Prepared:
    """Who may see it and what it asks for, checked before anything is read."""
    if query.center_id is None:
        disclosure = network_disclosure(viewer)
    else:
        disclosure = center_disclosure(viewer, query.center_id)
    measure = find_measure(registry, query.measure_key)
    start, end = _month_range(query)
    return _Prepared(query, measure, disclosure, start, end)


def _report(item: _Prepared, center: Center | None, counts: Sequence[PublishedCount]) -> Report:
    query, start, end = item.query, item.start, item.end
    totals = {count.month: (count.numerator, count.denominator) for count in counts}
    last = end or max(totals, default=None)
    first = start or min(totals, default=None)
    if first is not None and last is not None and _span(first, last) > MAX_MONTHS:
        if start is None:
            first = add_months(last, 1 - MAX_MONTHS)  # the latest months
        else:
            last = add_months(first, MAX_MONTHS - 1)
    months = _months(first, last)
    series = [(month, *totals.get(month, (0, 0))) for month in months]
    hidden = {count.month for count in counts if not shows(item.disclosure, count)}
    return chart_months(item.measure, center, query, series, item.disclosure, hidden)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = _month_index(month) + count
    return date(index // 12, index % 12 + 1, 1)


def _month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


def _span(first: date, last: date) -> int:
    """Months from ``first`` through ``last``, both included."""
    return _month_index(last) - _month_index(first) + 1


def _month_range(query: ReportQuery) -> tuple[date | None, date | None]:
    start = first_of_month(query.start) if query.start is not None else None
    end = first_of_month(query.end) if query.end is not None else None
    if start is not None and end is not None:
        if end < start:
            raise BadInput(
                f"to: the last month ({end:%Y-%m}) is before the first ({start:%Y-%m}).",
                field="to",
            )
        if _span(start, end) > MAX_MONTHS:
            raise BadInput(
                f"from: a report covers at most {MAX_MONTHS} months; "
                f"{start:%Y-%m} to {end:%Y-%m} is longer.",
                field="from",
            )
    if query.baseline_months is not None and query.baseline_months < 1:
        raise BadInput(
            f"baselineMonths: must be at least 1 (got {query.baseline_months}).",
            field="baselineMonths",
        )
    if query.laney and query.chart is not ChartKind.P_CHART:
        raise BadInput("laney: Laney's adjustment applies to P_CHART only.", field="laney")
    return start, end


def _months(start: date | None, end: date | None) -> list[date]:
    if start is None or end is None or end < start:
        return []
    return [add_months(start, offset) for offset in range(_span(start, end))]


def chart_months(
    measure: Measure,
    center: Center | None,
    query: ReportQuery,
    series: Sequence[tuple[date, int, int]],
    disclosure: Disclosure,
    hidden_months: set[date],
) -> Report:
    """The chart of ``series`` (month, numerator, denominator), ``hidden_months`` left out of
    every calculation (module docstring); data views chart their series with it too."""
    hidden = {index for index, (month, _, _) in enumerate(series) if month in hidden_months}
    with_data = [index for index, (_, _, n) in enumerate(series) if n > 0]
    # Only shown months enter the chart (see the module docstring).
    charted = [index for index in with_data if index not in hidden]
    numerators = [series[i][1] for i in charted]
    denominators = [series[i][2] for i in charted]
    labels = [series[i][0].isoformat() for i in charted]
    period = with_data[: query.baseline_months] if query.baseline_months else with_data
    if with_data and query.laney and len(period) < 2:
        raise BadInput(
            "laney: Laney's adjustment needs at least 2 baseline months with data.", field="laney"
        )
    in_period = set(period)
    shown_period = sum(1 for index in charted if index in in_period)
    baseline = slice(0, shown_period) if query.baseline_months else None

    centre: float | None = None
    lower: dict[int, float] = {}
    upper: dict[int, float] = {}
    signals: list[Signal] = []
    # Too few shown months in the baseline (none, or one for Laney's moving range): no chart.
    if shown_period >= (2 if query.laney else 1):
        if query.chart is ChartKind.P_CHART:
            # Outside the limits, and the run rules around the p̄ the chart draws.
            control = p_chart(numerators, denominators, labels, baseline, laney=query.laney)
            centre = control.centre
            lower = dict(zip(charted, control.lower, strict=True))
            upper = dict(zip(charted, control.upper, strict=True))
            signals.extend(control.signals)
        else:
            proportions = [y / n for y, n in zip(numerators, denominators, strict=True)]
            runs = run_chart(proportions, labels, baseline)
            centre = runs.centre
            signals.extend(runs.signals)

    points = tuple(
        _point(index, month, y, n, centre, lower, upper, hidden)
        for index, (month, y, n) in enumerate(series)
    )
    shown = [
        ReportSignal(
            rule=signal.rule,
            start_month=series[charted[signal.start_index]][0],
            end_month=series[charted[signal.end_index]][0],
            description=signal.description,
        )
        for signal in signals
    ]
    shown.sort(key=lambda signal: (signal.start_month, signal.end_month, signal.rule))
    return Report(
        measure=measure,
        center=center,
        chart=query.chart,
        points=points,
        center_line=centre,
        signals=tuple(shown),
        disclosure=disclosure,
    )


def _point(
    index: int,
    month: date,
    numerator: int,
    denominator: int,
    centre: float | None,
    lower: dict[int, float],
    upper: dict[int, float],
    hidden: set[int],
) -> ReportPoint:
    if index in hidden:
        return ReportPoint(month, None, None, None, True, centre, None, None)
    return ReportPoint(
        month=month,
        numerator=numerator,
        denominator=denominator,
        value=numerator / denominator if denominator else None,
        suppressed=False,
        center_line=centre,
        lower_limit=lower.get(index),
        upper_limit=upper.get(index),
    )
