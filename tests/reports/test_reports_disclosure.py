"""What a report could disclose beyond its suppressed points, and imports whose measure refresh
fails.

- Hidden months take no part in the chart: the centre line, limits, Laney's adjustment and the
  signals a reader sees do not change whatever a hidden month holds (through the API, the
  Vega-Lite spec, the CSV and the PNG).
- Network staff and data managers cannot subtract the centers they see from the network to
  recover a suppressed center.
- Refreshes of one center run one after the other, and a plugin measure that fails after an
  accepted import is a user error on the payload, the visits staying imported.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import httpx
import pandas as pd
import pytest
from sqlalchemy import delete, func, select

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import (
    Center,
    CenterRole,
    Diagnosis,
    MeasureValue,
    NetworkRole,
    PersonKind,
    PhysicianGlobalAssessment,
    Visit,
)
from icn_graph.plugins import hookimpl
from icn_graph.reports.measures import Direction, Measure
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.reports import refresh_measures
from icn_graph.testing import GraphQLClient, make_center, make_person, token_for
from tests.report_helpers import REPORT_QUERY, make_audience, month, store_values

READERS = ("staff", "admin", "data_manager")


async def _report(client: GraphQLClient, token: str, **variables: Any) -> dict[str, Any]:
    data = await client.data(REPORT_QUERY, {"measure": "remission_rate", **variables}, token=token)
    report: dict[str, Any] = data["report"]
    return report


async def _replace_values(db: Database, values: dict[Center, Sequence[tuple[int, int]]]) -> None:
    async with db.transaction() as session:
        await session.execute(delete(MeasureValue))
    for center, counts in values.items():
        await store_values(db, center, counts)


# -- the centre line and everything computed with it ----------------------------------------


@pytest.mark.parametrize("reader", READERS)
async def test_a_hidden_month_does_not_move_the_centre_line(
    db: Database, client: GraphQLClient, reader: str
) -> None:
    """The review's reproduction: 30/50 shown and 3/4 hidden. A centre line over both (33/54)
    would let staff solve for 3/4; asked for the hidden month alone it would be 3/4 itself."""
    audience = await make_audience(db)
    await store_values(db, audience.center, [(30, 50), (3, 4)])
    token = getattr(audience, reader)
    hidden = month(1).isoformat()

    alone = await _report(client, token, centerId=audience.center_id, **{"from": hidden})
    assert [point["suppressed"] for point in alone["points"]] == [True]
    assert alone["centerLine"] is None
    assert alone["points"][0]["centerLine"] is None
    assert alone["signals"] == []

    for chart in ("P_CHART", "RUN_CHART"):
        both = await _report(client, token, centerId=audience.center_id, chart=chart)
        assert [point["suppressed"] for point in both["points"]] == [False, True]
        assert both["centerLine"] == pytest.approx(30 / 50), chart
        assert [point["centerLine"] for point in both["points"]] == [pytest.approx(0.6)] * 2

    # The center's own team sees every month, in the chart too.
    own = await _report(client, audience.member, centerId=audience.center_id)
    assert own["centerLine"] == pytest.approx(33 / 54)


SHOWN = [(20 + i % 5, 50) for i in range(20)]
"""Twenty months every reader sees; months 3, 4, 5 and 14 are replaced by hidden ones."""
HIDDEN_MONTHS = (3, 4, 5, 14)


def _with_hidden(counts: tuple[int, int]) -> list[tuple[int, int]]:
    return [counts if index in HIDDEN_MONTHS else value for index, value in enumerate(SHOWN)]


VARIANTS = [
    pytest.param({"chart": "P_CHART"}, id="p-chart"),
    pytest.param({"chart": "P_CHART", "laney": True}, id="laney"),
    pytest.param({"chart": "RUN_CHART"}, id="run-chart"),
    pytest.param({"chart": "P_CHART", "baselineMonths": 8}, id="baseline"),
]

FULL_REPORT = REPORT_QUERY.replace("signals {", "vegaLite signals {")


async def _everything(
    client: GraphQLClient, token: str, center: Center | None, variables: dict[str, Any]
) -> tuple[dict[str, Any], str, bytes]:
    """The report through the API (with its Vega-Lite spec), the CSV and the PNG."""
    query = {"measure": "remission_rate", **variables}
    if center is not None:
        query["centerId"] = to_global_id("Center", center.id)
    report = (await client.data(FULL_REPORT, query, token=token))["report"]
    params = {"chart": variables["chart"]}
    if center is not None:
        params["center"] = center.short_code
    headers = {"Authorization": f"Bearer {token}"}
    csv = await client.http.get("/reports/remission_rate.csv", params=params, headers=headers)
    png = await client.http.get("/reports/remission_rate.png", params=params, headers=headers)
    assert csv.status_code == png.status_code == 200
    return report, csv.text, png.content


@pytest.mark.parametrize("variables", VARIANTS)
async def test_hidden_months_change_nothing_staff_see_in_a_centers_chart(
    db: Database, client: GraphQLClient, variables: dict[str, Any]
) -> None:
    audience = await make_audience(db)
    seen = []
    for hidden in [(1, 10), (9, 10), (3, 4)]:  # very low, very high, in between
        await _replace_values(db, {audience.center: _with_hidden(hidden)})
        seen.append(await _everything(client, audience.staff, audience.center, variables))

    report, _, _ = seen[0]
    suppressed = [index for index, point in enumerate(report["points"]) if point["suppressed"]]
    assert suppressed == list(HIDDEN_MONTHS)
    assert report["centerLine"] is not None
    assert seen[1] == seen[0]
    assert seen[2] == seen[0]

    # Without the hidden months the chart is the same: they take no part in it.
    base = {"chart": variables["chart"], "laney": variables.get("laney", False)}
    own_count = variables.get("baselineMonths")
    shown_months = [value for index, value in enumerate(SHOWN) if index not in HIDDEN_MONTHS]
    await _replace_values(db, {audience.center: shown_months})
    alone = await _report(
        client,
        audience.member,
        centerId=audience.center_id,
        baselineMonths=own_count and own_count - 3,  # 3 of the first 8 months are hidden
        **base,
    )
    assert report["centerLine"] == pytest.approx(alone["centerLine"])
    shown_points = [point for point in report["points"] if not point["suppressed"]]
    assert [point["upperLimit"] for point in shown_points] == pytest.approx(
        [point["upperLimit"] for point in alone["points"]]
    )


@pytest.mark.parametrize("variables", VARIANTS)
async def test_hidden_months_change_nothing_staff_see_in_the_networks_chart(
    db: Database, client: GraphQLClient, variables: dict[str, Any]
) -> None:
    """A network month is hidden from staff when the network minus the center they see is small
    (the other center's 3/4): what that month holds must not show anywhere in the chart."""
    audience = await make_audience(db)
    seen = []
    for hidden in [(1, 4), (3, 4), (4, 4)]:
        other = [hidden if index in HIDDEN_MONTHS else (0, 0) for index in range(len(SHOWN))]
        await _replace_values(db, {audience.center: SHOWN, audience.other_center: other})
        seen.append(await _everything(client, audience.staff, None, variables))

    report, _, _ = seen[0]
    suppressed = [index for index, point in enumerate(report["points"]) if point["suppressed"]]
    assert suppressed == list(HIDDEN_MONTHS)
    assert seen[1] == seen[0]
    assert seen[2] == seen[0]


async def test_a_baseline_of_hidden_months_has_no_centre_line(
    db: Database, client: GraphQLClient
) -> None:
    """The baseline is the first months with data for every reader; staff see only its shown
    months, and with none (or one, for Laney's moving range) there is no chart to draw."""
    audience = await make_audience(db)
    await store_values(db, audience.center, [(3, 4), (2, 5), (30, 50), (39, 50), (35, 50)])

    for variables in ({"baselineMonths": 2}, {"baselineMonths": 3, "laney": True}):
        staff = await _report(client, audience.staff, centerId=audience.center_id, **variables)
        assert staff["centerLine"] is None, variables
        assert all(point["upperLimit"] is None for point in staff["points"])
        assert all(point["centerLine"] is None for point in staff["points"])
        assert staff["signals"] == []
        assert [point["value"] for point in staff["points"]][2:] == [0.6, 0.78, 0.7]

    laney = await _report(
        client, audience.staff, centerId=audience.center_id, baselineMonths=4, laney=True
    )
    assert laney["centerLine"] == pytest.approx(69 / 100)

    own = await _report(client, audience.member, centerId=audience.center_id, baselineMonths=2)
    assert own["centerLine"] == pytest.approx(5 / 9)


# -- staff subtracting the centers they see from the network -------------------------------

NETWORK_QUERY = """
{ network { report(measure: "remission_rate") { points { numerator denominator suppressed } } } }
"""


@pytest.mark.parametrize("reader", READERS)
async def test_staff_cannot_subtract_the_centers_they_see_from_the_network(
    db: Database, client: GraphQLClient, reader: str
) -> None:
    """C = 3/5 is hidden; with A = 50/100 and B = 40/90 shown the network's 93/195 would give C
    away (93/195 - 50/100 - 40/90 = 3/5). Hiding A and B too would not do: A's and B's teams
    pooling what they see would still subtract. So the network month is hidden, for everyone
    (one published table)."""
    audience = await make_audience(db)
    third = await make_center(db)
    # Month 1: C = 20/31 shows, so does everything. Month 2: B = 5/20 and C = 7/15 are hidden;
    # A's team and B's would learn C from the network, so the network month is hidden.
    await store_values(db, audience.center, [(50, 100), (50, 100), (50, 100)])
    await store_values(db, audience.other_center, [(40, 90), (40, 90), (5, 20)])
    await store_values(db, third, [(3, 5), (20, 31), (7, 15)])
    token = getattr(audience, reader)

    centers = {}
    for center in (audience.center, audience.other_center, third):
        report = await _report(client, token, centerId=to_global_id("Center", center.id))
        centers[center.id] = [point["suppressed"] for point in report["points"]]
    assert centers == {
        audience.center.id: [False, False, False],
        audience.other_center.id: [False, False, True],
        third.id: [True, False, True],
    }

    hidden = {"numerator": None, "denominator": None, "suppressed": True}
    expected = [hidden, {"numerator": 110, "denominator": 221, "suppressed": False}, hidden]
    network = (await client.data(NETWORK_QUERY, token=token))["network"]["report"]["points"]
    assert network == expected
    csv = await client.http.get(
        "/reports/remission_rate.csv", headers={"Authorization": f"Bearer {token}"}
    )
    assert csv.text.splitlines()[1].startswith(f"{month(0):%Y-%m},,,,true,")

    # Everyone sees the same network total (before, A's team saw 93/195: with staff's A and B,
    # C's 3/5).
    member = (await client.data(NETWORK_QUERY, token=audience.member))["network"]["report"]
    assert member["points"] == expected


async def test_staff_on_a_centers_team_subtract_it_too(db: Database, client: GraphQLClient) -> None:
    """Staff on A's team see A in full (5/8) and B (40/90): the network minus both is C's 7/20.
    The network month is hidden, for these staff and everyone else alike (before, other staff
    and A's other members saw it: one of them with these staff could subtract)."""
    audience = await make_audience(db)
    third = await make_center(db)
    await store_values(db, audience.center, [(5, 8)])
    await store_values(db, audience.other_center, [(40, 90)])
    await store_values(db, third, [(7, 20)])
    person = await make_person(
        db,
        PersonKind.STAFF,
        network_role=NetworkRole.STAFF,
        center=audience.center,
        role=CenterRole.QI_LEAD,
    )
    token = await token_for(db, person)

    async def network(token: str) -> list[dict[str, Any]]:
        points: list[dict[str, Any]] = (await client.data(NETWORK_QUERY, token=token))["network"][
            "report"
        ]["points"]
        return points

    hidden = {"numerator": None, "denominator": None, "suppressed": True}
    assert await network(token) == [hidden]
    assert await network(audience.staff) == [hidden]
    assert await network(audience.member) == [hidden]
    for center, suppressed in ((audience.center, False), (audience.other_center, False)):
        report = await _report(client, token, centerId=to_global_id("Center", center.id))
        assert [point["suppressed"] for point in report["points"]] == [suppressed]


# -- refreshing measures -------------------------------------------------------------------

Q = PhysicianGlobalAssessment.QUIESCENT


async def _add_visits(db: Database, center: Center, patients: int) -> None:
    async with db.transaction() as session:
        session.add_all(
            Visit(
                center_id=center.id,
                patient_key=f"p{index:04d}".ljust(64, "x"),
                visit_date=date(2024, 1 + index % 6, 10),
                pga=Q if index % 3 else PhysicianGlobalAssessment.MILD,
                diagnosis=Diagnosis.CROHNS,
                on_steroids=False,
                pre_visit_planning=bool(index % 2),
            )
            for index in range(patients)
        )


async def test_concurrent_refreshes_of_one_center_wait_for_each_other(db: Database) -> None:
    """Two imports of one center finishing together: without serializing, both transactions
    insert the same (measure, center, month) rows and one fails on PostgreSQL."""
    center = await make_center(db)
    await _add_visits(db, center, 60)
    registry = core_registry()

    async def refresh() -> int:
        async with db.transaction() as session:
            return await refresh_measures(session, registry, center_ids=[center.id])

    for _ in range(3):
        async with db.transaction() as session:
            await session.execute(delete(MeasureValue))
        first, second = await asyncio.gather(refresh(), refresh())
        assert first == second > 0
        async with db.session() as session:
            stored = await session.scalar(select(func.count()).select_from(MeasureValue))
        assert stored == first


def _failing(visits: pd.DataFrame) -> pd.DataFrame:
    raise KeyError("growth_assessed")


class FailingMeasurePlugin:
    @hookimpl
    def register_measures(self) -> list[Measure]:
        return [
            Measure(
                key="growth_assessment_rate",
                title="Growth assessment",
                definition="Share of visits with growth assessed.",
                unit="%",
                direction=Direction.HIGHER_IS_BETTER,
                compute=_failing,
            )
        ]


IMPORT = """
mutation Import($input: ImportVisitsInput!) {
  importVisits(input: $input) {
    center { shortCode }
    rowsRead imported updated rowErrorsTotal
    userErrors { field message code }
  }
}
"""

VISITS = (
    "patient_key,visit_date,pga,diagnosis\n"
    "P-001,2024-01-15,QUIESCENT,CROHNS\n"
    "P-002,2024-02-20,MILD,UC\n"
)


async def _upload(client: GraphQLClient, center: Center, token: str) -> httpx.Response:
    operations = {
        "query": IMPORT,
        "variables": {"input": {"centerId": to_global_id("Center", center.id), "file": None}},
    }
    return await client.http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": ("visits.csv", VISITS.encode(), "text/csv")},
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize("icn_plugins", [[("icn-growth", FailingMeasurePlugin())]])
async def test_a_failing_plugin_measure_after_an_import_is_a_user_error(
    db: Database, client: GraphQLClient, icn_plugins: object
) -> None:
    center = await make_center(db)
    await store_values(db, center, [(30, 40)])  # stored before: kept as it was
    person = await make_person(
        db, PersonKind.DATA_MANAGER, center=center, role=CenterRole.DATA_MANAGER
    )
    token = await token_for(db, person)

    response = await _upload(client, center, token)

    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    payload = body["data"]["importVisits"]
    assert payload["center"] == {"shortCode": center.short_code}
    assert (payload["rowsRead"], payload["imported"], payload["updated"]) == (2, 2, 0)
    assert payload["rowErrorsTotal"] == 0
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == ("file", "INVALID")
    message = error["message"]
    assert message.startswith("The visits were imported (2 added, 0 updated)")
    assert "measures were not refreshed" in message
    assert "growth_assessment_rate" in message
    assert f"icn-graph measures refresh --center {center.short_code}" in message

    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Visit)) == 2
        stored = (
            await session.execute(select(MeasureValue.numerator, MeasureValue.denominator))
        ).all()
    assert [tuple(row) for row in stored] == [(30, 40)]
