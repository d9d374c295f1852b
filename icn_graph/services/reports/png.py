"""A report as a PNG chart: what a parent would put in a slide.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global state), so charts can
render in worker threads at the same time. Months run along the x axis, percentages up the y axis;
the series is a line with points, the centre line solid grey, p-chart limits dashed, signal
months red. Suppressed months are gaps in the line, shaded, and explained in a footnote.
"""

from __future__ import annotations

import io
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from icn_graph.reports.signals import Rule
from icn_graph.services.reports.report import ChartKind, Report, highlighted_months

WIDTH_INCHES = 10.0
HEIGHT_INCHES = 5.6
DPI = 120
SERIES_COLOR = "#1f5fa8"
SIGNAL_COLOR = "#d62728"
LIMIT_COLOR = "#7f7f7f"
SUPPRESSED_SHADE = "#e6e6e6"
HALF_MONTH = 15.5  # days

_RULE_NAMES = {
    Rule.LONG_RUN: "long run",
    Rule.FEW_CROSSINGS: "too few crossings",
    Rule.OUTSIDE_LIMITS: "outside the limits",
}


def render_png(report: Report) -> bytes:
    """``report`` drawn as a PNG image (bytes)."""
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    figure.subplots_adjust(left=0.08, right=0.97, top=0.86, bottom=0.2)
    chart = "control chart (p-chart)" if report.chart is ChartKind.P_CHART else "run chart"
    figure.suptitle(f"{report.measure.title} — {report.subject}", fontsize=15, weight="bold")
    axes.set_title(f"Monthly {chart}", fontsize=10, color="#555555")

    months = [_x(point.month) for point in report.points]
    values = [_percent(point.value) for point in report.points]
    marked = highlighted_months(report)

    for point in report.points:
        if point.suppressed:
            axes.axvspan(
                _x(point.month) - HALF_MONTH,
                _x(point.month) + HALF_MONTH,
                color=SUPPRESSED_SHADE,
                linewidth=0,
                zorder=0,
            )
    if report.chart is ChartKind.P_CHART:
        # One short step per month: limits vary with each month's denominator, and a month
        # between two hidden ones still gets its own.
        limited = [p for p in report.points if p.lower_limit is not None]
        for limit, label in (("upper_limit", "Control limits"), ("lower_limit", "_nolegend_")):
            axes.hlines(
                [getattr(p, limit) * 100 for p in limited],
                [_x(p.month) - HALF_MONTH for p in limited],
                [_x(p.month) + HALF_MONTH for p in limited],
                colors=LIMIT_COLOR,
                linestyles="--",
                linewidth=1,
                label=label,
            )
    if report.center_line is not None:
        centre = "Centre line (p̄)" if report.chart is ChartKind.P_CHART else "Median"
        axes.axhline(
            report.center_line * 100,
            color="#444444",
            linewidth=1.2,
            label=f"{centre} {report.center_line:.1%}",
        )
    axes.plot(
        months,
        values,
        color=SERIES_COLOR,
        marker="o",
        markersize=4,
        linewidth=1.8,
        label=report.measure.title,
    )
    signal_points = [
        (_x(p.month), p.value * 100)
        for p in report.points
        if p.month in marked and p.value is not None
    ]
    if signal_points:
        axes.scatter(
            [month for month, _ in signal_points],
            [value for _, value in signal_points],
            s=60,
            color=SIGNAL_COLOR,
            zorder=5,
            label="Signal",
        )

    axes.set_ylim(0, 100)
    axes.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    axes.set_ylabel("Percent of patients")
    axes.xaxis_date()
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.grid(axis="y", color="#eeeeee")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if months:
        axes.set_xlim(months[0] - 20, months[-1] + 20)
        axes.legend(loc="lower right", fontsize=8, frameon=False)
    else:
        axes.text(0.5, 0.5, "No data for these months", ha="center", transform=axes.transAxes)
    figure.text(0.08, 0.03, _footnote(report), fontsize=8, color="#555555", wrap=True)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _x(month: date) -> float:
    """A month as matplotlib's date number (days)."""
    return float(date2num(month))  # type: ignore[no-untyped-call]


def _percent(value: float | None) -> float:
    return float("nan") if value is None else value * 100


def _footnote(report: Report) -> str:
    lines: list[str] = []
    signals = sorted({_RULE_NAMES[signal.rule] for signal in report.signals})
    if signals:
        lines.append("Signals (red): " + ", ".join(signals) + ".")
    if report.has_suppressed:
        lines.append(
            "Shaded gaps: months with a count from 1 to 10 are not shown outside the center."
        )
    if report.points:
        lines.append(f"{_month(report.points[0].month)} to {_month(report.points[-1].month)}.")
    return " ".join(lines)


def _month(month: date) -> str:
    return month.strftime("%b %Y")
