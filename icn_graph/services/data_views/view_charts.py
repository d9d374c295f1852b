"""A data view's rendering as one Vega-Lite v5 spec: what the web draws and what the PNG and SVG
files are made from.

- FUNNEL: the funnel plot (``services/reports/funnel_chart.py``), named centers highlighted and
  labelled with their names, blinded ones grey with their letters.
- RUN_CHART and P_CHART: small multiples, one panel per series (the network first), each drawn
  exactly like a report's chart (``services/reports/vega_lite.py``) on the same 0-100 % scale,
  two panels a row.

The title says what and when; the subtitle says how the centers are shown and, when months are
withheld, why. Nothing in the spec names a center the rendering does not show.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from icn_graph.models.stewardship import DataViewChart
from icn_graph.services.data_views.rendering import (
    NETWORK_LABEL,
    REASONS,
    RenderedSeries,
    Rendering,
    SeriesKind,
    WithheldReason,
)
from icn_graph.services.reports.funnel_chart import FunnelMark, funnel_spec
from icn_graph.services.reports.report import Report
from icn_graph.services.reports.vega_lite import (
    IN_RUN,
    NO_SIGNAL,
    OUTSIDE,
    OUTSIDE_COLOR,
    RUN_COLOR,
    SCHEMA_URL,
    SERIES_COLOR,
    vega_lite_spec,
)

PANEL_WIDTH = 420
PANEL_HEIGHT = 200
COLUMNS = 2
LIMITS_NOTE = "95% and 99.8% limits around the network rate (normal approximation)"


def period_text(rendering: Rendering) -> str:
    first, last = rendering.months[0], rendering.months[-1]
    if first == last:
        return f"{first:%b %Y}"
    return f"{first:%b %Y} to {last:%b %Y}"


def _month_list(months: list[date]) -> str:
    if len(months) <= 4:
        return ", ".join(f"{month:%b %Y}" for month in months)
    return f"{len(months)} months from {months[0]:%b %Y} to {months[-1]:%b %Y}"


def _withheld_lines(rendering: Rendering) -> list[str]:
    """What the chart leaves out and why, in the chart's own terms (a funnel sums months, the
    panels shade them)."""
    remainder = sorted(
        {m.month for _, m in rendering.withheld if m.reason is WithheldReason.UNNAMED_REMAINDER}
    )
    small = any(m.reason is WithheldReason.SMALL_COUNTS for _, m in rendering.withheld)
    funnel = rendering.chart is DataViewChart.FUNNEL
    lines = []
    if remainder:
        lead = "left out of centers' sums" if funnel else "centers' values withheld"
        lines.append(
            f"{_month_list(remainder)}: {lead}: too few other centers had data, so the "
            "network total minus the centers shown would single them out."
        )
    if small:
        if funnel:
            lines.append(
                "Months suppressed for everyone (a count from 1 to 10, or what would reveal "
                "one) are left out of the sums."
            )
        else:
            lines.append("Grey months: " + REASONS[WithheldReason.SMALL_COUNTS])
    return lines


def view_spec(rendering: Rendering, width: int | None = None) -> dict[str, Any]:
    """The rendering's Vega-Lite spec; ``width`` in pixels of the funnel plot or of each panel
    (default: their usual widths)."""
    if rendering.chart is DataViewChart.FUNNEL:
        return _funnel(rendering, width)
    return _panels(rendering, width or PANEL_WIDTH)


def _funnel(rendering: Rendering, width: int | None) -> dict[str, Any]:
    part = rendering.funnel
    assert part is not None
    marks = [
        FunnelMark(entry.label, entry.point, entry.kind is SeriesKind.NAMED)
        for entry in part.entries
    ]
    x_title = "Patients" if len(rendering.months) == 1 else "Patient-months (monthly counts summed)"
    lines = [f"Funnel plot · {period_text(rendering)} · {LIMITS_NOTE}"]
    if part.target is None:
        lines.append("No network rate is published for these months: nothing to place.")
    if part.unplaced:
        lines.append("Not placed (no month to show): " + ", ".join(part.unplaced))
    lines.extend(_withheld_lines(rendering))
    return funnel_spec(
        title=rendering.measure.title,
        subtitle=lines,
        target=part.target,
        target_label=NETWORK_LABEL,
        marks=marks,
        curve=part.curve,
        x_title=x_title,
        width=width,
    )


def _panel(series: RenderedSeries, width: int) -> dict[str, Any]:
    spec = vega_lite_spec(series.report, width=width)
    kind = {
        SeriesKind.NETWORK: "All centers",
        SeriesKind.NAMED: "Named with its consent",
        SeriesKind.BLINDED: "Not named",
    }[series.kind]
    return {
        "title": {
            "text": series.label,
            "subtitle": kind,
            "anchor": "start",
            "fontSize": 14,
            "subtitleFontSize": 11,
            "subtitleColor": "#555555",
        },
        "width": width,
        "height": PANEL_HEIGHT,
        "data": spec["data"],
        "layer": [_full_point_scale(layer) for layer in spec["layer"]],
    }


def _full_point_scale(layer: dict[str, Any]) -> dict[str, Any]:
    """The points' colour scale with every kind, so that the panels share one legend (a
    report's chart lists only the kinds it has)."""
    color = layer.get("encoding", {}).get("color")
    if color is None or color.get("field") != "kind":
        return layer
    kinds = [OUTSIDE, IN_RUN, NO_SIGNAL]
    scale = {"domain": kinds, "range": [OUTSIDE_COLOR, RUN_COLOR, SERIES_COLOR]}
    return {**layer, "encoding": {**layer["encoding"], "color": {**color, "scale": scale}}}


def _panels(rendering: Rendering, width: int) -> dict[str, Any]:
    chart = "p-charts, 3-sigma limits" if rendering.chart is DataViewChart.P_CHART else "run charts"
    lines = [f"Monthly {chart} · {period_text(rendering)}"]
    if not rendering.series:
        lines.append("No center or network series to show.")
    lines.extend(_withheld_lines(rendering))
    template = _first_report(rendering)
    config = vega_lite_spec(template, width=width)["config"] if template is not None else {}
    return {
        "$schema": SCHEMA_URL,
        "title": {
            "text": rendering.measure.title,
            "subtitle": lines,
            "anchor": "start",
            "fontSize": 18,
            "subtitleFontSize": 12,
            "subtitleColor": "#555555",
        },
        "columns": COLUMNS,
        "concat": [_panel(series, width) for series in rendering.series] or [_empty(width)],
        "spacing": {"row": 28, "column": 36},
        "config": config,
    }


def _empty(width: int) -> dict[str, Any]:
    """A panel saying there is nothing (an empty chart has no size: the renderer gives up)."""
    return {
        "width": width,
        "height": PANEL_HEIGHT,
        "data": {"values": [{}]},
        "mark": {"type": "text", "text": "No series to show", "fontSize": 14, "color": "#777777"},
        "encoding": {"x": {"value": width / 2}, "y": {"value": PANEL_HEIGHT / 2}},
    }


def _first_report(rendering: Rendering) -> Report | None:
    return rendering.series[0].report if rendering.series else None
