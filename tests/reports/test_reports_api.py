"""The report API: measures, series, p-chart and run-chart values computed by hand, signals and
their privacy, input errors, the Vega-Lite spec, and statement counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.errors import BadInput, NotFound
from icn_graph.ids import to_global_id
from icn_graph.models import Center, MeasureValue, NetworkRole, PersonKind
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.reports.signals import Rule
from icn_graph.services.reports import report as rules
from icn_graph.services.reports.access import Disclosure
from icn_graph.services.reports.disclosure import republish
from icn_graph.services.reports.disclosure.reading import (
    PublishedCount,
    load_center_series,
    load_series,
)
from icn_graph.services.reports.vega_lite import NO_SIGNAL, OUTSIDE
from icn_graph.services.viewer import Viewer
from icn_graph.testing import GraphQLClient, StatementCounter, make_center, make_person
from tests.helpers import error_codes
from tests.report_helpers import REPORT_QUERY, make_audience, month, store_values
from tests.stewardship.audit_helpers import Logged, by_role, logged_reads


async def _report(client: GraphQLClient, token: str, **variables: Any) -> dict[str, Any]:
    data = await client.data(REPORT_QUERY, {"measure": "remission_rate", **variables}, token=token)
    report: dict[str, Any] = data["report"]
    return report


async def test_measures_lists_the_built_in_measures(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    data = await client.data(
        "{ measures { key title definition unit direction } }", token=audience.member
    )
    keys = [measure["key"] for measure in data["measures"]]
    assert {
        "remission_rate",
        "steroid_free_remission",
        "sustained_remission",
        "pre_visit_planning_rate",
    } <= set(keys)
    remission = next(m for m in data["measures"] if m["key"] == "remission_rate")
    assert remission["direction"] == "HIGHER_IS_BETTER"
    assert remission["title"]
    assert remission["definition"]


async def test_p_chart_values_match_the_formulas(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    # p̄ = 120 / 200 = 0.6; sigma = sqrt(0.24 / n): n = 40 -> 0.0774597, n = 50 -> 0.0692820,
    # n = 60 -> 0.0632456. Month 3 (45/50 = 0.9) is above 0.6 + 3 * 0.0692820 = 0.807846.
    await store_values(db, audience.center, [(20, 40), (30, 60), (25, 50), (45, 50)])

    report = await _report(client, audience.member, centerId=audience.center_id)

    assert report["chart"] == "P_CHART"
    assert report["center"] == {"shortCode": audience.center.short_code}
    assert report["centerLine"] == pytest.approx(0.6)
    points = report["points"]
    assert [p["month"] for p in points] == [month(i).isoformat() for i in range(4)]
    assert [p["value"] for p in points] == pytest.approx([0.5, 0.5, 0.5, 0.9])
    assert [p["lowerLimit"] for p in points] == pytest.approx(
        [0.367621, 0.410263, 0.392154, 0.392154], abs=1e-6
    )
    assert [p["upperLimit"] for p in points] == pytest.approx(
        [0.832379, 0.789737, 0.807846, 0.807846], abs=1e-6
    )
    outside = [s for s in report["signals"] if s["rule"] == "OUTSIDE_LIMITS"]
    assert outside == [
        {
            "rule": "OUTSIDE_LIMITS",
            "startMonth": month(3).isoformat(),
            "endMonth": month(3).isoformat(),
            "description": outside[0]["description"],
        }
    ]
    assert "above the upper limit" in outside[0]["description"]


async def test_a_frozen_baseline_sets_the_centre_line(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(20, 40), (30, 60), (45, 50), (45, 50)])

    report = await _report(client, audience.member, centerId=audience.center_id, baselineMonths=2)
    assert report["centerLine"] == pytest.approx(0.5)  # (20 + 30) / (40 + 60)
    assert all(p["centerLine"] == pytest.approx(0.5) for p in report["points"])
    # Both later months (0.9) lie above 0.5 + 3 * sqrt(0.25 / 50) = 0.712132.
    outside = [s["startMonth"] for s in report["signals"] if s["rule"] == "OUTSIDE_LIMITS"]
    assert outside == [month(2).isoformat(), month(3).isoformat()]


async def test_run_chart_median_and_anhoj_signals(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    # 8 months at 0.40/0.45, then 8 at 0.80: median (0.45 + 0.80) / 2 = 0.625; n = 16, so a
    # run longer than round(log2 16) + 3 = 7 signals (two of 8) and fewer than 4 crossings
    # (there is 1) signals.
    low = [(40, 100), (45, 100)] * 4
    await store_values(db, audience.center, [*low, *[(80, 100)] * 8])

    report = await _report(client, audience.member, centerId=audience.center_id, chart="RUN_CHART")
    assert report["chart"] == "RUN_CHART"
    assert report["centerLine"] == pytest.approx(0.625)
    assert all(p["lowerLimit"] is None and p["upperLimit"] is None for p in report["points"])
    spans = [(s["rule"], s["startMonth"], s["endMonth"]) for s in report["signals"]]
    assert spans == [
        ("LONG_RUN", month(0).isoformat(), month(7).isoformat()),
        ("FEW_CROSSINGS", month(0).isoformat(), month(15).isoformat()),
        ("LONG_RUN", month(8).isoformat(), month(15).isoformat()),
    ]


async def test_signals_never_reveal_suppressed_values(db: Database, client: GraphQLClient) -> None:
    """Suppressed months take no part in the chart a reader sees (review of #6): a long run or
    an outside-limits signal over them would place their hidden values relative to the median
    or the limits, so the signals come from the shown months only."""
    audience = await make_audience(db)
    # Months 0-7: 45/50 (complement 5: suppressed for staff); months 8-15: 30/50; month 16:
    # 1/10 (suppressed); month 17: 30/50.
    counts = [*[(45, 50)] * 8, *[(30, 50)] * 8, (1, 10), (30, 50)]
    await store_values(db, audience.center, counts)

    own = await _report(client, audience.member, centerId=audience.center_id)
    staff = await _report(client, audience.staff, centerId=audience.center_id)

    def spans(report: dict[str, Any]) -> set[tuple[str, str, str]]:
        return {(s["rule"], s["startMonth"], s["endMonth"]) for s in report["signals"]}

    suppressed_run = ("LONG_RUN", month(0).isoformat(), month(7).isoformat())
    hidden_outlier = ("OUTSIDE_LIMITS", month(16).isoformat(), month(16).isoformat())
    assert suppressed_run in spans(own)
    assert hidden_outlier in spans(own)
    assert [p["suppressed"] for p in staff["points"]] == [True] * 8 + [False] * 8 + [True, False]
    # Staff's chart is the nine shown months of 30/50: on the centre line, nothing signals.
    assert staff["centerLine"] == pytest.approx(0.6)
    assert staff["signals"] == []


async def test_months_without_data_are_gaps_and_the_range_is_respected(
    db: Database, client: GraphQLClient
) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(20, 40), (0, 0), (30, 60), (25, 50)])

    report = await _report(
        client,
        audience.member,
        centerId=audience.center_id,
        **{"from": month(1).replace(day=17).isoformat(), "to": month(5).isoformat()},
    )
    points = report["points"]
    assert [p["month"] for p in points] == [month(i).isoformat() for i in range(1, 6)]
    assert [p["denominator"] for p in points] == [0, 60, 50, 0, 0]
    assert [p["numerator"] for p in points] == [0, 30, 25, 0, 0]
    assert points[0]["value"] is None
    assert points[0]["upperLimit"] is None
    assert not any(p["suppressed"] for p in points)
    assert report["centerLine"] == pytest.approx(55 / 110)


async def test_long_series_keep_the_latest_240_months(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(20, 40)] * 300, start=date(1990, 1, 1))

    report = await _report(client, audience.member, centerId=audience.center_id)
    months = [point["month"] for point in report["points"]]
    assert (len(months), months[0], months[-1]) == (240, "1995-01-01", "2014-12-01")

    later = await _report(
        client, audience.member, centerId=audience.center_id, **{"from": "1991-01-01"}
    )
    months = [point["month"] for point in later["points"]]
    assert (len(months), months[0], months[-1]) == (240, "1991-01-01", "2010-12-01")

    far = await _report(
        client,
        audience.member,
        centerId=audience.center_id,
        **{"from": "9999-01-01", "to": "9999-12-31"},
    )
    assert [p["denominator"] for p in far["points"]] == [0] * 12


async def test_a_report_without_data_is_empty(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    report = await _report(client, audience.member, centerId=audience.center_id)
    assert report["points"] == []
    assert report["signals"] == []
    assert report["centerLine"] is None


@pytest.mark.parametrize(
    ("variables", "field", "words"),
    [
        ({"measure": "remision_rate"}, "measure", ["remision_rate", "remission_rate"]),
        ({"from": "2024-05-01", "to": "2024-01-31"}, "to", ["2024-01", "2024-05"]),
        ({"from": "1900-01-01", "to": "2024-01-01"}, "from", ["240 months"]),
        ({"baselineMonths": 0}, "baselineMonths", ["at least 1"]),
        ({"chart": "RUN_CHART", "laney": True}, "laney", ["P_CHART"]),
        ({"centerId": to_global_id("Person", 1)}, "centerId", ["Center"]),
    ],
)
async def test_bad_input_names_the_field(
    db: Database,
    client: GraphQLClient,
    variables: dict[str, Any],
    field: str,
    words: list[str],
) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(20, 40)])
    body = await client.execute(
        REPORT_QUERY, {"measure": "remission_rate", **variables}, token=audience.staff
    )
    assert error_codes(body) == ["BAD_USER_INPUT"], body
    error = body["errors"][0]
    assert error["extensions"]["field"] == field
    for word in words:
        assert word in error["message"]


async def test_unknown_center_is_not_found_for_staff(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    body = await client.execute(
        REPORT_QUERY,
        {"measure": "remission_rate", "centerId": to_global_id("Center", 999_999)},
        token=audience.staff,
    )
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["errors"][0]["message"] == "No center has that ID."
    assert body["errors"][0]["extensions"]["field"] == "centerId"


async def test_a_batch_answers_each_report_in_order_and_audits_only_what_it_showed(
    db: Database,
) -> None:
    """One refusal in a batch (an unknown center, too few months for Laney) answers that
    report only; the reports after it are still read, and only shown centers are audited."""
    a, b = await make_center(db), await make_center(db)
    for center in (a, b):
        await store_values(db, center, [(20, 40), (25, 50), (30, 60)])
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    viewer = Viewer(person_id=staff.id, network_role=NetworkRole.STAFF)
    queries = [
        rules.ReportQuery("remission_rate", center_id=999_999),
        rules.ReportQuery("remission_rate", center_id=a.id, laney=True, baseline_months=1),
        rules.ReportQuery("remission_rate", center_id=b.id),
        rules.ReportQuery("remission_rate", center_id=a.id),
    ]

    unknown, laney, shown_b, shown_a = await rules.build_reports(
        db, viewer, core_registry(), queries, channel="CSV", subject="REPORT"
    )

    assert isinstance(unknown, NotFound)
    assert (unknown.message, unknown.field) == ("No center has that ID.", "centerId")
    assert isinstance(laney, BadInput)
    assert laney.field == "laney"
    for report, center in ((shown_b, b), (shown_a, a)):
        assert isinstance(report, rules.Report)
        assert report.center is not None
        assert report.center.id == center.id
        assert report.disclosure is Disclosure.SUPPRESSED  # staff see published cells only
        assert [point.denominator for point in report.points] == [40, 50, 60]
    assert await logged_reads(db) == [
        Logged(staff.id, None, "CSV", "REPORT", "remission_rate", by_role(b.id, a.id))
    ]


async def test_laney_widens_limits_for_overdispersed_data(
    db: Database, client: GraphQLClient
) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(500, 1000), (600, 1000), (450, 1000), (650, 1000)])
    plain = await _report(client, audience.member, centerId=audience.center_id)
    laney = await _report(client, audience.member, centerId=audience.center_id, laney=True)
    assert plain["centerLine"] == laney["centerLine"] == pytest.approx(0.55)
    assert laney["points"][0]["upperLimit"] > plain["points"][0]["upperLimit"]


VEGA_QUERY = """
query($id: ID) { report(measure: "remission_rate", centerId: $id) { vegaLite } }
"""


async def test_vega_lite_spec_is_a_layered_v5_chart(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    # Month 1 is suppressed for staff and takes no part: p̄ = 130/190, month 3 is above its
    # upper limit.
    await store_values(db, audience.center, [(20, 40), (5, 60), (25, 50), (85, 100)])

    data = await client.data(VEGA_QUERY, {"id": audience.center_id}, token=audience.staff)
    spec = data["report"]["vegaLite"]

    assert spec["$schema"].endswith("/vega-lite/v5.json")
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    assert line["encoding"]["x"]["field"] == "month"
    values = spec["data"]["values"]
    assert [row["month"] for row in values] == [f"{month(i):%Y-%m}" for i in range(4)]
    assert values[1]["suppressed"] is True
    assert values[1]["value"] is None
    assert values[1]["upperLimit"] is None
    assert values[1]["numerator"] is None
    assert [row["signal"] for row in values] == [False, False, False, True], values
    assert [row["kind"] for row in values] == [NO_SIGNAL, None, NO_SIGNAL, OUTSIDE]
    # Hidden months shaded, the two limits, the centre rule and its label, the line, the points
    # (tests/reports/test_report_charts.py renders them).
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["rect", "rule", "rule", "rule", "text", "line", "point"]
    centre = spec["layer"][3]
    assert centre["encoding"] == {"y": {"datum": pytest.approx(130 / 190), "type": "quantitative"}}
    derived = {t["as"] for layer in spec["layer"] for t in layer.get("transform", []) if "as" in t}
    for layer in spec["layer"]:
        for channel in layer["encoding"].values():
            if isinstance(channel, dict) and "field" in channel:
                assert channel["field"] in {*values[0], *derived}, channel


async def test_network_report_statements_do_not_grow_with_centers(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    audience = await make_audience(db)
    query = '{ network { report(measure: "remission_rate") { points { numerator } } } }'

    async def count(centers: int) -> int:
        for _ in range(centers):
            await store_values(db, await make_center(db), [(20, 40)] * 12)
        statements.reset()
        await client.data(query, token=audience.staff)
        return statements.count

    assert await count(2) == await count(20)


# --- reading the published table: only the asked measure, center and months, in month order ---


async def _store_newest_first(db: Database, rows: list[tuple[str, Center, date, int, int]]) -> None:
    """Store ``rows`` (measure, center, month, numerator, denominator) in the order given and
    republish: a database returns rows without an ORDER BY in no promised order (PostgreSQL's
    small tables come back as written), so the readers' own order is what a test sees."""
    async with db.transaction() as session:
        for measure, center, when, numerator, denominator in rows:
            session.add(
                MeasureValue(
                    measure_key=measure,
                    center_id=center.id,
                    month=when,
                    numerator=numerator,
                    denominator=denominator,
                )
            )
            await session.flush()
        await republish(session, core_registry())


@asynccontextmanager
async def _any_plan(db: Database) -> AsyncIterator[AsyncSession]:
    """A session whose database returns rows without an ORDER BY in another order than its
    indexes give: SQLite reverses unordered selects, PostgreSQL scans the table (rows as
    written). Order the readers promise must come from their own ORDER BY."""
    async with db.transaction() as session:
        if db.dialect == "sqlite":
            await session.execute(text("PRAGMA reverse_unordered_selects = ON"))
        else:
            for setting in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
                await session.execute(text(f"SET LOCAL {setting} = off"))
        try:
            yield session
        finally:
            if db.dialect == "sqlite":
                await session.execute(text("PRAGMA reverse_unordered_selects = OFF"))


def _counts(series: list[PublishedCount]) -> list[tuple[date, int, int, bool]]:
    return [(c.month, c.numerator, c.denominator, c.published) for c in series]


async def _a_table_of_neighbours(db: Database) -> tuple[Center, Center, Center]:
    """Three centers with remission and pre-visit planning for January to May 2022, stored
    newest month first; every count is 11 or more, complement too, so every cell publishes.
    Center ``i`` has ``20 + i`` of ``40 + month`` in remission, ``30 + i`` of ``60 + month``
    in pre-visit planning."""
    centers = (await make_center(db), await make_center(db), await make_center(db))
    rows = [
        (measure, center, month(index), base + offset, total + index)
        for index in reversed(range(5))
        for offset, center in enumerate(centers)
        for measure, base, total in (
            ("remission_rate", 20, 40),
            ("pre_visit_planning_rate", 30, 60),
        )
    ]
    await _store_newest_first(db, rows)
    return centers


async def test_a_centers_series_is_its_own_months_of_the_measure_in_order(db: Database) -> None:
    first, second, _ = await _a_table_of_neighbours(db)
    async with _any_plan(db) as session:
        whole = await load_series(session, "remission_rate", second.id)
        # Any day stands for its month at the start; the end is the month's first day.
        part = await load_series(
            session, "remission_rate", first.id, start=date(2022, 2, 17), end=month(3)
        )
        planning = await load_series(session, "pre_visit_planning_rate", first.id, end=month(1))
    assert _counts(whole) == [(month(i), 21, 40 + i, True) for i in range(5)]
    assert _counts(part) == [(month(i), 20, 40 + i, True) for i in (1, 2, 3)]
    assert _counts(planning) == [(month(i), 30, 60 + i, True) for i in (0, 1)]


async def test_many_centers_series_are_each_their_own_months_of_the_measure(
    db: Database,
) -> None:
    first, second, third = await _a_table_of_neighbours(db)
    async with _any_plan(db) as session:
        found = await load_center_series(
            session, "remission_rate", [third.id, first.id], start=month(1), end=month(3)
        )
    # The second center is not asked for; pre-visit planning is another measure.
    assert {center: _counts(series) for center, series in found.items()} == {
        first.id: [(month(i), 20, 40 + i, True) for i in (1, 2, 3)],
        third.id: [(month(i), 22, 40 + i, True) for i in (1, 2, 3)],
    }
    assert second.id not in found


# --- the report's rules without the API: months, validation, hidden months -------------------


MEASURE = core_registry().get("remission_rate")


def _series(
    *counts: tuple[int, int], start: date = date(2024, 1, 1)
) -> list[tuple[date, int, int]]:
    return [(rules.add_months(start, i), y, n) for i, (y, n) in enumerate(counts)]


def test_month_arithmetic() -> None:
    assert rules.add_months(date(2024, 11, 1), 2) == date(2025, 1, 1)
    assert rules.add_months(date(2024, 1, 1), -1) == date(2023, 12, 1)
    assert rules.add_months(date(2024, 12, 1), 0) == date(2024, 12, 1)
    assert rules.first_of_month(date(2024, 2, 29)) == date(2024, 2, 1)
    assert rules._span(date(2023, 12, 1), date(2024, 2, 1)) == 3
    assert rules._months(date(2023, 12, 1), date(2024, 2, 1)) == [
        date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1)
    ]  # fmt: skip
    assert rules._months(date(2024, 2, 1), date(2024, 1, 1)) == []
    assert rules._months(None, date(2024, 1, 1)) == []
    assert rules._months(date(2024, 1, 1), None) == []


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            rules.ReportQuery("remission_rate", start=date(2024, 5, 9), end=date(2024, 1, 31)),
            "to",
            "to: the last month (2024-01) is before the first (2024-05).",
        ),
        (
            rules.ReportQuery("remission_rate", start=date(2004, 1, 1), end=date(2024, 1, 1)),
            "from",
            "from: a report covers at most 240 months; 2004-01 to 2024-01 is longer.",
        ),
        (
            rules.ReportQuery("remission_rate", baseline_months=0),
            "baselineMonths",
            "baselineMonths: must be at least 1 (got 0).",
        ),
        (
            rules.ReportQuery("remission_rate", chart=rules.ChartKind.RUN_CHART, laney=True),
            "laney",
            "laney: Laney's adjustment applies to P_CHART only.",
        ),
    ],
)
def test_the_query_is_checked(query: rules.ReportQuery, field: str, message: str) -> None:
    with pytest.raises(BadInput) as refused:
        rules._month_range(query)
    assert (refused.value.field, str(refused.value)) == (field, message)


def test_a_query_at_the_limits_is_accepted() -> None:
    longest = rules.ReportQuery("remission_rate", start=date(2005, 1, 20), end=date(2024, 12, 5))
    assert rules._month_range(longest) == (date(2005, 1, 1), date(2024, 12, 1))
    one = rules.ReportQuery("remission_rate", start=date(2024, 3, 9), end=date(2024, 3, 1))
    assert rules._month_range(one) == (date(2024, 3, 1), date(2024, 3, 1))
    assert rules._month_range(rules.ReportQuery("remission_rate", baseline_months=1)) == (
        None,
        None,
    )
    laney = rules.ReportQuery("remission_rate", laney=True)
    assert rules._month_range(laney) == (None, None)


def test_an_unknown_measure_lists_the_known_ones() -> None:
    with pytest.raises(BadInput) as refused:
        rules.find_measure(core_registry(), "x" * 70)
    known = ", ".join(sorted(m.key for m in core_registry().all()))
    assert str(refused.value) == (
        f"measure: unknown measure '{'x' * 64}'; known measures: {known}."
    )
    assert refused.value.field == "measure"


def test_hidden_months_and_gaps_carry_no_counts_and_take_no_part() -> None:
    series = _series((5, 10), (0, 0), (6, 10), (7, 10), (8, 10))
    query = rules.ReportQuery("remission_rate")
    report = rules.chart_months(
        MEASURE, None, query, series, Disclosure.SUPPRESSED, {date(2024, 3, 1)}
    )
    assert report.center_line == pytest.approx(20 / 30)
    assert report.chart is rules.ChartKind.P_CHART
    assert report.disclosure is Disclosure.SUPPRESSED
    assert report.subject == "Network"
    assert report.has_suppressed
    gap, hidden = report.points[1], report.points[2]
    assert (gap.numerator, gap.denominator, gap.value, gap.suppressed) == (0, 0, None, False)
    assert (gap.lower_limit, gap.upper_limit) == (None, None)
    assert hidden == rules.ReportPoint(
        date(2024, 3, 1), None, None, None, True, report.center_line, None, None
    )
    first = report.points[0]
    assert (first.numerator, first.denominator, first.value) == (5, 10, 0.5)
    assert first.lower_limit is not None
    assert first.upper_limit == 1.0
    assert first.center_line == report.center_line
    shown = rules.chart_months(MEASURE, None, query, series, Disclosure.FULL, set())
    assert not shown.has_suppressed
    assert shown.center_line == pytest.approx(26 / 40)


def test_a_month_with_one_patient_is_charted() -> None:
    # A center's own view shows its month of a single patient: it is data, not a gap.
    series = _series((1, 1), (6, 10), (0, 1))
    query = rules.ReportQuery("remission_rate")
    report = rules.chart_months(MEASURE, None, query, series, Disclosure.FULL, set())
    assert report.center_line == pytest.approx(7 / 12)
    assert [p.value for p in report.points] == [1.0, 0.6, 0.0]
    assert all(p.center_line == report.center_line for p in report.points)


def test_a_frozen_baseline_counts_hidden_months_but_charts_only_shown_ones() -> None:
    series = _series((5, 10), (0, 0), (6, 10), (7, 10), (8, 10))
    query = rules.ReportQuery("remission_rate", chart=rules.ChartKind.RUN_CHART, baseline_months=3)
    report = rules.chart_months(
        MEASURE, None, query, series, Disclosure.SUPPRESSED, {date(2024, 3, 1)}
    )
    # The baseline is the first 3 months with data (Jan, Mar, Apr); Mar is hidden: median of
    # Jan 0.5 and Apr 0.7.
    assert report.center_line == pytest.approx(0.6)
    assert all(p.lower_limit is None and p.upper_limit is None for p in report.points)


def test_no_shown_month_in_the_baseline_means_no_chart() -> None:
    series = _series((5, 10), (6, 10), (7, 10))
    query = rules.ReportQuery("remission_rate", baseline_months=1)
    report = rules.chart_months(
        MEASURE, None, query, series, Disclosure.SUPPRESSED, {date(2024, 1, 1)}
    )
    assert report.center_line is None
    assert report.signals == ()
    assert all(p.center_line is None for p in report.points)


def test_laney_needs_two_shown_baseline_months() -> None:
    series = _series((5, 10), (6, 10), (7, 10))
    query = rules.ReportQuery("remission_rate", laney=True, baseline_months=1)
    with pytest.raises(BadInput) as refused:
        rules.chart_months(MEASURE, None, query, series, Disclosure.FULL, set())
    assert refused.value.field == "laney"
    assert str(refused.value) == (
        "laney: Laney's adjustment needs at least 2 baseline months with data."
    )
    two = rules.ReportQuery("remission_rate", laney=True, baseline_months=2)
    hidden = rules.chart_months(
        MEASURE, None, two, series, Disclosure.SUPPRESSED, {date(2024, 1, 1)}
    )
    assert hidden.center_line is None  # one shown month in the baseline: no moving range
    assert (
        rules.chart_months(MEASURE, None, two, series, Disclosure.FULL, set()).center_line == 0.55
    )


def test_signals_name_months_of_the_series_in_order() -> None:
    # Eight low months, a gap, eight high ones: two long runs around p̄, months around the gap.
    counts = [(1, 10)] * 8 + [(0, 0)] + [(9, 10)] * 8
    query = rules.ReportQuery("remission_rate", chart=rules.ChartKind.RUN_CHART)
    report = rules.chart_months(MEASURE, None, query, _series(*counts), Disclosure.FULL, set())
    runs = [(s.rule, s.start_month, s.end_month) for s in report.signals]
    assert runs == [
        (Rule.LONG_RUN, date(2024, 1, 1), date(2024, 8, 1)),
        (Rule.FEW_CROSSINGS, date(2024, 1, 1), date(2025, 5, 1)),
        (Rule.LONG_RUN, date(2024, 10, 1), date(2025, 5, 1)),
    ]
    assert report.signals[0].description.startswith("Run of 8 points below the median 0.5")
