"""``viewer`` on a mutation's payload: the signed-in person's Viewer as it is after the change,
so a client cache refreshes what it keeps under it (lists, counts, pending email) from the
answer alone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from icn_graph.schema.context import Info

if TYPE_CHECKING:
    from icn_graph.schema.viewer import ViewerHome

ViewerRef = Annotated["ViewerHome", strawberry.lazy("icn_graph.schema.viewer")]


def payload_viewer(info: Info) -> ViewerHome:
    from icn_graph.schema.viewer import ViewerHome  # here: viewer imports the payloads' modules

    return ViewerHome(person_pk=info.context.viewer.require_member())
