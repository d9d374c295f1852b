"""A report as a Vega-Lite v5 specification (JSON): the web chart, and the PNG slide (``png.py``
renders this same spec), so the two never disagree.

One layered chart over the report's months, on a UTC time scale (month strings are UTC dates; a
local-time scale would put January 2014 in December 2013 west of Greenwich):

- months a reader may not see are shaded, and named in the legend;
- p-chart limits as a step per month (each month its own, from its denominator; a month between
  two hidden ones still gets one), dashed, named in the legend;
- the centre line as one rule across the chart, labelled at the right ("Average 70.9%" for a
  p-chart's p̄, "Median 62.5%" for a run chart);
- the series as a line with gaps at hidden months and months without data, and a point per month
  coloured by what it is part of: outside the limits (special cause), a long run on one side of
  the centre line (a shift or trend, inside the limits), or neither. Too few crossings concerns
  the whole series and is said in the subtitle, not painted on points;
- one y-axis title, the legend below the chart, never over the data.

Values are proportions, shown as percentages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from icn_graph.reports.signals import Rule
from icn_graph.services.reports.report import ChartKind, Report, add_months

SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v5.json"
SERIES_COLOR = "#1f5fa8"
OUTSIDE_COLOR = "#d62728"
RUN_COLOR = "#f28e2b"
LIMIT_COLOR = "#7f7f7f"
CENTRE_COLOR = "#333333"
HIDDEN_SHADE = "#e9e9e9"
HEIGHT = 320

OUTSIDE = "Outside the limits (special cause)"
IN_RUN = "In a long run on one side (shift)"
NO_SIGNAL = "No signal"
HIDDEN = "Not shown: would reveal a count from 1 to 10"
LIMITS = "Control limits (3 sigma)"
Y_TITLE = "Percent of patients"

_X_TITLE = "Month"
_TIME_UNIT = "utcyearmonth"
_ONE_ROW: dict[str, Any] = {"values": [{}]}
# Tooltips and screen-reader text name the month from monthLabel, formatted here: Vega-Lite 5
# formats a UTC time unit in local time there, so Los Angeles would read January as December.
_ABOUT_POINT = (
    "datum.monthLabel + ': ' + format(datum.value, '.1%') + ' (' + datum.numerator + ' of '"
    " + datum.denominator + '), ' + datum.kind"
)
"""Data for a mark drawn once (a rule or label at a fixed height), not once per month."""


def vega_lite_spec(report: Report, width: int | None = None) -> dict[str, Any]:
    """The Vega-Lite v5 spec of ``report``: a plain JSON-serializable dict.

    ``width`` in pixels; ``None`` fills the container (the web). The PNG passes a fixed width.
    """
    kinds = point_kinds(report)
    values = [
        {
            "month": point.month.strftime("%Y-%m"),
            "monthLabel": point.month.strftime("%b %Y"),
            "monthEnd": add_months(point.month, 1).strftime("%Y-%m"),
            "value": point.value,
            "numerator": point.numerator,
            "denominator": point.denominator,
            "suppressed": point.suppressed,
            "centerLine": point.center_line,
            "lowerLimit": point.lower_limit,
            "upperLimit": point.upper_limit,
            "signal": kinds.get(point.month, NO_SIGNAL) != NO_SIGNAL,
            "kind": kinds.get(point.month),
        }
        for point in report.points
    ]
    layers: list[dict[str, Any]] = []
    if report.has_suppressed:
        layers.append(_hidden_layer())
    if report.chart is ChartKind.P_CHART:
        layers.extend(_limit_layers())
    if report.center_line is not None:
        layers.extend(_centre_layers(report))
    layers.append(_series_layer())
    layers.append(_points_layer(report, kinds))
    return {
        "$schema": SCHEMA_URL,
        "title": {
            "text": report.measure.title,
            "subtitle": subtitle(report),
            "anchor": "start",
            "fontSize": 18,
            "subtitleFontSize": 12,
            "subtitleColor": "#555555",
        },
        "width": "container" if width is None else width,
        "height": HEIGHT,
        "data": {"values": values},
        "layer": layers,
        "resolve": {"scale": {"color": "independent", "fill": "independent"}},
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


def point_kinds(report: Report) -> dict[date, str]:
    """What each shown month's point is part of: ``OUTSIDE``, ``IN_RUN`` or ``NO_SIGNAL``.

    Outside the limits wins over a long run: on a trending series most points are both, and the
    point beyond the limits is the stronger evidence. Too few crossings marks no point.
    """
    outside: set[date] = set()
    in_run: set[date] = set()
    for signal in report.signals:
        target = {Rule.OUTSIDE_LIMITS: outside, Rule.LONG_RUN: in_run}.get(signal.rule)
        if target is not None:
            target.update(
                point.month
                for point in report.points
                if signal.start_month <= point.month <= signal.end_month
            )
    return {
        point.month: OUTSIDE
        if point.month in outside
        else IN_RUN
        if point.month in in_run
        else NO_SIGNAL
        for point in report.points
        if point.value is not None
    }


def subtitle(report: Report) -> list[str]:
    """Whose series, which chart and months, and what no point shows: too few crossings (the
    whole series), or that there is nothing to draw."""
    chart = "p-chart, 3-sigma limits" if report.chart is ChartKind.P_CHART else "run chart"
    line = f"{report.subject} · monthly {chart}"
    if report.points:
        first, last = report.points[0].month, report.points[-1].month
        line += f" · {first:%b %Y} to {last:%b %Y}"
    lines = [line]
    if not any(point.value is not None for point in report.points):
        lines.append("No data to show for these months.")
    crossings = [s for s in report.signals if s.rule is Rule.FEW_CROSSINGS]
    if crossings:
        lines.append(
            "Too few crossings of the centre line: the months are not varying at random around it."
        )
    return lines


def _x(**extra: Any) -> dict[str, Any]:
    return {
        "field": "month",
        "type": "temporal",
        "timeUnit": _TIME_UNIT,
        "title": _X_TITLE,
        "axis": {"labelAngle": 0},
        **extra,
    }


def _month_span() -> dict[str, Any]:
    """x and x2 covering a whole month, for shading and limit steps."""
    return {
        "x": {**_x(), "bandPosition": 0},
        "x2": {"field": "monthEnd", "timeUnit": _TIME_UNIT},
    }


def _y(field: str) -> dict[str, Any]:
    """A y channel on the shared percent scale; its title is the chart's one y-axis title."""
    return {
        "field": field,
        "type": "quantitative",
        "title": Y_TITLE,
        "scale": {"domain": [0, 1]},
        "axis": {"format": ".0%", "tickCount": 5},
    }


def _hidden_layer() -> dict[str, Any]:
    return {
        "transform": [{"filter": "datum.suppressed"}, {"calculate": f"'{HIDDEN}'", "as": "note"}],
        "mark": {"type": "rect", "opacity": 1, "aria": False},
        "encoding": {
            **_month_span(),
            "fill": {
                "field": "note",
                "type": "nominal",
                "title": None,
                "scale": {"domain": [HIDDEN], "range": [HIDDEN_SHADE]},
            },
        },
    }


def _limit_layers() -> list[dict[str, Any]]:
    # The limits' legend entry comes from a one-value strokeDash scale: Vega-Lite draws legends
    # only for encoded channels, and a label at the line's end would sit on p̄'s when they are close.
    return [
        {
            "transform": [
                {"filter": f"isValid(datum.{field})"},
                {"calculate": f"'{LIMITS}'", "as": "limits"},
            ],
            "mark": {"type": "rule", "color": LIMIT_COLOR, "aria": False},
            "encoding": {
                **_month_span(),
                "y": _y(field),
                "strokeDash": {
                    "field": "limits",
                    "type": "nominal",
                    "title": None,
                    "scale": {"domain": [LIMITS], "range": [[4, 3]]},
                },
            },
        }
        for field in ("upperLimit", "lowerLimit")
    ]


def _centre_layers(report: Report) -> list[dict[str, Any]]:
    centre = report.center_line
    assert centre is not None
    # p̄ is the average of the months; "Average" reads on a parent's slide, and the combining
    # macron of "p̄" renders detached in common fonts.
    name = "Average" if report.chart is ChartKind.P_CHART else "Median"
    return [
        {
            "data": _ONE_ROW,
            "mark": {"type": "rule", "color": CENTRE_COLOR, "strokeWidth": 1.2},
            "encoding": {"y": {"datum": centre, "type": "quantitative"}},
        },
        _right_label(f"{name} {centre:.1%}", centre, CENTRE_COLOR),
    ]


def _right_label(text: str, value: float | None, color: str) -> dict[str, Any]:
    """``text`` just right of the plot at height ``value``: lines labelled where they end."""
    return {
        "data": _ONE_ROW,
        "mark": {
            "type": "text",
            "text": text,
            "align": "left",
            "baseline": "middle",
            "dx": 4,
            "fontSize": 11,
            "color": color,
        },
        "encoding": {
            "x": {"value": "width"},
            "y": {"datum": value, "type": "quantitative"},
        },
    }


def _series_layer() -> dict[str, Any]:
    return {
        "mark": {"type": "line", "color": SERIES_COLOR, "strokeWidth": 1.6, "aria": False},
        "encoding": {"x": _x(bandPosition=0.5), "y": _y("value")},
    }


def _points_layer(report: Report, kinds: dict[date, str]) -> dict[str, Any]:
    shown = [kind for kind in (OUTSIDE, IN_RUN, NO_SIGNAL) if kind in kinds.values()]
    colors = {OUTSIDE: OUTSIDE_COLOR, IN_RUN: RUN_COLOR, NO_SIGNAL: SERIES_COLOR}
    return {
        "transform": [
            {"filter": "isValid(datum.value)"},
            {"calculate": _ABOUT_POINT, "as": "about"},
        ],
        "mark": {"type": "point", "filled": True, "size": 36, "opacity": 1},
        "encoding": {
            "x": _x(bandPosition=0.5),
            "y": _y("value"),
            "color": {
                "field": "kind",
                "type": "nominal",
                "title": None,
                "scale": {"domain": shown, "range": [colors[kind] for kind in shown]},
                "sort": shown,
            },
            "description": {"field": "about"},
            "tooltip": [
                {"field": "monthLabel", "type": "nominal", "title": "Month"},
                {"field": "value", "type": "quantitative", "format": ".1%", "title": "Percent"},
                {"field": "numerator", "type": "quantitative", "title": "Numerator"},
                {"field": "denominator", "type": "quantitative", "title": "Denominator"},
                {"field": "kind", "type": "nominal", "title": "Signal"},
            ],
        },
    }
