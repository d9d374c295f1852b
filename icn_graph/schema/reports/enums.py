"""The report enums, registered once; ``schema/centers.py`` and ``schema/network.py`` use them
for their ``report`` fields before the report types exist."""

from __future__ import annotations

from icn_graph.reports.measures.registry import Direction
from icn_graph.reports.signals import Rule
from icn_graph.schema.described_enums import described_enum
from icn_graph.services.reports.report import ChartKind

MeasureDirection = described_enum(
    Direction,
    name="MeasureDirection",
    description="Whether a measure improves as it goes up (HIGHER_IS_BETTER) or down.",
    values={
        Direction.HIGHER_IS_BETTER: "Higher is better, e.g. a remission rate.",
        Direction.LOWER_IS_BETTER: "Lower is better, e.g. a rate of hospital admissions.",
    },
)
ReportChart = described_enum(
    ChartKind,
    name="ReportChart",
    description="RUN_CHART: median centre line and the Anhøj run rules. P_CHART: p̄ centre line, "
    "3-sigma limits per month (optionally Laney p'), points outside them, and the Anhøj rules "
    "around p̄.",
    values={
        ChartKind.RUN_CHART: "Median centre line and the Anhøj run rules; no limits.",
        ChartKind.P_CHART: "p̄ centre line and 3-sigma limits per month (they widen as the "
        "denominator shrinks), points outside them, and the Anhøj rules around p̄.",
    },
)
SignalRule = described_enum(
    Rule,
    name="SignalRule",
    description="LONG_RUN: a run on one side of the centre line (p̄ on a P_CHART, the median on a "
    "RUN_CHART) longer than the Anhøj limit. FEW_CROSSINGS: fewer crossings of that line than the "
    "Anhøj limit. OUTSIDE_LIMITS: a month above "
    "the upper or below the lower control limit.",
    values={
        Rule.LONG_RUN: "A run of months on one side of the centre line longer than the Anhøj "
        "limit for the number of months.",
        Rule.FEW_CROSSINGS: "Fewer crossings of the centre line than the Anhøj limit.",
        Rule.OUTSIDE_LIMITS: "A month above the upper or below the lower control limit "
        "(P_CHART only).",
    },
)

__all__ = ["ChartKind", "Direction", "MeasureDirection", "ReportChart", "Rule", "SignalRule"]
