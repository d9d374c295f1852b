"""Reading invitations: a center's, newest first, a page per center in one query for many
centers; and invitations by id, as far as the viewer may see them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models import Invitation
from icn_graph.services.goals.windows import PageRequest, pages_by_parent
from icn_graph.services.invitations.access import may_invite, may_see
from icn_graph.services.invitations.states import InvitationState, in_state
from icn_graph.services.lookup import rows_by_id
from icn_graph.services.pagination import Page, SortKey, aware_datetime
from icn_graph.services.viewer import Viewer

NEWEST_FIRST = SortKey(
    "created_at", Invitation.created_at, Invitation.id, lambda row: row.created_at, True
)


@dataclass(frozen=True)
class CenterInvitationsRequest:
    """One center's page of invitations, newest first, optionally in one state."""

    center_id: int
    state: InvitationState | None = None
    first: int | None = None
    after: str | None = None


async def center_invitation_pages(
    db: Database, viewer: Viewer, requests: Sequence[CenterInvitationsRequest], *, now: datetime
) -> list[Page[Invitation] | None]:
    """Each request's page, in order; None for a center the viewer may not invite to."""
    pages: dict[int, Page[Invitation]] = {}
    by_state: dict[InvitationState | None, list[int]] = {}
    for index, request in enumerate(requests):
        if may_invite(viewer, request.center_id):
            by_state.setdefault(request.state, []).append(index)
    for state, indexes in by_state.items():
        statement = select(Invitation)
        if state is not None:
            statement = statement.where(in_state(state, now))
        batch = [
            PageRequest(requests[i].center_id, requests[i].first, requests[i].after)
            for i in indexes
        ]
        found = await pages_by_parent(
            db,
            Invitation,
            statement,
            Invitation.center_id,
            NEWEST_FIRST,
            batch,
            parse_value=aware_datetime,
        )
        pages.update(zip(indexes, found, strict=True))
    return [pages.get(index) for index in range(len(requests))]


async def visible_invitations(
    db: Database, viewer: Viewer, ids: Sequence[int]
) -> list[Invitation | None]:
    """One row (or None: unknown, or not the viewer's to see) per id, in order."""
    found = await rows_by_id(db, Invitation, ids)
    rows = [found.get(pk) for pk in ids]
    return [row if row is not None and may_see(viewer, row) else None for row in rows]
