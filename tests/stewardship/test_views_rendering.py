"""A view as it is shown (services/stewardship/rendering.py): series and funnels from published
cells only, named centers by name, blinded ones by letter, total-only ones nowhere, and every
withheld month with its reason."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.models import MeasureValue, NetworkValue
from icn_graph.models.stewardship import DataView, DataViewChart, OthersShown
from icn_graph.reports.funnel import Position, limits
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.data_views.rendering import (
    Rendering,
    SeriesKind,
    WithheldMonth,
    WithheldReason,
    render_view,
)
from icn_graph.services.data_views.view_files import rendering_csv
from icn_graph.services.data_views.view_reads import view_and_request
from tests.stewardship.view_helpers import (
    MEASURE,
    MONTHS,
    Network,
    consent_all,
    counts_of,
    make_network,
    make_request,
    make_view,
    store_counts,
)


async def _render(db: Database, view: DataView, now: datetime | None = None) -> Rendering:
    async with db.session() as session:
        fresh, request = await view_and_request(session, view.id)
        return await render_view(session, core_registry(), fresh, request, now=now or utcnow())


async def _three_named_three_blinded(
    db: Database, chart: DataViewChart, *, include_network: bool = True
) -> tuple[Network, DataView]:
    """11 centers with data; a view of the first 7: 0-2 consent, 3-6 left to the view's others
    (BLINDED); centers 7-10 are in no view (enough of them that the network total minus the
    centers shown pins down none)."""
    network = await make_network(db, 11)
    request = await make_request(db, network.requester)
    view = await make_view(
        db,
        request,
        network.centers[:7],
        proposer=network.steward,
        chart=chart,
        include_network=include_network,
        letters=["B", "E", "A", "D", "C", "G", "F"],
    )
    await consent_all(db, network, view, request, network.centers[:3])
    return network, view


async def test_run_chart_series_named_blinded_and_the_network(db: Database) -> None:
    network, view = await _three_named_three_blinded(db, DataViewChart.RUN_CHART)

    rendering = await _render(db, view)

    names = sorted(center.name for center in network.centers[:3])
    assert [(s.label, s.kind) for s in rendering.series] == [
        ("Network", SeriesKind.NETWORK),
        *((name, SeriesKind.NAMED) for name in names),
        ("Center C", SeriesKind.BLINDED),
        ("Center D", SeriesKind.BLINDED),
        ("Center F", SeriesKind.BLINDED),
        ("Center G", SeriesKind.BLINDED),
    ]
    assert rendering.months == MONTHS
    assert rendering.withheld == ()
    by_label = {s.label: s for s in rendering.series}
    first = by_label[network.centers[0].name].report
    assert [(p.numerator, p.denominator) for p in first.points] == [
        counts_of(0, month) for month in range(3)
    ]
    assert first.center is None  # never a Center: names come from the consent rule
    assert first.center_line is not None  # charted like a report: the median
    blinded = by_label["Center C"].report  # center 4 has letter C
    assert [(p.numerator, p.denominator) for p in blinded.points] == [
        counts_of(4, month) for month in range(3)
    ]
    network_points = [(p.numerator, p.denominator) for p in by_label["Network"].report.points]
    assert network_points == [
        tuple(sum(x) for x in zip(*(counts_of(i, m) for i in range(11)), strict=True))
        for m in range(3)
    ]


async def test_p_chart_has_limits_and_the_network_can_be_left_out(db: Database) -> None:
    _, view = await _three_named_three_blinded(db, DataViewChart.P_CHART, include_network=False)
    rendering = await _render(db, view)
    assert "Network" not in [s.label for s in rendering.series]
    assert all(point.upper_limit is not None for s in rendering.series for point in s.report.points)


async def test_total_only_centers_never_appear(db: Database) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    view = await make_view(
        db,
        request,
        network.centers[:6],
        proposer=network.steward,
        chart=DataViewChart.RUN_CHART,
        others=OthersShown.NETWORK_TOTAL_ONLY,
    )
    await consent_all(db, network, view, request, network.centers[:2])
    rendering = await _render(db, view)
    shown = [network.centers[0].name, network.centers[1].name]
    assert sorted(s.label for s in rendering.series) == sorted(["Network", *shown])
    text = rendering_csv(rendering)
    for center in network.centers[2:]:
        assert center.name not in text
    for letter in "CDEF":
        assert f"Center {letter}" not in text


async def test_suppressed_cells_stay_hidden_for_named_and_blinded_centers(db: Database) -> None:
    network = await make_network(db, 10)
    # The first center with 3 in remission in February: a small count, suppressed for everyone.
    small = network.centers[0]
    async with db.transaction() as session:
        cell = await session.scalar(
            select(MeasureValue).where(
                MeasureValue.center_id == small.id, MeasureValue.month == MONTHS[1]
            )
        )
        assert cell is not None
        cell.numerator = 3
    await store_counts(db, [])  # republish
    request = await make_request(db, network.requester)
    view = await make_view(
        db, request, network.centers[:6], proposer=network.steward, chart=DataViewChart.P_CHART
    )
    await consent_all(db, network, view, request, network.centers[:2])

    rendering = await _render(db, view)

    async with db.session() as session:
        hidden = set(
            await session.execute(
                select(MeasureValue.center_id, MeasureValue.month).where(
                    MeasureValue.published.is_(False)
                )
            )
        )
        network_hidden = set(
            await session.scalars(select(NetworkValue.month).where(~NetworkValue.published))
        )
    assert (small.id, MONTHS[1]) in hidden
    by_label = {s.label: s for s in rendering.series}
    named = by_label[small.name]
    assert named.withheld == (WithheldMonth(MONTHS[1], WithheldReason.SMALL_COUNTS),)
    assert named.report.points[1].suppressed
    assert named.report.points[1].numerator is None
    assert named.report.points[1].upper_limit is None
    # Every withheld cell of the rendering is one the published table hides, and back.
    ids = {c.letter: c.center_id for c in rendering.showing.centers}
    names = {center.name: center.id for center in network.centers}
    for series in rendering.series:
        if series.kind is SeriesKind.NETWORK:
            expected = network_hidden
        else:
            center_id = names.get(series.label) or ids[series.label.removeprefix("Center ")]
            expected = {month for cid, month in hidden if cid == center_id}
        assert {w.month for w in series.withheld} == expected, series.label
    assert (small.name, WithheldMonth(MONTHS[1], WithheldReason.SMALL_COUNTS)) in (
        rendering.withheld
    )
    assert "SMALL_COUNTS" in rendering_csv(rendering)


async def test_unnamed_remainder_withholds_named_values_with_its_reason(db: Database) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    view = await make_view(
        db,
        request,
        network.centers[:5],
        proposer=network.steward,
        chart=DataViewChart.RUN_CHART,
        others=OthersShown.NETWORK_TOTAL_ONLY,
    )
    await consent_all(db, network, view, request, network.centers[:5])

    rendering = await _render(db, view)

    named = [s for s in rendering.series if s.kind is SeriesKind.NAMED]
    assert len(named) == 5
    for series in named:
        assert all(point.suppressed for point in series.report.points)
        assert series.withheld == tuple(
            WithheldMonth(month, WithheldReason.UNNAMED_REMAINDER) for month in MONTHS
        )
        assert series.report.center_line is None
    network_series = rendering.series[0]
    assert network_series.kind is SeriesKind.NETWORK
    assert not any(point.suppressed for point in network_series.report.points)
    assert "too few centers not shown" in named[0].withheld[0].explanation


async def test_funnel_sums_each_center_s_published_months(db: Database) -> None:
    network, view = await _three_named_three_blinded(db, DataViewChart.FUNNEL)

    rendering = await _render(db, view)

    part = rendering.funnel
    assert part is not None
    assert rendering.series == ()
    # The target is the network's rate over its published months: all 11 centers, 3 months.
    totals = [counts_of(i, m) for i in range(11) for m in range(3)]
    assert part.target_numerator == sum(y for y, _ in totals)
    assert part.target_denominator == sum(n for _, n in totals)
    assert part.target == pytest.approx(part.target_numerator / part.target_denominator)
    by_label = {entry.label: entry for entry in part.entries}
    assert set(by_label) == {
        *(center.name for center in network.centers[:3]),
        "Center C",
        "Center D",
        "Center F",
        "Center G",
    }
    first = by_label[network.centers[0].name]
    # Center 0: (20, 40), (22, 43), (24, 46) -> 66 of 129
    assert [counts_of(0, m) for m in range(3)] == [(20, 40), (22, 43), (24, 46)]
    assert (first.point.numerator, first.point.denominator, first.months) == (66, 129, 3)
    assert first.kind is SeriesKind.NAMED
    assert first.point.limits == limits(part.target or 0.0, 129)
    assert by_label["Center C"].kind is SeriesKind.BLINDED
    assert part.curve[0].denominator == pytest.approx(129 / 2)
    assert all(entry.point.position in Position for entry in part.entries)
    csv_rows = rendering_csv(rendering).splitlines()
    assert csv_rows[0].startswith("center,kind,numerator,denominator,rate,position")
    assert csv_rows[1].startswith(f"Network,NETWORK,{part.target_numerator},")
    assert any(row.startswith(f"{network.centers[0].name},NAMED,66,129,") for row in csv_rows)


async def test_funnel_leaves_out_a_center_whose_months_are_all_withheld(
    db: Database,
) -> None:
    network = await make_network(db, 9)
    request = await make_request(db, network.requester)
    view = await make_view(db, request, network.centers[:8], proposer=network.steward)
    # 5 named and 3 blinded of 9: 1 not shown, every month withheld for all 8 shown.
    await consent_all(db, network, view, request, network.centers[:5])

    rendering = await _render(db, view)

    part = rendering.funnel
    assert part is not None
    assert sorted(part.unplaced) == sorted(
        [*(center.name for center in network.centers[:5]), "Center F", "Center G", "Center H"]
    )
    assert part.entries == ()
    assert {month.reason for _, month in rendering.withheld} == {WithheldReason.UNNAMED_REMAINDER}


async def test_a_rendering_is_the_same_at_every_read(db: Database) -> None:
    _, view = await _three_named_three_blinded(db, DataViewChart.FUNNEL)
    first = await _render(db, view)
    again = await _render(db, view)
    assert first == again
    assert rendering_csv(first) == rendering_csv(again)


async def test_a_funnel_without_published_network_months_places_nothing(db: Database) -> None:
    network = await make_network(db, 4)
    request = await make_request(db, network.requester)
    view = await make_view(
        db,
        request,
        network.centers[:4],
        proposer=network.steward,
        period=(date(2015, 1, 1), date(2015, 2, 1)),
    )
    rendering = await _render(db, view)
    part = rendering.funnel
    assert part is not None
    assert part.target is None
    assert part.entries == ()
    assert part.unplaced == ("Center A", "Center B", "Center C", "Center D")
    assert rendering.measure.key == MEASURE
