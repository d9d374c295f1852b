"""Measure and Report types: monthly points, centre line, limits and signals, Vega-Lite."""

from __future__ import annotations

from datetime import date
from typing import cast

import strawberry
from strawberry.scalars import JSON

from icn_graph.reports.measures.registry import Measure as MeasureDefinition
from icn_graph.schema.centers import Center
from icn_graph.schema.reports.enums import ChartKind, Direction, Rule
from icn_graph.services.reports.report import Report as ReportData
from icn_graph.services.reports.report import ReportPoint, ReportSignal
from icn_graph.services.reports.vega_lite import vega_lite_spec


@strawberry.type(description="An outcome or process measure computed monthly from registry visits.")
class Measure:
    key: str = strawberry.field(description="e.g. remission_rate; pass it to `report`.")
    title: str = strawberry.field(description='e.g. "Remission rate".')
    definition: str = strawberry.field(description="What is counted, in plain words.")
    unit: str = strawberry.field(description="How its values read, e.g. %.")
    direction: Direction = strawberry.field(description="Which way is better.")
    family: str | None = strawberry.field(
        description="The measures sharing this one's denominator; their months are suppressed "
        "together. Null: a family of its own."
    )
    nested_in: str | None = strawberry.field(
        description="The key of the measure whose numerator contains this one's (steroid-free "
        "remission is nested in remission_rate)."
    )

    @classmethod
    def from_definition(cls, measure: MeasureDefinition) -> Measure:
        return cls(
            key=measure.key,
            title=measure.title,
            definition=measure.definition,
            unit=measure.unit,
            direction=measure.direction,
            family=measure.family,
            nested_in=measure.nested_in,
        )


@strawberry.type(
    name="ReportPoint",
    description="One month. Outside the owning center a month is suppressed (counts, value and "
    "limits null) where the published table hides it: a count from 1 to 10, a difference from "
    "1 to 10 with a measure of its family, or to protect another center's suppressed month.",
)
class ReportPointType:
    month: date = strawberry.field(description="The first day of the month.")
    numerator: int | None = strawberry.field(
        description="What the measure counts that month; null when suppressed."
    )
    denominator: int | None = strawberry.field(description="0 for a month without data.")
    value: float | None = strawberry.field(
        description="numerator / denominator, 0-1; null when suppressed or without data."
    )
    suppressed: bool = strawberry.field(
        description="Whether this month is hidden from you (see the type's description)."
    )
    center_line: float | None = strawberry.field(
        description="The report's centre line, repeated on each month (suppressed ones too, as "
        "it does not depend on them) for charting; null when there is none."
    )
    lower_limit: float | None = strawberry.field(description="P_CHART only; null when hidden.")
    upper_limit: float | None = strawberry.field(description="P_CHART only; null when hidden.")

    @classmethod
    def from_point(cls, point: ReportPoint) -> ReportPointType:
        return cls(
            month=point.month,
            numerator=point.numerator,
            denominator=point.denominator,
            value=point.value,
            suppressed=point.suppressed,
            center_line=point.center_line,
            lower_limit=point.lower_limit,
            upper_limit=point.upper_limit,
        )


@strawberry.type(
    name="ReportSignal",
    description="A signal of special-cause variation and the months it covers. Computed on the "
    "months the reader sees: suppressed months take no part.",
)
class ReportSignalType:
    rule: Rule = strawberry.field(description="Which rule fired.")
    start_month: date = strawberry.field(description="The first month it covers (the 1st).")
    end_month: date = strawberry.field(
        description="The last month it covers (the 1st); the start month for a single point."
    )
    description: str = strawberry.field(
        description='In words, e.g. "Run of 9 points above the median (longer than the limit of '
        '8 for 20 useful points)".'
    )

    @classmethod
    def from_signal(cls, signal: ReportSignal) -> ReportSignalType:
        return cls(
            rule=signal.rule,
            start_month=signal.start_month,
            end_month=signal.end_month,
            description=signal.description,
        )


@strawberry.type(description="A measure's monthly series for a center or the network, with SPC.")
class Report:
    measure: Measure = strawberry.field(description="The measure charted.")
    center: Center | None = strawberry.field(description="Null for the network aggregate.")
    chart: ChartKind = strawberry.field(description="The chart asked for.")
    points: list[ReportPointType] = strawberry.field(
        description="One per month of the period, oldest first, months without data included."
    )
    center_line: float | None = strawberry.field(
        description="p̄ (P_CHART) or the median (RUN_CHART) of the months the reader sees "
        "(suppressed months take no part); null without such data."
    )
    signals: list[ReportSignalType] = strawberry.field(
        description="Signals of special-cause variation, in month order; empty if none."
    )
    data: strawberry.Private[ReportData]

    @classmethod
    def from_report(cls, report: ReportData) -> Report:
        return cls(
            measure=Measure.from_definition(report.measure),
            center=Center.from_model(report.center) if report.center is not None else None,
            chart=report.chart,
            points=[ReportPointType.from_point(point) for point in report.points],
            center_line=report.center_line,
            signals=[ReportSignalType.from_signal(signal) for signal in report.signals],
            data=report,
        )

    @strawberry.field(description="The chart as a Vega-Lite v5 specification.")
    def vega_lite(self) -> JSON:
        return cast("JSON", vega_lite_spec(self.data))
