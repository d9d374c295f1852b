"""Outcome reports: core's measures, the report API, chart and CSV downloads, demo visits, and
the audit log of identified reads (``identifiedReads``, ``Center.identifiedReads``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import BaseRoute, Route

from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.reports.measures import Measure
from icn_graph.reports.measures.builtin import BUILTIN_MEASURES
from icn_graph.schema.root import CenterIdentifiedReads, ReportMutations, ReportsQuery
from icn_graph.web import reports

if TYPE_CHECKING:
    from icn_graph.demo.context import DemoContext


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(
        query=ReportsQuery, mutation=ReportMutations, extend={"Center": CenterIdentifiedReads}
    )


@hookimpl
def register_routes() -> Sequence[BaseRoute]:
    return [Route(reports.PATH, reports.report_file, methods=reports.METHODS)]


@hookimpl
def register_measures() -> Sequence[Measure]:
    return BUILTIN_MEASURES


@hookimpl
async def load_demo_data(session: AsyncSession, context: DemoContext) -> None:
    from icn_graph.demo.visits import contribute

    await contribute(session, context)
