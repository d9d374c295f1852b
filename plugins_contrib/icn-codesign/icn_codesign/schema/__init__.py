"""GraphQL for co-design threads: types, root fields, mutations, core type extensions and the
``threadActivity`` subscription; drafts and decisions add their own root fields and extend
``Thread``."""

from __future__ import annotations

from icn_graph.plugin_api import SchemaContribution


def contribution() -> SchemaContribution:
    import strawberry

    from icn_codesign.schema.activity import ThreadSubscription
    from icn_codesign.schema.draft_root import DraftMutation, DraftQuery
    from icn_codesign.schema.drafts import ThreadDrafts
    from icn_codesign.schema.extensions import EXTENSIONS
    from icn_codesign.schema.local_times import MessageLocalTime
    from icn_codesign.schema.root import ThreadMutation, ThreadQuery

    @strawberry.type
    class CodesignQuery(ThreadQuery, DraftQuery):
        pass

    @strawberry.type
    class CodesignMutation(ThreadMutation, DraftMutation):
        pass

    return SchemaContribution(
        query=CodesignQuery,
        mutation=CodesignMutation,
        subscription=ThreadSubscription,
        extend={**EXTENSIONS, "Thread": ThreadDrafts, "ThreadMessage": MessageLocalTime},
    )
