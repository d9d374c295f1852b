"""A report as a Vega-Lite v5 specification (JSON), for front-ends that draw their own charts.

One layered chart over the report's months: the control limits as a shaded band and dashed lines
(p-charts), the centre line as a rule, the series as a line with points (suppressed months and
months without data are nulls, so the line has gaps), and the months of long-run and
outside-limit signals as larger red points. Values are proportions, shown as percentages.
"""

from __future__ import annotations

from typing import Any

from icn_graph.services.reports.report import ChartKind, Report, highlighted_months

SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v5.json"
SERIES_COLOR = "#1f5fa8"
SIGNAL_COLOR = "#d62728"
LIMIT_COLOR = "#7f7f7f"

_PERCENT_AXIS = {"format": ".0%", "title": "Percent"}


def vega_lite_spec(report: Report) -> dict[str, Any]:
    """The Vega-Lite v5 spec of ``report``: a plain JSON-serializable dict."""
    marked = highlighted_months(report)
    values = [
        {
            "month": point.month.strftime("%Y-%m"),
            "value": point.value,
            "numerator": point.numerator,
            "denominator": point.denominator,
            "suppressed": point.suppressed,
            "centerLine": point.center_line,
            "lowerLimit": point.lower_limit,
            "upperLimit": point.upper_limit,
            "signal": point.month in marked,
        }
        for point in report.points
    ]
    x = {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": "Month"}
    layers: list[dict[str, Any]] = []
    if report.chart is ChartKind.P_CHART:
        layers.append(
            {
                "mark": {"type": "area", "opacity": 0.12, "color": LIMIT_COLOR},
                "encoding": {
                    "y": {"field": "lowerLimit", "type": "quantitative", "axis": _PERCENT_AXIS},
                    "y2": {"field": "upperLimit"},
                },
            }
        )
        for field, title in (("upperLimit", "Upper limit"), ("lowerLimit", "Lower limit")):
            layers.append(
                {
                    "mark": {
                        "type": "line",
                        "strokeDash": [4, 3],
                        "color": LIMIT_COLOR,
                        "interpolate": "step-after",
                    },
                    "encoding": {
                        "y": {"field": field, "type": "quantitative", "title": title},
                    },
                }
            )
    if report.center_line is not None:
        layers.append(
            {
                "mark": {"type": "rule", "color": "#444444"},
                "encoding": {"y": {"datum": report.center_line, "type": "quantitative"}},
            }
        )
    layers.append(
        {
            "mark": {"type": "line", "point": True, "color": SERIES_COLOR},
            "encoding": {
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "axis": _PERCENT_AXIS,
                    "scale": {"domain": [0, 1]},
                },
                "tooltip": [
                    {"field": "month", "type": "temporal", "timeUnit": "yearmonth"},
                    {"field": "value", "type": "quantitative", "format": ".1%"},
                    {"field": "numerator", "type": "quantitative"},
                    {"field": "denominator", "type": "quantitative"},
                    {"field": "suppressed", "type": "nominal"},
                ],
            },
        }
    )
    layers.append(
        {
            "transform": [{"filter": "datum.signal"}],
            "mark": {"type": "point", "filled": True, "size": 90, "color": SIGNAL_COLOR},
            "encoding": {"y": {"field": "value", "type": "quantitative"}},
        }
    )
    return {
        "$schema": SCHEMA_URL,
        "title": {"text": report.measure.title, "subtitle": report.subject},
        "width": "container",
        "height": 300,
        "data": {"values": values},
        "encoding": {"x": x},
        "layer": layers,
    }
