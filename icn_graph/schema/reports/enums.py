"""The report enums, registered once; ``schema/centers.py`` and ``schema/network.py`` use them
for their ``report`` fields before the report types exist."""

from __future__ import annotations

import strawberry

from icn_graph.reports.measures.registry import Direction
from icn_graph.reports.signals import Rule
from icn_graph.services.reports.report import ChartKind

MeasureDirection = strawberry.enum(
    Direction,
    name="MeasureDirection",
    description="Whether a measure improves as it goes up (HIGHER_IS_BETTER) or down.",
)
ReportChart = strawberry.enum(
    ChartKind,
    name="ReportChart",
    description="RUN_CHART: median centre line and the Anhøj run rules. P_CHART: p̄ centre line, "
    "3-sigma limits per month (optionally Laney p'), points outside them, and the Anhøj rules "
    "around p̄.",
)
SignalRule = strawberry.enum(
    Rule,
    name="SignalRule",
    description="LONG_RUN: a run on one side of the centre line (p̄ on a P_CHART, the median on a "
    "RUN_CHART) longer than the Anhøj limit. FEW_CROSSINGS: fewer crossings of that line than the "
    "Anhøj limit. OUTSIDE_LIMITS: a month above "
    "the upper or below the lower control limit.",
)

__all__ = ["ChartKind", "Direction", "MeasureDirection", "ReportChart", "Rule", "SignalRule"]
