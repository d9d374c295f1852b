"""A data view's rendering as files: PNG (a slide), SVG, the Vega-Lite spec as JSON, and CSV;
and where each is served.

PNG and SVG are drawn from the Vega-Lite spec (``view_charts.py``) by vl-convert, allowed no
URL, like a report's PNG. The CSV has one row per series and month (RUN_CHART, P_CHART) or one
row per placed center and one for the network's rate (FUNNEL); values the rendering withholds
are blank, and a ``withheld`` column says why.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from icn_graph.ids import to_global_id
from icn_graph.lazy import lazy_module
from icn_graph.models.stewardship import DataViewChart
from icn_graph.services.data_views.rendering import Rendering, WithheldMonth
from icn_graph.services.data_views.view_charts import PANEL_WIDTH, view_spec
from icn_graph.services.reports.png import SCALE, VEGA_LITE_VERSION, WIDTH

if TYPE_CHECKING:
    import vl_convert
else:
    vl_convert = lazy_module("vl_convert")

VIEW_PATH = "/data-views/{id}"
"""Where a view's files are served to signed-in readers, before the extension."""

SERIES_COLUMNS = (
    "series",
    "kind",
    "month",
    "numerator",
    "denominator",
    "value",
    "suppressed",
    "withheld",
    "center_line",
    "lower_limit",
    "upper_limit",
)
_CLIP_ID = re.compile(r"\bclip\d+\b")
FUNNEL_COLUMNS = (
    "center",
    "kind",
    "numerator",
    "denominator",
    "rate",
    "position",
    "months",
    "lower_998",
    "lower_95",
    "upper_95",
    "upper_998",
    "target",
)


class FileFormat(enum.StrEnum):
    PNG = "png"
    SVG = "svg"
    VEGA_LITE = "vl.json"
    CSV = "csv"

    @property
    def media_type(self) -> str:
        return {
            FileFormat.PNG: "image/png",
            FileFormat.SVG: "image/svg+xml",
            FileFormat.VEGA_LITE: "application/json",
            FileFormat.CSV: "text/csv; charset=utf-8",
        }[self]

    @property
    def channel(self) -> str:
        """The audit log's name for this way of reading."""
        return {
            FileFormat.PNG: "PNG",
            FileFormat.SVG: "SVG",
            FileFormat.VEGA_LITE: "VEGA_LITE",
            FileFormat.CSV: "CSV",
        }[self]


@dataclass(frozen=True)
class FileUrls:
    png: str
    svg: str
    vega_lite: str
    csv: str


def file_urls(base: str, path: str) -> FileUrls:
    """The four files at ``base`` + ``path`` (a path without extension)."""
    root = base.rstrip("/") + path
    return FileUrls(
        png=f"{root}.{FileFormat.PNG}",
        svg=f"{root}.{FileFormat.SVG}",
        vega_lite=f"{root}.{FileFormat.VEGA_LITE}",
        csv=f"{root}.{FileFormat.CSV}",
    )


def view_urls(base: str, view_id: int) -> FileUrls:
    return file_urls(base, VIEW_PATH.format(id=to_global_id("DataView", view_id)))


def _slide_spec(rendering: Rendering) -> dict[str, object]:
    funnel = rendering.chart is DataViewChart.FUNNEL
    return view_spec(rendering, width=WIDTH if funnel else PANEL_WIDTH)


def render_file(rendering: Rendering, file_format: FileFormat) -> bytes:
    """The rendering as ``file_format``'s bytes (PNG and SVG take a moment: run them off the
    event loop)."""
    if file_format is FileFormat.CSV:
        return rendering_csv(rendering).encode()
    if file_format is FileFormat.VEGA_LITE:
        return json.dumps(view_spec(rendering), indent=1).encode()
    spec = _slide_spec(rendering)
    if file_format is FileFormat.PNG:
        return vl_convert.vegalite_to_png(
            spec, vl_version=VEGA_LITE_VERSION, scale=SCALE, allowed_base_urls=[]
        )
    svg = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION, allowed_base_urls=[])
    return stable_clip_ids(svg).encode()


def stable_clip_ids(svg: str) -> str:
    """The renderer numbers clip paths across the process (``clip7`` in the tenth drawing);
    renumbered in order of appearance, one view gives the same SVG bytes at every read."""
    numbers: dict[str, str] = {}

    def renumber(match: re.Match[str]) -> str:
        return numbers.setdefault(match.group(0), f"clip{len(numbers) + 1}")

    return _CLIP_ID.sub(renumber, svg)


def filename(rendering: Rendering, file_format: FileFormat) -> str:
    first, last = rendering.months[0], rendering.months[-1]
    stem = f"{rendering.measure.key}-view-{rendering.view_id}-{first:%Y-%m}-to-{last:%Y-%m}"
    return f"{stem}.{file_format}"


def rendering_csv(rendering: Rendering) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if rendering.chart is DataViewChart.FUNNEL:
        writer.writerows(_funnel_rows(rendering))
    else:
        writer.writerows(_series_rows(rendering))
    return buffer.getvalue()


def _series_rows(rendering: Rendering) -> Iterable[tuple[object, ...]]:
    yield SERIES_COLUMNS
    for series in rendering.series:
        withheld: dict[date, WithheldMonth] = {w.month: w for w in series.withheld}
        for point in series.report.points:
            reason = withheld.get(point.month)
            yield (
                series.label,
                series.kind.value,
                point.month.strftime("%Y-%m"),
                _cell(point.numerator),
                _cell(point.denominator),
                _cell(point.value),
                "true" if point.suppressed else "false",
                "" if reason is None else reason.reason.value,
                _cell(point.center_line),
                _cell(point.lower_limit),
                _cell(point.upper_limit),
            )


def _funnel_rows(rendering: Rendering) -> Iterable[tuple[object, ...]]:
    yield FUNNEL_COLUMNS
    part = rendering.funnel
    assert part is not None
    target = _cell(part.target)
    if part.target is not None:
        yield (
            "Network",
            "NETWORK",
            part.target_numerator,
            part.target_denominator,
            target,
            "",
            "",
            "",
            "",
            "",
            "",
            target,
        )
    for entry in part.entries:
        point, limits = entry.point, entry.point.limits
        yield (
            entry.label,
            entry.kind.value,
            point.numerator,
            point.denominator,
            _cell(point.rate),
            point.position.value,
            entry.months,
            _cell(limits.lower_998),
            _cell(limits.lower_95),
            _cell(limits.upper_95),
            _cell(limits.upper_998),
            target,
        )


def _cell(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.6g}"
