"""The ``network`` this deployment serves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from icn_graph.schema.context import Info
from icn_graph.schema.reports.arguments import (
    BaselineArgument,
    ChartArgument,
    FromArgument,
    LaneyArgument,
    MeasureArgument,
    ToArgument,
)
from icn_graph.schema.reports.enums import ChartKind
from icn_graph.services import centers, people

if TYPE_CHECKING:
    from icn_graph.schema.reports.types import Report

ReportRef = Annotated["Report", strawberry.lazy("icn_graph.schema.reports.types")]


@strawberry.type(description="The learning network this server serves.")
class Network:
    name: str = strawberry.field(description="Public: shown to anyone.")

    @strawberry.field(description="Active centers. Members only.")
    async def center_count(self, info: Info) -> int:
        return await centers.count_active_centers(info.context.db, info.context.viewer)

    @strawberry.field(description="Parent and patient partners. Members only.")
    async def partner_count(self, info: Info) -> int:
        return await people.count_partners(info.context.db, info.context.viewer)

    @strawberry.field(
        description="A measure's network aggregate (the sum over centers per month), with "
        "run-chart or p-chart signals; counts from 1 to 10 are suppressed. Members only."
    )
    async def report(
        self,
        info: Info,
        measure: MeasureArgument,
        from_: FromArgument = None,
        to: ToArgument = None,
        chart: ChartArgument = ChartKind.P_CHART,
        baseline_months: BaselineArgument = None,
        laney: LaneyArgument = False,
    ) -> ReportRef:
        from icn_graph.schema.reports.queries import report_for

        return await report_for(info, None, measure, from_, to, chart, baseline_months, laney)
