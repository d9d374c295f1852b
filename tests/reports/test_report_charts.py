"""The report chart as a reader sees it: the Vega-Lite spec from the API compiled and rendered by
the real Vega-Lite compiler (vl-convert), checked on the rendered marks: one centre rule across
the chart, limits as a step per month, points coloured by the signal they are part of, one y-axis
title, the legend below the data, hidden months shaded, months on a UTC scale."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
import vl_convert

from icn_graph.db.database import Database
from icn_graph.services.reports.png import VEGA_LITE_VERSION, WIDTH
from icn_graph.services.reports.vega_lite import (
    CENTRE_COLOR,
    HEIGHT,
    HIDDEN,
    IN_RUN,
    LIMITS,
    NO_SIGNAL,
    OUTSIDE,
    OUTSIDE_COLOR,
    RUN_COLOR,
    SERIES_COLOR,
    Y_TITLE,
)
from icn_graph.testing import GraphQLClient
from tests.report_helpers import Audience, make_audience, month, store_values

# The center's own clinician sees all 21 months: p̄ = 1183/2060 = 0.5743, limits about ± 0.148
# (n = 100). Month 4 (5/60) is below its lower limit, month 14 (90/100) above its upper one, and
# months 5-14 are a run of 10 above p̄ (limit 7 for 21 points); 6 crossings, not too few.
# Staff do not see month 4 (a count of 5): their p̄ is 1178/2000 and the 5 crossings of the
# remaining 20 months are too few (limit 6).
COUNTS = [
    (50, 100),
    (60, 100),
    (50, 100),
    (60, 100),
    (5, 60),
    *[(62, 100)] * 9,
    (90, 100),
    (45, 100),
    (55, 100),
    (45, 100),
    (55, 100),
    (50, 100),
    (60, 100),
]
CENTRE = 1183 / 2060
SPEC_QUERY = """
query($id: ID, $chart: ReportChart!) {
  report(measure: "remission_rate", centerId: $id, chart: $chart) {
    vegaLite
    center { name }
    points { month value suppressed lowerLimit upperLimit }
  }
}
"""


async def _report(
    db: Database, client: GraphQLClient, *, staff: bool = False, chart: str = "P_CHART"
) -> dict[str, Any]:
    audience: Audience = await make_audience(db)
    await store_values(db, audience.center, COUNTS)
    token = audience.staff if staff else audience.member
    data = await client.data(SPEC_QUERY, {"id": audience.center_id, "chart": chart}, token=token)
    report: dict[str, Any] = data["report"]
    return report


def _fixed(spec: dict[str, Any]) -> dict[str, Any]:
    """The web spec at the PNG's width (the web one fills its container)."""
    assert spec["width"] == "container"
    return {**spec, "width": WIDTH}


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every mark group in a scenegraph."""
    if isinstance(node, list):
        for child in node:
            yield from _nodes(child)
    elif isinstance(node, dict):
        if "marktype" in node:
            yield node
        for key in ("scenegraph", "root", "items"):
            if key in node:
                yield from _nodes(node[key])


def _scene(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(
        _nodes(vl_convert.vegalite_to_scenegraph(_fixed(spec), vl_version=VEGA_LITE_VERSION))
    )


def _items(scene: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [item for node in scene if node.get("name") == name for item in node["items"]]


def _role(scene: list[dict[str, Any]], role: str) -> list[dict[str, Any]]:
    return [item for node in scene if node.get("role") == role for item in node["items"]]


def _layer(spec: dict[str, Any], mark: str, *, nth: int = 0) -> str:
    """The scenegraph name of the ``nth`` layer drawing ``mark``."""
    indices = [i for i, layer in enumerate(spec["layer"]) if layer["mark"]["type"] == mark]
    return f"layer_{indices[nth]}_marks"


def _svg_texts(svg: str) -> set[str]:
    """The text of every ``<text>`` element (no entities in ours but the apostrophe)."""
    return {text.replace("&apos;", "'") for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}


def _y(value: float) -> float:
    return HEIGHT * (1 - value)


@pytest.mark.parametrize("version", [VEGA_LITE_VERSION, "6.4"])
async def test_the_spec_compiles_to_the_marks_we_mean(
    db: Database, client: GraphQLClient, version: str
) -> None:
    spec = (await _report(db, client))["vegaLite"]

    vega = vl_convert.vegalite_to_vega(spec, vl_version=version)

    assert [mark["type"] for mark in vega["marks"]] == [
        "rule",  # upper limit, one per month
        "rule",  # lower limit
        "rule",  # centre line, once
        "text",  # its label
        "line",
        "symbol",
    ]
    titles = [axis.get("title") for axis in vega["axes"] if axis.get("title")]
    assert titles == ["Month", Y_TITLE]  # not "Percent, Upper limit, Lower limit, Percent"
    [x_scale] = [scale for scale in vega["scales"] if scale["name"] == "x"]
    assert x_scale["type"] == "utc"


async def test_the_rendered_p_chart(db: Database, client: GraphQLClient) -> None:
    report = await _report(db, client)
    spec = report["vegaLite"]
    scene = _scene(spec)

    [centre] = _items(scene, _layer(spec, "rule", nth=2))
    assert {centre["x"], centre["x2"]} == {0, WIDTH}  # across the chart, not a bar per month
    assert centre["y"] == pytest.approx(_y(CENTRE))
    assert "y2" not in centre
    assert centre["stroke"] == CENTRE_COLOR
    [label] = _items(scene, _layer(spec, "text"))
    assert label["text"] == "Average 57.4%"
    assert label["x"] == WIDTH

    month_width = WIDTH / len(COUNTS)
    for nth, field in enumerate(("upperLimit", "lowerLimit")):
        steps = _items(scene, _layer(spec, "rule", nth=nth))
        limits = [p[field] for p in report["points"] if p[field] is not None]
        assert len(steps) == len(limits) == len(COUNTS)
        for step, limit in zip(steps, limits, strict=True):
            assert "y2" not in step
            assert step["x2"] - step["x"] == pytest.approx(month_width, rel=0.1)
            assert step["y"] == pytest.approx(_y(limit))
            assert step["strokeDash"] == [4, 3]

    expected = {i: NO_SIGNAL for i in range(len(COUNTS))}
    expected.update({i: IN_RUN for i in range(5, 14)})
    expected[4] = expected[14] = OUTSIDE  # outside the limits wins over being in the run
    colors = {OUTSIDE: OUTSIDE_COLOR, IN_RUN: RUN_COLOR, NO_SIGNAL: SERIES_COLOR}
    points = _items(scene, _layer(spec, "point"))
    assert [point["fill"] for point in points] == [colors[expected[i]] for i in range(21)]
    assert points[14]["description"] == f"{month(14):%b %Y}: 90.0% (90 of 100), {OUTSIDE}"

    assert [t["text"] for t in _role(scene, "axis-title")] == ["Month", Y_TITLE]
    legends = [item for node in scene if node.get("role") == "legend" for item in node["items"]]
    assert legends
    assert all(legend["y"] > HEIGHT for legend in legends)  # below the plot, never on the data
    labels = [t["text"] for t in _role(scene, "legend-label")]
    assert labels == [LIMITS, OUTSIDE, IN_RUN, NO_SIGNAL]
    [subtitle] = _role(scene, "title-subtitle")
    months = f"{month(0):%b %Y} to {month(20):%b %Y}"
    assert subtitle["text"] == [
        f"{report['center']['name']} · monthly p-chart, 3-sigma limits · {months}"
    ]


async def test_hidden_months_are_shaded_between_their_neighbours(
    db: Database, client: GraphQLClient
) -> None:
    report = await _report(db, client, staff=True)
    spec = report["vegaLite"]
    hidden = [i for i, point in enumerate(report["points"]) if point["suppressed"]]
    assert 4 in hidden

    scene = _scene(spec)
    shades = _items(scene, _layer(spec, "rect"))
    points = {p["description"][:8]: p["x"] for p in _items(scene, _layer(spec, "point"))}
    assert len(shades) == len(hidden)
    shade = shades[hidden.index(4)]
    assert shade["y"] == 0
    assert shade["y2"] == HEIGHT
    assert points[f"{month(3):%b %Y}"] < shade["x"] < shade["x2"] < points[f"{month(5):%b %Y}"]
    assert HIDDEN in [t["text"] for t in _role(scene, "legend-label")]
    [subtitle] = _role(scene, "title-subtitle")
    assert "Too few crossings" in subtitle["text"][1]


async def test_the_rendered_run_chart(db: Database, client: GraphQLClient) -> None:
    spec = (await _report(db, client, chart="RUN_CHART"))["vegaLite"]
    scene = _scene(spec)

    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rule", "text", "line", "point"]
    [label] = _items(scene, _layer(spec, "text"))
    assert label["text"].startswith("Median ")
    assert LIMITS not in [t["text"] for t in _role(scene, "legend-label")]


async def test_the_spec_renders_as_svg_and_png(db: Database, client: GraphQLClient) -> None:
    spec = _fixed((await _report(db, client))["vegaLite"])

    svg = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION)
    assert svg.startswith("<svg")
    texts = _svg_texts(svg)
    assert {"Remission rate", "Average 57.4%", Y_TITLE, OUTSIDE} <= texts

    png = vl_convert.vegalite_to_png(spec, vl_version=VEGA_LITE_VERSION)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


async def test_months_stay_put_west_of_greenwich(db: Database, client: GraphQLClient) -> None:
    """Month strings are UTC dates; on a local time scale Los Angeles would draw January 2022
    as December 2021. The renderer takes its time zone from the process, so render in one."""
    spec = _fixed((await _report(db, client))["vegaLite"])
    script = (
        "import json, sys, vl_convert\n"
        "spec = json.loads(sys.stdin.read())\n"
        f"print(vl_convert.vegalite_to_svg(spec, vl_version={VEGA_LITE_VERSION!r}))\n"
    )
    env = {**os.environ, "TZ": "America/Los_Angeles"}
    with anyio.fail_after(120):
        result = await anyio.run_process(
            [sys.executable, "-c", script], input=json.dumps(spec).encode(), env=env
        )
    svg = result.stdout.decode()
    texts = _svg_texts(svg)
    assert f"{month(0):%b %Y}" in texts  # the first tick: Jan 2022, not Dec 2021
    assert f"{month(-1):%b %Y}" not in texts
    assert f'aria-label="{month(0):%b %Y}: 50.0%' in svg
