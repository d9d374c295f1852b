"""Data stewardship: data requests, the views proposed for them and centers' display consent."""

from __future__ import annotations

from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.schema.stewardship.queries import CenterStewardship, StewardshipQuery


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(query=StewardshipQuery, extend={"Center": CenterStewardship})
