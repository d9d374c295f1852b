"""A report as a PNG chart: what a parent would put in a slide.

Rendered from the report's Vega-Lite spec (``vega_lite.py``) with vl-convert, the Vega-Lite
compiler and renderer in a Rust library (no browser, no Node), so the slide and the web chart are
one drawing and cannot disagree. The spec carries its data inline; the renderer is allowed no URL,
so nothing a spec says can make the server fetch anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from icn_graph.lazy import lazy_module
from icn_graph.services.reports.report import Report
from icn_graph.services.reports.vega_lite import vega_lite_spec

if TYPE_CHECKING:
    import vl_convert
else:
    vl_convert = lazy_module("vl_convert")

WIDTH = 900
"""Plot width in CSS pixels; the labels, legend and title add to it."""
SCALE = 2.0
"""Pixels per CSS pixel: sharp on a projector (about 1,900 pixels wide)."""
VEGA_LITE_VERSION = "5.21"
"""The Vega-Lite the spec is written for (its ``$schema`` says v5)."""


def render_png(report: Report) -> bytes:
    """``report`` drawn as a PNG image (bytes)."""
    return vl_convert.vegalite_to_png(
        vega_lite_spec(report, width=WIDTH),
        vl_version=VEGA_LITE_VERSION,
        scale=SCALE,
        allowed_base_urls=[],
    )
