"""Who may read a data view's rendering (GraphQL, PNG, SVG, Vega-Lite, CSV), and when.

- A view renders only while it can be shown at all: not SUPERSEDED, of a request that is not
  withdrawn, declined or expired.
- Before publication (a preview): the requester, network staff and data managers, and the
  view's deciders (QI leads and data managers of its centers).
- Once published (``published_at`` set, the request APPROVED and not expired): every
  signed-in member, whatever the audience; a PUBLIC view also opens through a valid link
  (``links.py``), without signing in.

What a reader sees does not depend on who they are: this decides only *whether* they see it.
Someone who may not know of the view at all is told it does not exist, exactly as for an ID
that matches nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.errors import Forbidden, NotFound
from icn_graph.models.stewardship import (
    DataRequest,
    DataRequestState,
    DataView,
    DataViewCenter,
    DataViewStatus,
)
from icn_graph.services.stewardship.access import DECIDER_ROLES, is_steward
from icn_graph.services.stewardship.states import effective_state
from icn_graph.services.viewer import Viewer

NO_SUCH_VIEW = "No data view has that ID, or it is not yours to see."


def is_published(view: DataView, request: DataRequest, today: date) -> bool:
    return (
        view.published_at is not None
        and view.status is not DataViewStatus.SUPERSEDED
        and effective_state(request, today) is DataRequestState.APPROVED
    )


def why_not_rendered(view: DataView, request: DataRequest, today: date) -> str | None:
    """Why ``view`` shows nothing to anyone on ``today``; ``None`` when it renders."""
    if view.status is DataViewStatus.SUPERSEDED:
        return "This view was replaced by a later proposal; it no longer renders."
    state = effective_state(request, today)
    if state in (DataRequestState.WITHDRAWN, DataRequestState.DECLINED):
        return f"The request was {state.value.lower()}; its views no longer render."
    if state is DataRequestState.EXPIRED:
        return f"The request expired on {request.expires_on:%Y-%m-%d}; its views no longer render."
    return None


async def view_center_ids(session: AsyncSession, view_id: int) -> list[int]:
    rows = await session.scalars(
        select(DataViewCenter.center_id).where(DataViewCenter.view_id == view_id)
    )
    return list(rows)


def may_preview(viewer: Viewer, request: DataRequest, center_ids: list[int]) -> bool:
    """The requester, stewards, and deciders of the view's centers."""
    if viewer.person_id is None:
        return False
    if viewer.person_id == request.requester_id or is_steward(viewer):
        return True
    return any(viewer.center_roles.get(center_id) in DECIDER_ROLES for center_id in center_ids)


async def require_reader(
    session: AsyncSession, viewer: Viewer, view: DataView, request: DataRequest, today: date
) -> None:
    """Raise unless ``viewer`` (signed in) may read ``view``'s rendering on ``today``:
    NOT_FOUND for someone who may not know of it, FORBIDDEN (saying why) for someone who
    may but for whom it does not render now."""
    viewer.require_member()
    reason = why_not_rendered(view, request, today)
    if reason is None and is_published(view, request, today):
        return
    if not may_preview(viewer, request, await view_center_ids(session, view.id)):
        raise NotFound(NO_SUCH_VIEW)
    if reason is not None:
        raise Forbidden(reason)
