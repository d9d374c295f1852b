"""``dataRequests`` and the fields stewardship adds to ``Center``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from icn_graph import models
from icn_graph.schema.centers import Center
from icn_graph.schema.connections import Connection, connection_from_page
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import AfterArgument, FirstArgument
from icn_graph.schema.relay import expect_global_id
from icn_graph.schema.stewardship import loaders
from icn_graph.schema.stewardship.types import DataRequest, StandingConsent
from icn_graph.services.stewardship import access, queries
from icn_graph.services.stewardship.access import Parties


async def resolve_data_requests(
    info: Info,
    state: Annotated[
        models.DataRequestState | None,
        strawberry.argument(description="Only requests in this state (as read today)."),
    ] = None,
    requester_id: Annotated[
        strawberry.ID | None, strawberry.argument(description="Only this person's requests.")
    ] = None,
    center_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(
            description="Only requests naming this center (asked about, or in any view)."
        ),
    ] = None,
    first: FirstArgument = 20,
    after: AfterArgument = None,
) -> Connection[DataRequest]:
    viewer = info.context.viewer
    viewer.require_member()
    filter = queries.RequestFilter(
        state=state,
        requester_id=(
            expect_global_id(requester_id, "Person", field="requesterId")
            if requester_id is not None
            else None
        ),
        center_id=(
            expect_global_id(center_id, "Center", field="centerId")
            if center_id is not None
            else None
        ),
    )
    page = await queries.list_requests(info.context.db, viewer, filter, first=first, after=after)
    found = await loaders.parties(info).load_many([row.id for _cursor, row in page.items])
    parties = {row.id: p for (_cursor, row), p in zip(page.items, found, strict=True) if p}

    def node(row: models.DataRequest) -> DataRequest:
        return DataRequest.of(row, parties.get(row.id) or Parties(row.requester_id, frozenset()))

    return connection_from_page(page, node)


@strawberry.type
class StewardshipQuery:
    data_requests: Connection[DataRequest] = strawberry.field(
        resolver=resolve_data_requests,
        description="Data requests you may see, newest first (`first` at most 100): yours, "
        "those naming a center you decide for, or all for network staff and data managers. "
        "`state` EXPIRED finds those past their expiry date; `centerId` those naming the center "
        "(asked about or in a view). Members only.",
    )


@strawberry.type
class CenterStewardship:
    """Fields stewardship adds to ``Center``."""

    @strawberry.field(
        description="The center's standing preference for display consent (the latest, in "
        "force or not). Its own team, network staff and data managers; null for others."
    )
    async def standing_consent(self, root: Center, info: Info) -> StandingConsent | None:
        viewer = info.context.viewer
        if not (access.is_steward(viewer) or root.pk in viewer.center_ids):
            return None
        row = await loaders.latest_standing(info).load(root.pk)
        return StandingConsent.from_model(row) if row else None

    @strawberry.field(
        description="Whether you may set the center's standing preference: its QI leads and "
        "data managers."
    )
    def viewer_can_set_standing_consent(self, root: Center, info: Info) -> bool:
        return access.may_decide_for(info.context.viewer, root.pk)
