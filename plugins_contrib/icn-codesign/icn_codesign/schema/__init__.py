"""GraphQL for co-design threads: types, root fields, mutations, core type extensions and the
``threadActivity`` subscription."""

from __future__ import annotations

from icn_graph.plugin_api import SchemaContribution


def contribution() -> SchemaContribution:
    from icn_codesign.schema.threads import Thread

    return SchemaContribution(types=[Thread])
