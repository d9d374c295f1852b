"""``publishDataView``: the accepted view of a request becomes its published artifact.

Network staff and data managers publish the request's ACCEPTED view while the request awaits
its centers or is approved (and has not expired). Publishing sets the view's ``published_at``
and ``published_by`` and the request's state to APPROVED, whether or not every center has
answered: what shows of each center is decided at every read by the consents then in force
(``showing.py``), never at publication. For a PUBLIC audience it also makes the first public
link (``links.py``) and hands back its token, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import Forbidden, InvalidInput, NotFound, UserError, UserErrorCode
from icn_graph.events import record
from icn_graph.models.stewardship import (
    DataAudience,
    DataRequest,
    DataRequestState,
    DataView,
    DataViewStatus,
)
from icn_graph.services.data_views.links import IssuedLink, add_link, check_expiry
from icn_graph.services.data_views.showing import today_at
from icn_graph.services.data_views.view_access import (
    NO_SUCH_VIEW,
    may_preview,
    view_center_ids,
)
from icn_graph.services.stewardship.access import is_steward
from icn_graph.services.stewardship.events import DataViewPublished, request_refs, view_ref
from icn_graph.services.stewardship.states import effective_state
from icn_graph.services.viewer import Viewer

PUBLISHABLE_STATES = frozenset({DataRequestState.AWAITING_CENTERS, DataRequestState.APPROVED})


@dataclass(frozen=True)
class Published:
    view: DataView
    request: DataRequest
    link: IssuedLink | None
    """The public link made with it (PUBLIC audience only); its token is shown only now."""


def _refuse(field: str, message: str, code: UserErrorCode = UserErrorCode.CONFLICT) -> None:
    raise InvalidInput([UserError(field, message, code)])


async def publish_view(
    db: Database,
    viewer: Viewer,
    view_id: int,
    link_expires_at: datetime | None = None,
    *,
    now: datetime | None = None,
) -> Published:
    """Publish the view ``view_id`` (module docstring)."""
    now = now or utcnow()
    viewer.require_member()
    async with db.transaction() as session:
        view = await session.get(DataView, view_id)
        request = (
            None
            if view is None
            else await session.get(DataRequest, view.request_id, with_for_update=True)
        )
        if view is None or request is None:
            raise NotFound(NO_SUCH_VIEW, field="id")
        if not is_steward(viewer):
            if may_preview(viewer, request, await view_center_ids(session, view.id)):
                raise Forbidden("Only network staff and network data managers publish views.")
            raise NotFound(NO_SUCH_VIEW, field="id")
        state = effective_state(request, today_at(now))
        if view.status is not DataViewStatus.ACCEPTED:
            _refuse("id", f"Only an accepted view is published; this one is {view.status.value}.")
        if view.published_at is not None:
            _refuse("id", f"This view was already published on {view.published_at:%Y-%m-%d}.")
        if state not in PUBLISHABLE_STATES:
            _refuse(
                "id",
                "A view is published while its request awaits its centers or is approved; "
                f"this request is {state.value}.",
            )
        if request.audience is not DataAudience.PUBLIC and link_expires_at is not None:
            _refuse(
                "linkExpiresAt",
                "Only views for a public audience have public links.",
                UserErrorCode.INVALID,
            )
        expiry = None
        if request.audience is DataAudience.PUBLIC:
            expiry = check_expiry(link_expires_at, request, now, field="linkExpiresAt")
        assert viewer.person_id is not None
        view.published_at = now
        view.published_by_id = viewer.person_id
        request.state = DataRequestState.APPROVED
        published = DataViewPublished(
            **request_refs(request),
            view=view_ref(view),
            version=view.version,
            audience=request.audience,
        )
        record(session, published, actor_id=viewer.person_id)
        link = None
        if expiry is not None:
            link = add_link(
                session,
                view,
                request,
                created_by_id=viewer.person_id,
                expires_at=expiry,
                now=now,
                field="id",
            )
        await session.flush()
    return Published(view, request, link)
