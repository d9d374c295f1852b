"""Public links to published PUBLIC views: open without signing in, unguessable, expiring,
revocable.

A link's token is 256 random bits (``secrets.token_urlsafe(32)``), shown once when the link is
made; only its SHA-256 is stored, so the table alone opens nothing. A link opens its view while
it is neither revoked nor past ``expires_at``, and the view itself is published (its request
APPROVED, not expired, the view not superseded) for a PUBLIC audience. Every other token, made
up, expired or revoked, finds nothing, and the routes answer all of them the same way.

Staff, network data managers and the requester make and revoke links.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import Forbidden, InvalidInput, NotFound, UserError, UserErrorCode
from icn_graph.models.stewardship import DataAudience, DataRequest, DataView, DataViewLink
from icn_graph.services.data_views.showing import today_at
from icn_graph.services.data_views.view_access import (
    NO_SUCH_VIEW,
    is_published,
    may_preview,
    view_center_ids,
)
from icn_graph.services.stewardship.access import is_steward
from icn_graph.services.viewer import Viewer

PUBLIC_PATH = "/data-views/public/{token}"
"""Where a link opens, before its extension (.png, .svg, .vl.json, .csv)."""

MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class IssuedLink:
    """A link just made. ``token`` exists only here: the database keeps its hash."""

    link: DataViewLink
    token: str


@dataclass(frozen=True)
class OpenedLink:
    link: DataViewLink
    view: DataView
    request: DataRequest


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def public_path(token: str, extension: str) -> str:
    return PUBLIC_PATH.format(token=token) + f".{extension}"


def request_end(request: DataRequest) -> datetime:
    """When the request's last day ends (UTC): the latest a link may expire, and its default."""
    return datetime.combine(request.expires_on + timedelta(days=1), time(), tzinfo=UTC)


def may_manage_links(viewer: Viewer, request: DataRequest) -> bool:
    return viewer.person_id is not None and (
        is_steward(viewer) or viewer.person_id == request.requester_id
    )


def check_expiry(
    expires_at: datetime | None, request: DataRequest, now: datetime, *, field: str
) -> datetime:
    """``expires_at`` (default: the end of the request's last day), refused when in the past
    or after the request itself expires."""
    latest = request_end(request)
    if expires_at is None:
        return latest
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    if expires_at <= now:
        message = "A link must expire in the future."
        raise InvalidInput([UserError(field, message, UserErrorCode.INVALID)])
    if expires_at > latest:
        message = (
            f"A link cannot outlive its request, which expires on {request.expires_on:%Y-%m-%d}."
        )
        raise InvalidInput([UserError(field, message, UserErrorCode.INVALID)])
    return expires_at


def add_link(
    session: AsyncSession,
    view: DataView,
    request: DataRequest,
    *,
    created_by_id: int,
    expires_at: datetime,
    now: datetime,
    field: str,
) -> IssuedLink:
    """A new link to ``view`` in ``session``: the view must be published for a PUBLIC audience."""
    if request.audience is not DataAudience.PUBLIC:
        message = "Only views for a public audience have public links; members open it signed in."
        raise InvalidInput([UserError(field, message, UserErrorCode.INVALID)])
    if not is_published(view, request, today_at(now)):
        message = "Publish the view first: a link opens only a published view."
        raise InvalidInput([UserError(field, message, UserErrorCode.CONFLICT)])
    token = new_token()
    link = DataViewLink(
        view_id=view.id,
        token_hash=hash_token(token),
        created_by_id=created_by_id,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(link)
    return IssuedLink(link, token)


async def _view_for_update(
    session: AsyncSession, viewer: Viewer, view_id: int
) -> tuple[DataView, DataRequest]:
    """The view and its request (locked), for someone who may manage its links; NOT_FOUND for
    someone who may not know of it."""
    viewer.require_member()
    view = await session.get(DataView, view_id)
    request = (
        None
        if view is None
        else await session.get(DataRequest, view.request_id, with_for_update=True)
    )
    if view is None or request is None:
        raise NotFound(NO_SUCH_VIEW, field="dataViewId")
    if not may_manage_links(viewer, request):
        if may_preview(viewer, request, await view_center_ids(session, view.id)):
            raise Forbidden(
                "Only network staff, network data managers and the requester manage links."
            )
        raise NotFound(NO_SUCH_VIEW, field="dataViewId")
    return view, request


async def create_link(
    db: Database,
    viewer: Viewer,
    view_id: int,
    expires_at: datetime | None = None,
    *,
    now: datetime | None = None,
) -> IssuedLink:
    """A new public link to a published PUBLIC view (``createDataViewLink``)."""
    now = now or utcnow()
    async with db.transaction() as session:
        view, request = await _view_for_update(session, viewer, view_id)
        expiry = check_expiry(expires_at, request, now, field="expiresAt")
        assert viewer.person_id is not None
        issued = add_link(
            session,
            view,
            request,
            created_by_id=viewer.person_id,
            expires_at=expiry,
            now=now,
            field="dataViewId",
        )
        await session.flush()
    return issued


async def revoke_link(
    db: Database, viewer: Viewer, link_id: int, *, now: datetime | None = None
) -> DataViewLink:
    """Revoke a link now (``revokeDataViewLink``); a revoked link stays revoked."""
    now = now or utcnow()
    async with db.transaction() as session:
        link = await session.get(DataViewLink, link_id, with_for_update=True)
        if link is None:
            raise NotFound("No link has that ID.", field="id")
        try:
            await _view_for_update(session, viewer, link.view_id)
        except NotFound:
            raise NotFound("No link has that ID.", field="id") from None
        if link.revoked_at is not None:
            message = f"This link was already revoked on {link.revoked_at:%Y-%m-%d %H:%M} UTC."
            raise InvalidInput([UserError("id", message, UserErrorCode.CONFLICT)])
        link.revoked_at = now
        link.revoked_by_id = viewer.person_id
    return link


async def open_link(session: AsyncSession, token: str, *, now: datetime) -> OpenedLink | None:
    """The link ``token`` opens at ``now``, with its view and request; ``None`` for any token
    that opens nothing (unknown, revoked, expired, or its view no longer published)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = (
        await session.execute(
            select(DataViewLink, DataView, DataRequest)
            .join(DataView, DataView.id == DataViewLink.view_id)
            .join(DataRequest, DataRequest.id == DataView.request_id)
            .where(DataViewLink.token_hash == hash_token(token))
        )
    ).first()
    if row is None:
        return None
    link, view, request = row
    if link.revoked_at is not None or link.expires_at <= now:
        return None
    if request.audience is not DataAudience.PUBLIC:
        return None
    if not is_published(view, request, today_at(now)):
        return None
    return OpenedLink(link, view, request)


async def links_of(session: AsyncSession, view_id: int) -> list[DataViewLink]:
    """The view's links, newest first (their tokens are not stored)."""
    rows = await session.scalars(
        select(DataViewLink)
        .where(DataViewLink.view_id == view_id)
        .order_by(DataViewLink.created_at.desc(), DataViewLink.id.desc())
    )
    return list(rows)
