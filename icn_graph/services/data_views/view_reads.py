"""Reading a data view: who may (``view_access``, ``links``), what it shows now (``rendering``),
and the audit row of every read that shows a center by name, all in one transaction.

A read that names at least one center writes an identified read (``read_audit``) listing each
named center with the consent it is shown under, in the read's own transaction: if the audit
cannot be written the read fails and nothing is shown. A center's own team reading its own
center is no disclosure and is not listed; a read through a public link lists every named
center, under the link.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import Forbidden, NotFound, ServiceError
from icn_graph.models.stewardship import DataRequest, DataView
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.services.data_views.links import open_link
from icn_graph.services.data_views.rendering import Rendering, render_view
from icn_graph.services.data_views.showing import today_at
from icn_graph.services.data_views.view_access import NO_SUCH_VIEW, require_reader
from icn_graph.services.stewardship.read_audit import (
    ReadSubject,
    ShownCenter,
    record_identified_read,
)
from icn_graph.services.viewer import Viewer


async def view_and_request(session: AsyncSession, view_id: int) -> tuple[DataView, DataRequest]:
    view = await session.get(DataView, view_id)
    request = None if view is None else await session.get(DataRequest, view.request_id)
    if view is None or request is None:
        raise NotFound(NO_SUCH_VIEW, field="id")
    return view, request


async def read_view(
    db: Database,
    viewer: Viewer,
    registry: MeasureRegistry,
    view_id: int,
    *,
    channel: str,
    now: datetime | None = None,
) -> Rendering:
    """The view ``view_id`` as ``viewer`` (signed in) may read it now, audited."""
    (found,) = await read_views(db, viewer, registry, [view_id], channel=channel, now=now)
    if isinstance(found, ServiceError):
        raise found
    return found


async def read_views(
    db: Database,
    viewer: Viewer,
    registry: MeasureRegistry,
    view_ids: Sequence[int],
    *,
    channel: str,
    now: datetime | None = None,
) -> list[Rendering | ServiceError]:
    """Each of ``view_ids`` as ``viewer`` may read it now, in order, or why not (NOT_FOUND,
    FORBIDDEN): in one transaction with one audit read per view that names a center. When an
    audit read cannot be written, the whole batch fails (``AuditUnavailable``)."""
    now = now or utcnow()
    viewer.require_member()
    found: list[Rendering | ServiceError] = []
    async with db.transaction() as session:
        for view_id in view_ids:
            try:
                view, request = await view_and_request(session, view_id)
                await require_reader(session, viewer, view, request, today_at(now))
            except (Forbidden, NotFound) as refused:
                found.append(refused)
                continue
            rendering = await render_view(session, registry, view, request, now=now)
            await record_identified_read(
                session,
                reader_id=viewer.person_id,
                link_id=None,
                channel=channel,
                subject=ReadSubject.DATA_VIEW,
                measure_key=view.measure_key,
                centers=[
                    ShownCenter(center.center_id, center.consent_id)
                    for center in rendering.named
                    if center.center_id not in viewer.center_ids
                ],
                view_id=view.id,
                at=now,
            )
            found.append(rendering)
    return found


async def read_public_view(
    db: Database,
    registry: MeasureRegistry,
    token: str,
    *,
    channel: str,
    now: datetime | None = None,
) -> Rendering | None:
    """The view a public link opens now, audited under the link; ``None`` for every token that
    opens nothing (the caller answers them all alike)."""
    now = now or utcnow()
    async with db.transaction() as session:
        opened = await open_link(session, token, now=now)
        if opened is None:
            return None
        rendering = await render_view(session, registry, opened.view, opened.request, now=now)
        await record_identified_read(
            session,
            reader_id=None,
            link_id=opened.link.id,
            channel=channel,
            subject=ReadSubject.DATA_VIEW,
            measure_key=opened.view.measure_key,
            centers=[ShownCenter(c.center_id, c.consent_id) for c in rendering.named],
            view_id=opened.view.id,
            at=now,
        )
    return rendering
