"""Reading data requests: the ``dataRequests`` listing and the batched reads behind its fields.

The listing applies the visibility rule in SQL (``access.visible_clause``); the batched reads
serve loaders of objects the caller has already checked the viewer may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from icn_graph.db.database import Database
from icn_graph.models import (
    DataRequest,
    DataRequestCenter,
    DataRequestComment,
    DataRequestState,
    DataView,
    DataViewCenter,
    DisplayConsent,
    StandingConsent,
)
from icn_graph.services.lookup import grouped, rows_by_parent
from icn_graph.services.pagination import Page, SortKey, aware_datetime, paginate
from icn_graph.services.stewardship import access
from icn_graph.services.stewardship.states import in_state_clause, today
from icn_graph.services.viewer import Viewer

NEWEST_FIRST = SortKey(
    "createdAt", DataRequest.created_at, DataRequest.id, lambda r: r.created_at, descending=True
)


@dataclass(frozen=True)
class RequestFilter:
    state: DataRequestState | None = None
    requester_id: int | None = None
    center_id: int | None = None


async def list_requests(
    db: Database,
    viewer: Viewer,
    filter: RequestFilter,
    *,
    first: int | None,
    after: str | None,
) -> Page[DataRequest]:
    """The requests ``viewer`` may see that match ``filter``, newest first."""
    viewer.require_member()
    statement = select(DataRequest).where(access.visible_clause(viewer))
    if filter.state is not None:
        statement = statement.where(in_state_clause(filter.state, today()))
    if filter.requester_id is not None:
        statement = statement.where(DataRequest.requester_id == filter.requester_id)
    if filter.center_id is not None:
        statement = statement.where(access.names_any_center_clause([filter.center_id]))
    return await paginate(
        db, statement, NEWEST_FIRST, first=first, after=after, parse_value=aware_datetime
    )


async def parties(db: Database, request_ids: Sequence[int]) -> list[access.Parties | None]:
    async with db.session() as session:
        found = await access.parties_of(session, request_ids)
    return [found.get(pk) for pk in request_ids]


async def views_of_requests(db: Database, request_ids: Sequence[int]) -> list[list[DataView]]:
    """Each request's views, oldest version first."""
    return await rows_by_parent(db, DataView, DataView.request_id, request_ids, DataView.version)


async def centers_of_views(db: Database, view_ids: Sequence[int]) -> list[list[DataViewCenter]]:
    """Each view's centers, in letter order ("A", "B", …, "Z", "AA")."""
    return await rows_by_parent(
        db,
        DataViewCenter,
        DataViewCenter.view_id,
        view_ids,
        func.length(DataViewCenter.letter),
        DataViewCenter.letter,
    )


async def centers_of_requests(db: Database, request_ids: Sequence[int]) -> list[list[int]]:
    """The centers each request asks about (empty for the whole network)."""
    async with db.session() as session:
        rows = await session.execute(
            select(DataRequestCenter.request_id, DataRequestCenter.center_id)
            .where(DataRequestCenter.request_id.in_(sorted(set(request_ids))))
            .order_by(DataRequestCenter.center_id)
        )
        return grouped(((r, c) for r, c in rows.all()), request_ids)


async def consents_of_views(db: Database, view_ids: Sequence[int]) -> list[list[DisplayConsent]]:
    """Every decision about each view, oldest first (the latest of a center is its answer)."""
    return await rows_by_parent(
        db, DisplayConsent, DisplayConsent.view_id, view_ids, DisplayConsent.id
    )


def latest_by_center(rows: Sequence[DisplayConsent]) -> dict[int, DisplayConsent]:
    """Of one view's decisions (oldest first), each center's latest."""
    latest: dict[int, DisplayConsent] = {}
    for row in rows:
        latest[row.center_id] = row
    return latest


async def latest_standing(db: Database, center_ids: Sequence[int]) -> list[StandingConsent | None]:
    """Each center's latest standing preference (in force or not)."""
    wanted = sorted(set(center_ids))
    found: dict[int, StandingConsent] = {}
    if wanted:
        newest = (
            select(func.max(StandingConsent.id))
            .where(StandingConsent.center_id.in_(wanted))
            .group_by(StandingConsent.center_id)
        )
        async with db.session() as session:
            for row in await session.scalars(
                select(StandingConsent).where(StandingConsent.id.in_(newest))
            ):
                found[row.center_id] = row
    return [found.get(center_id) for center_id in center_ids]


async def comments_of_requests(
    db: Database, request_ids: Sequence[int]
) -> list[list[DataRequestComment]]:
    return await rows_by_parent(
        db,
        DataRequestComment,
        DataRequestComment.request_id,
        request_ids,
        DataRequestComment.created_at,
        DataRequestComment.id,
    )
