"""Data requests as a subject type: people follow them (the requester, the data managers, the
centers' deciders once asked), and notifications and mail are about them.

A request is described by its purpose; it belongs to no center and nothing contains it (watching
a center must not tell anyone which requests name it). Who may see and follow one is the
stewardship rule (``services.stewardship.access``), checked at fan-out for every recipient.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.models import DataRequest
from icn_graph.notifications.subject_types import SubjectDescription, SubjectType
from icn_graph.services.stewardship.access import is_steward, visible_clause
from icn_graph.services.viewer import Viewer


async def _describe(session: AsyncSession, pks: Sequence[int]) -> dict[int, SubjectDescription]:
    rows = await session.execute(
        select(DataRequest.id, DataRequest.purpose).where(DataRequest.id.in_(pks))
    )
    return {pk: SubjectDescription(purpose) for pk, purpose in rows}


async def _visible(
    session: AsyncSession, viewer: Viewer, described: Mapping[int, SubjectDescription]
) -> Collection[int]:
    if viewer.person_id is None or not described:
        return ()
    if is_steward(viewer):
        return described.keys()
    rows = await session.scalars(
        select(DataRequest.id).where(DataRequest.id.in_(sorted(described)), visible_clause(viewer))
    )
    return set(rows)


DATA_REQUEST_SUBJECT_TYPES = (
    SubjectType("DataRequest", "data request", _describe, _visible, "/data-requests/{id}"),
)
