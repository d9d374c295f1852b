"""``measures`` and ``report``; ``Center.report`` and ``Network.report`` share ``report_for``.

Every report of one request is read through one loader, so a page of centers' reports is read
in one transaction and its identified reads are audited together (one audit read per measure).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from icn_graph.db.database import Database
from icn_graph.errors import ServiceError
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.schema.context import Info
from icn_graph.schema.relay import expect_global_id
from icn_graph.schema.reports.arguments import (
    BaselineArgument,
    ChartArgument,
    FromArgument,
    LaneyArgument,
    MeasureArgument,
    ToArgument,
)
from icn_graph.schema.reports.types import Measure, Report
from icn_graph.services.reports.report import ChartKind, ReportQuery, build_reports
from icn_graph.services.reports.report import Report as ReportData
from icn_graph.services.stewardship.read_audit import ReadChannel, ReadSubject


def measure_registry(info: Info) -> MeasureRegistry:
    """The app's registry (loaded at start-up); a bare context loads its plugins' own."""
    if info.context.measures is not None:
        return info.context.measures
    plugins = info.context.plugins
    return MeasureRegistry.load(plugins) if plugins is not None else core_registry()


def resolve_measures(info: Info) -> list[Measure]:
    return [Measure.from_definition(measure) for measure in measure_registry(info).all()]


async def report_for(
    info: Info,
    center_id: int | None,
    measure: str,
    from_: date | None,
    to: date | None,
    chart: ChartKind,
    baseline_months: int | None,
    laney: bool,
) -> Report:
    query = ReportQuery(
        measure_key=measure,
        center_id=center_id,
        start=from_,
        end=to,
        chart=chart,
        baseline_months=baseline_months,
        laney=laney,
    )
    report = await _reports(info).load(query)
    return Report.from_report(report)


def _reports(info: Info) -> DataLoader[ReportQuery, ReportData]:
    """This request's reports, read together (see the module docstring)."""
    viewer, registry = info.context.viewer, measure_registry(info)

    async def batch(db: Database, queries: list[ReportQuery]) -> list[ReportData | ServiceError]:
        return await build_reports(
            db,
            viewer,
            registry,
            queries,
            channel=ReadChannel.GRAPHQL,
            subject=ReadSubject.REPORT,
        )

    # A refused report is an exception in the batch's result: ``load`` raises it.
    loader: DataLoader[ReportQuery, ReportData] = info.context.loaders.get(
        "reports.report",
        batch,  # type: ignore[arg-type]
    )
    return loader


async def resolve_report(
    info: Info,
    measure: MeasureArgument,
    center_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(description="A center's ID; leave out for the network aggregate."),
    ] = None,
    from_: FromArgument = None,
    to: ToArgument = None,
    chart: ChartArgument = ChartKind.P_CHART,
    baseline_months: BaselineArgument = None,
    laney: LaneyArgument = False,
) -> Report:
    pk = None if center_id is None else expect_global_id(center_id, "Center", field="centerId")
    return await report_for(info, pk, measure, from_, to, chart, baseline_months, laney)
