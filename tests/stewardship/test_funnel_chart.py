"""The funnel plot's drawing (services/reports/funnel_chart.py): a demo-like slide whose labels
overlap nothing, drawn to a PNG that a person looked at."""

from __future__ import annotations

import pytest
import vl_convert

from icn_graph.reports.funnel import FunnelUnit, funnel
from icn_graph.services.reports import funnel_chart
from icn_graph.services.reports.funnel_chart import FunnelMark, funnel_spec
from icn_graph.services.reports.png import SCALE, VEGA_LITE_VERSION, WIDTH

# A month of the Spring 2014 story: fifteen centers' patients and remissions; twelve consented
# to be named, three are blinded.
CENTERS = [
    ("Cincinnati Children's", 268, 212),
    ("Nationwide Children's", 231, 171),
    ("Seattle Children's", 118, 86),
    ("Boston Children's", 342, 251),
    ("Children's Mercy Kansas City", 164, 138),
    ("Children's Hospital Colorado", 197, 139),
    ("Lurie Children's", 88, 74),
    ("Texas Children's", 143, 101),
    ("Johns Hopkins Children's Center", 76, 52),
    ("Rady Children's", 61, 52),
    ("Nemours", 112, 91),
    ("Mayo Clinic", 54, 35),
    ("Center A", 129, 92),
    ("Center B", 203, 166),
    ("Center C", 95, 62),
]
TARGET = 0.764


def _units() -> list[FunnelUnit]:
    return [FunnelUnit(label, remissions, patients) for label, patients, remissions in CENTERS]


def _marks() -> list[FunnelMark]:
    placed = funnel(_units(), TARGET)
    return [FunnelMark(p.label, p, not p.label.startswith("Center ")) for p in placed.points]


def _spec() -> dict[str, object]:
    return funnel_spec(
        title="Remission rate",
        subtitle=["Funnel plot · Mar 2014 · 95% and 99.8% limits around the network rate"],
        target=TARGET,
        target_label="Network",
        marks=_marks(),
        curve=funnel(_units(), TARGET).curve,
        x_title="Patients",
        width=WIDTH,
    )


def test_labels_overlap_nothing_on_the_demo_slide() -> None:
    marks = _marks()
    scales = funnel_chart._scales(WIDTH, TARGET, marks, funnel(_units()).curve, "Patients")
    rows = funnel_chart._place_labels(marks, scales)
    boxes = [
        funnel_chart._label_box(
            scales.x(row["x"]), scales.y(row["y"]), row["label"], row["size"], row["align"]
        )
        for row in rows
    ]
    points = [(scales.x(m.point.denominator), scales.y(m.point.rate)) for m in marks]
    radius = funnel_chart.POINT_RADIUS
    for index, box in enumerate(boxes):
        assert all(box.overlap(other) == 0 for other in boxes[index + 1 :]), rows[index]
        for px, py in points:
            dot = funnel_chart._Box(px - radius, py - radius, px + radius, py + radius)
            assert box.overlap(dot) == 0, rows[index]
        assert funnel_chart._outside(box, scales) == 0, rows[index]


def test_named_points_are_highlighted_and_labelled() -> None:
    spec = _spec()
    layers = spec["layer"]
    assert isinstance(layers, list)
    points = next(layer for layer in layers if layer["mark"]["type"] == "circle")
    kinds = {row["label"]: row["kind"] for row in points["data"]["values"]}
    assert kinds["Cincinnati Children's"] == funnel_chart.HIGHLIGHTED
    assert kinds["Center B"] == funnel_chart.OTHER
    labels = {
        row["label"]
        for layer in layers
        if layer["mark"]["type"] == "text" and "values" in layer.get("data", {})
        for row in layer["data"]["values"]
        if "label" in row
    }
    assert labels == {label for label, _, _ in CENTERS}
    limits = next(layer for layer in layers if layer["mark"]["type"] == "line")
    assert {row["line"] for row in limits["data"]["values"]} == {
        "95% limits lower",
        "95% limits upper",
        "99.8% limits lower",
        "99.8% limits upper",
    }


def test_the_demo_slide_renders(tmp_path_factory: pytest.TempPathFactory) -> None:
    png = vl_convert.vegalite_to_png(
        _spec(), vl_version=VEGA_LITE_VERSION, scale=SCALE, allowed_base_urls=[]
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path_factory.getbasetemp() / "demo-funnel.png").write_bytes(png)
