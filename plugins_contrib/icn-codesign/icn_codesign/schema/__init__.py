"""GraphQL for co-design threads: types, root fields, mutations, core type extensions and the
``threadActivity`` subscription."""

from __future__ import annotations

from icn_graph.plugin_api import SchemaContribution


def contribution() -> SchemaContribution:
    from icn_codesign.schema.activity import ThreadSubscription
    from icn_codesign.schema.extensions import EXTENSIONS
    from icn_codesign.schema.root import ThreadMutation, ThreadQuery

    return SchemaContribution(
        query=ThreadQuery,
        mutation=ThreadMutation,
        subscription=ThreadSubscription,
        extend=EXTENSIONS,
    )
