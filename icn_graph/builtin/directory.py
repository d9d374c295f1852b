"""The directory: centers, people, memberships, the viewer, global ids, the plugins list."""

from __future__ import annotations

from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.schema.root import DirectoryMutation, DirectoryQuery


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(query=DirectoryQuery, mutation=DirectoryMutation)
