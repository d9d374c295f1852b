"""A funnel plot (``reports.funnel``) as a Vega-Lite v5 specification: the web chart, the PNG
and the SVG are drawn from this one spec.

- x: each point's denominator (patients; patient-months when several months are summed), from 0;
  y: its rate, as a percentage, zoomed to the points and the limits near them;
- the 95 % limits dashed and the 99.8 % limits dotted, each a pair of curves around the target,
  named in the legend; the target (the network's rate) as a rule labelled at the right;
- highlighted points (named centers) filled in colour and labelled with their names; the others
  (blinded centers) grey and labelled with their letters, smaller;
- labels are placed here, not by the renderer (Vega-Lite has no label collision avoidance): each
  takes the first place around its point (right, left, above, below, then farther out) that
  overlaps no other label, no point and no edge, highlighted points first; a label that had to
  move far from its point gets a thin leader line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from icn_graph.reports.funnel import FunnelPoint, Limits, Position
from icn_graph.services.reports.vega_lite import SCHEMA_URL

HEIGHT = 440
DEFAULT_WIDTH = 720
HIGHLIGHT_COLOR = "#1f5fa8"
OTHER_COLOR = "#9a9a9a"
LIMIT_COLOR = "#7f7f7f"
TARGET_COLOR = "#333333"
LABEL_SIZE = 11
OTHER_LABEL_SIZE = 10
CHAR_WIDTH = 0.62
"""A label's average character width, in ems (DejaVu Sans, the renderer's font, runs wide)."""
POINT_RADIUS = 5.0

HIGHLIGHTED = "Named center"
OTHER = "Center not named (letter)"
LIMITS_95 = "95% limits"
LIMITS_998 = "99.8% limits"
LEADER_DISTANCE = 16.0
"""A label this far (pixels) from its point gets a leader line."""

POSITIONS = {
    Position.INSIDE: "inside the limits",
    Position.ABOVE_95: "above the 95% limit",
    Position.ABOVE_998: "above the 99.8% limit",
    Position.BELOW_95: "below the 95% limit",
    Position.BELOW_998: "below the 99.8% limit",
}


@dataclass(frozen=True)
class FunnelMark:
    label: str
    point: FunnelPoint
    highlighted: bool


@dataclass(frozen=True)
class _Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlap(self, other: _Box) -> float:
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        return width * height if width > 0 and height > 0 else 0.0


@dataclass(frozen=True)
class _Scales:
    width: float
    height: float
    x_min: float
    x_max: float
    y_min: float
    y_max: float
    x_title: str

    def x(self, value: float) -> float:
        return (value - self.x_min) / (self.x_max - self.x_min) * self.width

    def y(self, value: float) -> float:
        return (self.y_max - value) / (self.y_max - self.y_min) * self.height

    def x_value(self, pixels: float) -> float:
        return self.x_min + pixels / self.width * (self.x_max - self.x_min)

    def y_value(self, pixels: float) -> float:
        return self.y_max - pixels / self.height * (self.y_max - self.y_min)


def funnel_spec(
    *,
    title: str,
    subtitle: Sequence[str],
    target: float | None,
    target_label: str,
    marks: Sequence[FunnelMark],
    curve: Sequence[Limits],
    x_title: str,
    width: int | None = None,
) -> dict[str, Any]:
    """The Vega-Lite v5 spec of a funnel plot (module docstring); a plain JSON dict."""
    scales = _scales(width or DEFAULT_WIDTH, target, marks, curve, x_title)
    layers: list[dict[str, Any]] = []
    if curve:
        layers.append(_limits_layer(curve, scales))
    if target is not None:
        layers.extend(_target_layers(target, f"{target_label} {target:.1%}", scales))
    labels = _place_labels(marks, scales)
    leaders = [row for row in labels if row["leader"]]
    if leaders:
        layers.append(_leader_layer(leaders, scales))
    layers.append(_points_layer(marks, scales))
    if not marks:
        layers.append(_nothing_layer())
    for halo in (True, False):  # a white outline first, so labels read across lines
        for align in ("left", "right", "center"):
            rows = [row for row in labels if row["align"] == align]
            if rows:
                layers.append(_label_layer(rows, align, scales, halo=halo))
    return {
        "$schema": SCHEMA_URL,
        "title": {
            "text": title,
            "subtitle": list(subtitle),
            "anchor": "start",
            "fontSize": 18,
            "subtitleFontSize": 12,
            "subtitleColor": "#555555",
        },
        "width": scales.width,
        "height": scales.height,
        "layer": layers,
        "resolve": {"scale": {"color": "independent", "strokeDash": "independent"}},
        "config": {
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": False},
            "axisY": {"grid": True, "gridColor": "#eeeeee"},
            "legend": {
                "orient": "bottom",
                "direction": "horizontal",
                "labelFontSize": 11,
                "labelLimit": 320,
            },
        },
    }


def _scales(
    width: float,
    target: float | None,
    marks: Sequence[FunnelMark],
    curve: Sequence[Limits],
    x_title: str,
) -> _Scales:
    """x past the largest denominator, from 0 unless every point sits far from it (then from a
    round number below the smallest); y around the points, the target and the limits at the
    smallest point's denominator, in steps of 5 %, within 0-100 %."""
    x_max = max(
        [*(m.point.denominator for m in marks), *(c.denominator for c in curve)], default=10
    )
    x_max *= 1.04
    x_min = 0.0
    smallest = min((m.point.denominator for m in marks), default=0)
    if smallest > 0.4 * x_max:
        step = 10 ** math.floor(math.log10(smallest))
        x_min = math.floor(smallest * 0.85 / step) * step
    values = [m.point.rate for m in marks]
    if target is not None:
        values.append(target)
    if marks:
        narrowest = min(marks, key=lambda m: m.point.denominator).point.limits
        values.extend((narrowest.lower_998, narrowest.upper_998))
    low = min(values, default=0.0)
    high = max(values, default=1.0)
    y_min = max(0.0, math.floor(low * 20 - 0.5) / 20)
    y_max = min(1.0, math.ceil(high * 20 + 0.5) / 20)
    if y_max - y_min < 0.1:
        y_min, y_max = max(0.0, y_min - 0.05), min(1.0, y_max + 0.05)
    return _Scales(width, HEIGHT, x_min, x_max, y_min, y_max, x_title)


def _x(field: str, scales: _Scales) -> dict[str, Any]:
    return {
        "field": field,
        "type": "quantitative",
        "title": scales.x_title,
        "scale": {"domain": [scales.x_min, scales.x_max], "nice": False, "zero": False},
        "axis": {"tickCount": 8},
    }


def _y(field: str, scales: _Scales) -> dict[str, Any]:
    return {
        "field": field,
        "type": "quantitative",
        "title": "Percent of patients",
        "scale": {"domain": [scales.y_min, scales.y_max], "nice": False, "zero": False},
        "axis": {"format": ".0%", "tickCount": 6},
    }


def _limits_layer(curve: Sequence[Limits], scales: _Scales) -> dict[str, Any]:
    rows = []
    for at in curve:
        for name, side, value in (
            (LIMITS_95, "lower", at.lower_95),
            (LIMITS_95, "upper", at.upper_95),
            (LIMITS_998, "lower", at.lower_998),
            (LIMITS_998, "upper", at.upper_998),
        ):
            rows.append(
                {
                    "denominator": at.denominator,
                    "limit": value,
                    "limits": name,
                    "line": f"{name} {side}",
                }
            )
    return {
        "data": {"values": rows},
        "mark": {
            "type": "line",
            "color": LIMIT_COLOR,
            "strokeWidth": 1.2,
            "clip": True,
            "aria": False,
        },
        "encoding": {
            "x": _x("denominator", scales),
            "y": _y("limit", scales),
            "detail": {"field": "line", "type": "nominal"},
            "strokeDash": {
                "field": "limits",
                "type": "nominal",
                "title": None,
                "scale": {"domain": [LIMITS_95, LIMITS_998], "range": [[6, 3], [2, 2]]},
            },
            "order": {"field": "denominator", "type": "quantitative"},
        },
    }


def _target_layers(target: float, text: str, scales: _Scales) -> list[dict[str, Any]]:
    one: dict[str, Any] = {"values": [{}]}
    return [
        {
            "data": one,
            "mark": {"type": "rule", "color": TARGET_COLOR, "strokeWidth": 1.4},
            "encoding": {"y": {"datum": target, "type": "quantitative"}},
        },
        {
            "data": one,
            "mark": {
                "type": "text",
                "text": text,
                "align": "left",
                "baseline": "middle",
                "dx": 4,
                "fontSize": 11,
                "color": TARGET_COLOR,
            },
            "encoding": {
                "x": {"value": "width"},
                "y": {"datum": target, "type": "quantitative"},
            },
        },
    ]


def _point_rows(marks: Sequence[FunnelMark]) -> list[dict[str, Any]]:
    return [
        {
            "label": mark.label,
            "kind": HIGHLIGHTED if mark.highlighted else OTHER,
            "numerator": mark.point.numerator,
            "denominator": mark.point.denominator,
            "rate": mark.point.rate,
            "position": POSITIONS[mark.point.position],
        }
        for mark in marks
    ]


def _points_layer(marks: Sequence[FunnelMark], scales: _Scales) -> dict[str, Any]:
    rows = _point_rows(marks)
    # The kinds present (a legend of none would have no size: the renderer gives up).
    kinds = [kind for kind in (HIGHLIGHTED, OTHER) if any(r["kind"] == kind for r in rows)]
    kinds = kinds or [HIGHLIGHTED]
    colors = {HIGHLIGHTED: HIGHLIGHT_COLOR, OTHER: OTHER_COLOR}
    about = (
        "datum.label + ': ' + format(datum.rate, '.1%') + ' (' + datum.numerator + ' of '"
        " + datum.denominator + '), ' + datum.position"
    )
    return {
        "data": {"values": rows},
        "transform": [{"calculate": about, "as": "about"}],
        "mark": {"type": "circle", "size": 70, "opacity": 1, "stroke": "white", "strokeWidth": 1},
        "encoding": {
            "x": _x("denominator", scales),
            "y": _y("rate", scales),
            "color": {
                "field": "kind",
                "type": "nominal",
                "title": None,
                "scale": {"domain": kinds, "range": [colors[kind] for kind in kinds]},
                **({} if rows else {"legend": None}),
            },
            "description": {"field": "about"},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "Center"},
                {"field": "rate", "type": "quantitative", "format": ".1%", "title": "Percent"},
                {"field": "numerator", "type": "quantitative", "title": "Numerator"},
                {"field": "denominator", "type": "quantitative", "title": "Denominator"},
                {"field": "position", "type": "nominal", "title": "Where"},
            ],
        },
    }


def _candidates() -> tuple[tuple[float, float, str], ...]:
    """Offsets (dx, dy, align) of a label from its point, in pixels, nearest first: beside,
    above and below it, then rings farther out every 30 degrees (with a leader line)."""
    near: list[tuple[float, float, str]] = [
        (8, 0, "left"),
        (-8, 0, "right"),
        (0, -12, "center"),
        (0, 12, "center"),
        (7, -10, "left"),
        (7, 10, "left"),
        (-7, -10, "right"),
        (-7, 10, "right"),
    ]
    for radius in (22, 34, 48, 64, 82):
        for degrees in range(0, 360, 30):
            dx = radius * math.cos(math.radians(degrees))
            dy = -radius * math.sin(math.radians(degrees))
            align = "left" if dx > 4 else "right" if dx < -4 else "center"
            near.append((round(dx), round(dy), align))
    return tuple(near)


_CANDIDATES = _candidates()


def _label_box(x: float, y: float, text: str, size: float, align: str) -> _Box:
    width = len(text) * size * CHAR_WIDTH
    height = size * 1.2
    left = x if align == "left" else x - width if align == "right" else x - width / 2
    return _Box(left, y - height / 2, left + width, y + height / 2)


def _place_labels(marks: Sequence[FunnelMark], scales: _Scales) -> list[dict[str, Any]]:
    points = [(scales.x(m.point.denominator), scales.y(m.point.rate)) for m in marks]
    taken = [
        _Box(px - POINT_RADIUS, py - POINT_RADIUS, px + POINT_RADIUS, py + POINT_RADIUS)
        for px, py in points
    ]
    # Highlighted first, then from the most crowded: they choose before the space fills.
    order = sorted(range(len(marks)), key=lambda i: (not marks[i].highlighted, points[i][0]))
    rows: list[dict[str, Any]] = []
    for index in order:
        mark = marks[index]
        px, py = points[index]
        size = LABEL_SIZE if mark.highlighted else OTHER_LABEL_SIZE
        best: tuple[float, float, float, str, _Box] | None = None
        for dx, dy, align in _CANDIDATES:
            box = _label_box(px + dx, py + dy, mark.label, size, align)
            cost = sum(box.overlap(other) for other in taken)
            cost += _outside(box, scales) * 4
            if best is None or cost < best[0]:
                best = (cost, dx, dy, align, box)
            if cost == 0:
                break
        assert best is not None
        _, dx, dy, align, box = best
        taken.append(box)
        leader = math.hypot(dx, dy) >= LEADER_DISTANCE
        rows.append(
            {
                "label": mark.label,
                "kind": HIGHLIGHTED if mark.highlighted else OTHER,
                "x": scales.x_value(px + dx),
                "y": scales.y_value(py + dy),
                "pointX": mark.point.denominator,
                "pointY": mark.point.rate,
                "align": align,
                "size": size,
                "leader": leader,
                # The leader line ends at the label's edge nearest the point.
                "leaderX": scales.x_value(min(max(px, box.left), box.right)),
                "leaderY": scales.y_value(min(max(py, box.top), box.bottom)),
            }
        )
    return rows


def _outside(box: _Box, scales: _Scales) -> float:
    """How much of ``box`` lies outside the plot (area in pixels)."""
    inside = _Box(0, 0, scales.width, scales.height)
    area = (box.right - box.left) * (box.bottom - box.top)
    return area - box.overlap(inside)


def _nothing_layer() -> dict[str, Any]:
    """ "No center to place" in the middle of an empty plot."""
    return {
        "data": {"values": [{}]},
        "mark": {"type": "text", "text": "No center to place", "fontSize": 14, "color": "#777777"},
        "encoding": {"x": {"value": {"expr": "width / 2"}}, "y": {"value": {"expr": "height / 2"}}},
    }


def _leader_layer(rows: list[dict[str, Any]], scales: _Scales) -> dict[str, Any]:
    return {
        "data": {"values": rows},
        "mark": {"type": "rule", "color": "#8c8c8c", "strokeWidth": 1, "aria": False},
        "encoding": {
            "x": _x("pointX", scales),
            "y": _y("pointY", scales),
            "x2": {"field": "leaderX"},
            "y2": {"field": "leaderY"},
        },
    }


def _label_layer(
    rows: list[dict[str, Any]], align: str, scales: _Scales, *, halo: bool
) -> dict[str, Any]:
    mark: dict[str, Any] = {"type": "text", "align": align, "baseline": "middle", "aria": False}
    if halo:
        mark |= {"stroke": "white", "strokeWidth": 5, "strokeJoin": "round"}
    return {
        "data": {"values": rows},
        "mark": mark,
        "encoding": {
            "x": _x("x", scales),
            "y": _y("y", scales),
            "text": {"field": "label"},
            "size": {"field": "size", "type": "quantitative", "scale": None, "legend": None},
            "color": {
                "field": "kind",
                "type": "nominal",
                "scale": {"domain": [HIGHLIGHTED, OTHER], "range": ["#1a1a1a", "#6f6f6f"]},
                "legend": None,
            },
        },
    }
