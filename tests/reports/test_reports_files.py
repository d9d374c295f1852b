"""``/reports/<measure>.png|.csv``: the same authorization and suppression as the API."""

from __future__ import annotations

import csv
import io
import struct

import httpx
import pytest
import vl_convert

from icn_graph.db.database import Database
from icn_graph.services.reports.png import SCALE, VEGA_LITE_VERSION, WIDTH
from icn_graph.testing import GraphQLClient
from tests.report_helpers import Audience, make_audience, month, store_values

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def _get(client: GraphQLClient, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.http.get(path, headers=headers)


async def _with_data(db: Database) -> Audience:
    audience = await make_audience(db)
    counts = [(20, 40), (5, 60), (25, 50), (36, 50), *[(30 + i % 3, 50) for i in range(20)]]
    await store_values(db, audience.center, counts)
    await store_values(db, audience.other_center, [(30, 50)] * len(counts))
    return audience


def _png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == PNG_SIGNATURE
    assert content[12:16] == b"IHDR"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


async def test_png_chart_renders(
    db: Database, client: GraphQLClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    audience = await _with_data(db)

    response = await _get(
        client, f"/reports/remission_rate.png?center={audience.center.short_code}", audience.staff
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert "filename=" in response.headers["content-disposition"]
    width, height = _png_size(response.content)
    assert 1900 < width < 2300  # the 900-pixel plot at twice the scale, with its labels
    assert 800 < height < 1000
    assert 20_000 < len(response.content) < 500_000
    (tmp_path_factory.getbasetemp() / "remission_rate.png").write_bytes(response.content)


async def test_the_png_is_the_web_chart(db: Database, client: GraphQLClient) -> None:
    """The slide is the web chart: the PNG route draws the report's Vega-Lite spec, so the two
    can never disagree. Rendering the API's spec at the PNG's width gives the same image."""
    audience = await _with_data(db)
    code = audience.center.short_code
    query = 'query($id: ID) { report(measure: "remission_rate", centerId: $id) { vegaLite } }'
    data = await client.data(query, {"id": audience.center_id}, token=audience.staff)
    spec = {**data["report"]["vegaLite"], "width": WIDTH}

    response = await _get(client, f"/reports/remission_rate.png?center={code}", audience.staff)

    expected = vl_convert.vegalite_to_png(spec, vl_version=VEGA_LITE_VERSION, scale=SCALE)
    assert response.content == expected


async def test_csv_rows_hide_suppressed_values(db: Database, client: GraphQLClient) -> None:
    audience = await _with_data(db)

    response = await _get(
        client,
        f"/reports/remission_rate.csv?center={audience.center_id}&from=2022-01&to=2022-04",
        audience.staff,
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="remission_rate-{audience.center.short_code}-2022-01-to-2022-04.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "month",
        "numerator",
        "denominator",
        "value",
        "suppressed",
        "center_line",
        "lower_limit",
        "upper_limit",
    ]
    assert [row[0] for row in rows[1:]] == ["2022-01", "2022-02", "2022-03", "2022-04"]
    assert rows[1][1:5] == ["20", "40", "0.5", "false"]
    assert rows[2][1:5] == ["", "", "", "true"]
    assert rows[2][6:] == ["", ""]  # limits hidden too
    assert rows[2][5] != ""  # the centre line shows
    assert all(cell != "" for cell in rows[1])

    own = await _get(
        client,
        f"/reports/remission_rate.csv?center={audience.center_id}&to=2022-04",
        audience.member,
    )
    assert list(csv.reader(io.StringIO(own.text)))[2][:5] == [
        "2022-02",
        "5",
        "60",
        "0.0833333",
        "false",
    ]


async def test_network_csv_without_center(db: Database, client: GraphQLClient) -> None:
    audience = await _with_data(db)
    response = await _get(client, "/reports/remission_rate.csv?to=2022-01", audience.other_member)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[1][:5] == [f"{month(0):%Y-%m}", "50", "90", "0.555556", "false"]


@pytest.mark.parametrize("extension", ["png", "csv"])
async def test_same_authorization_as_the_api(
    db: Database, client: GraphQLClient, extension: str
) -> None:
    audience = await _with_data(db)
    path = f"/reports/remission_rate.{extension}?center={audience.center_id}"

    anonymous = await _get(client, path, None)
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await _get(client, path, "icn_not-a-token")).status_code == 401

    forbidden = await _get(client, path, audience.other_member)
    assert forbidden.status_code == 403
    assert forbidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    for token in (audience.member, audience.staff, audience.data_manager):
        assert (await _get(client, path, token)).status_code == 200


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/reports/nope.csv", 404, "nope"),
        ("/reports/remission_rate.pdf", 404, ".png or .csv"),
        ("/reports/remission_rate.csv?center=NOPE", 404, "NOPE"),
        ("/reports/remission_rate.csv?from=2024-13", 400, "from"),
        ("/reports/remission_rate.csv?from=March", 400, "YYYY-MM"),
        ("/reports/remission_rate.csv?from=2024-05&to=2024-01", 400, "to:"),
        ("/reports/remission_rate.png?chart=PIE", 400, "chart"),
    ],
)
async def test_bad_requests_get_json_errors(
    db: Database, client: GraphQLClient, path: str, status: int, words: str
) -> None:
    audience = await _with_data(db)
    response = await _get(client, path, audience.staff)
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert words in error["message"]


async def test_other_methods_are_refused(db: Database, client: GraphQLClient) -> None:
    audience = await _with_data(db)
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        response = await client.http.request(
            method,
            "/reports/remission_rate.csv",
            headers={"Authorization": f"Bearer {audience.staff}"},
        )
        assert response.status_code == 405, method
        assert response.headers["allow"] == "GET, HEAD", method
        assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
