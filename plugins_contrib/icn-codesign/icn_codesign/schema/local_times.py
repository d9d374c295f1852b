"""Times as their writers saw them: partners write "at 11:00 PM and 4:00 AM, during their time",
and the thread shows it (``ThreadMessage.writtenLocal``, ``DraftRevision.writtenLocal``), worded
as mail words it."""

from __future__ import annotations

import strawberry

from icn_codesign.clock import in_zone
from icn_codesign.schema.threads import ThreadMessage
from icn_graph.plugin_api import Info

DESCRIPTION = (
    "When it was written, on its author's clock (`Tue 7 Jan 2014, 11:12 PM EST`); null if the "
    "author is gone."
)


@strawberry.type
class MessageLocalTime:
    """Adds ``writtenLocal`` to ``ThreadMessage`` (``root``)."""

    @strawberry.field(description=DESCRIPTION)
    async def written_local(self, root: ThreadMessage, info: Info) -> str | None:
        if root.row.author_id is None:
            return None
        author = await info.context.loaders.person.load(root.row.author_id)
        return in_zone(root.created_at, author.timezone) if author else None
