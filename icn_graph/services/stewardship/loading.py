"""Fetching what a stewardship write works on: locked, checked against the viewer, and refused as
a ``userError`` naming the input field when missing or in the wrong state.

Writers lock the request first (then work on its views and consents), so concurrent steps on
one request run one after another on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.errors import InvalidInput, UserError, UserErrorCode
from icn_graph.models import (
    Center,
    CenterRole,
    DataRequest,
    DataRequestState,
    DataView,
    DataViewCenter,
    Membership,
)
from icn_graph.services.stewardship import access
from icn_graph.services.stewardship.states import describe_state, effective_state
from icn_graph.services.viewer import Viewer


def refuse(field: str, message: str, code: UserErrorCode = UserErrorCode.INVALID) -> InvalidInput:
    return InvalidInput([UserError(field, message, code)])


@dataclass(frozen=True)
class Loaded:
    request: DataRequest
    parties: access.Parties

    @property
    def state(self) -> DataRequestState:
        return effective_state(self.request)


async def request_for_update(
    session: AsyncSession, viewer: Viewer, request_id: int, *, field: str
) -> Loaded:
    """The request, locked, if ``viewer`` may see it; else NOT_FOUND on ``field``."""
    request = await session.get(DataRequest, request_id, with_for_update=True)
    parties = (await access.parties_of(session, [request_id])).get(request_id)
    if request is None or parties is None or not access.may_see(viewer, parties):
        raise refuse(field, access.REQUEST_NOT_FOUND, UserErrorCode.NOT_FOUND)
    return Loaded(request, parties)


async def view_for_update(
    session: AsyncSession, viewer: Viewer, view_id: int, *, field: str
) -> tuple[Loaded, DataView]:
    """The view and its request (locked first) if ``viewer`` may see the request."""
    request_id = await session.scalar(select(DataView.request_id).where(DataView.id == view_id))
    if request_id is None:
        raise refuse(field, access.VIEW_NOT_FOUND, UserErrorCode.NOT_FOUND)
    try:
        loaded = await request_for_update(session, viewer, request_id, field=field)
    except InvalidInput:
        raise refuse(field, access.VIEW_NOT_FOUND, UserErrorCode.NOT_FOUND) from None
    view = await session.get(DataView, view_id, with_for_update=True)
    assert view is not None
    return loaded, view


def require_state(
    loaded: Loaded, allowed: Collection[DataRequestState], field: str, doing: str
) -> None:
    """CONFLICT on ``field`` unless the request reads as one of ``allowed``."""
    state = loaded.state
    if state not in allowed:
        raise refuse(
            field,
            f"This request is {describe_state(state)}: it cannot {doing} now.",
            UserErrorCode.CONFLICT,
        )


async def missing_centers(session: AsyncSession, center_ids: Collection[int]) -> set[int]:
    """Of ``center_ids``, those no center has."""
    wanted = sorted(set(center_ids))
    if not wanted:
        return set()
    found = set(await session.scalars(select(Center.id).where(Center.id.in_(wanted))))
    return set(wanted) - found


async def view_center_ids(session: AsyncSession, view_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(DataViewCenter.center_id)
            .where(DataViewCenter.view_id == view_id)
            .order_by(DataViewCenter.center_id)
        )
    )


async def deciders_of(session: AsyncSession, center_ids: Collection[int]) -> list[int]:
    """The people who decide for any of ``center_ids`` (their QI leads and data managers)."""
    wanted = sorted(set(center_ids))
    if not wanted:
        return []
    roles: list[CenterRole] = sorted(access.DECIDER_ROLES)
    rows = await session.scalars(
        select(Membership.person_id)
        .where(Membership.center_id.in_(wanted), Membership.role.in_(roles))
        .distinct()
    )
    return sorted(set(rows))
