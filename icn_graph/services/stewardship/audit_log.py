"""Reading the audit log of identified reads: who may see which reads, and listing them.

- Network staff (``ADMIN``, ``STAFF``) and network data managers see every read, with every
  center it showed.
- A center's QI lead sees the reads that showed their center's data, listing only the centers
  they lead (another center in the same read is not theirs to see).
- Everyone else: FORBIDDEN (deny by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, select

from icn_graph.db.database import Database
from icn_graph.errors import BadInput, Forbidden
from icn_graph.models import CenterRole, NetworkRole
from icn_graph.models.stewardship import IdentifiedRead, IdentifiedReadCenter
from icn_graph.services.lookup import rows_by_parent
from icn_graph.services.pagination import Page, SortKey, aware_datetime, paginate
from icn_graph.services.viewer import STAFF_ROLES, Viewer

AUDIT_NETWORK_ROLES = STAFF_ROLES | {NetworkRole.DATA_MANAGER}

READ_KEY = SortKey("at", IdentifiedRead.at, IdentifiedRead.id, lambda read: read.at, True)
"""Newest first."""

REFUSED = (
    "Only network staff, network data managers and a center's QI leads (for their own center) "
    "can see the audit log of identified reads."
)


@dataclass(frozen=True)
class AuditScope:
    """Whose reads a viewer may see: every center's, or the centers in ``center_ids``."""

    every_center: bool
    center_ids: frozenset[int]

    def covers(self, center_id: int) -> bool:
        return self.every_center or center_id in self.center_ids


def audit_scope(viewer: Viewer) -> AuditScope | None:
    """What of the audit log ``viewer`` may see; ``None``: nothing."""
    if viewer.person_id is None:
        return None
    if viewer.network_role in AUDIT_NETWORK_ROLES:
        return AuditScope(every_center=True, center_ids=frozenset())
    led = frozenset(
        center_id for center_id, role in viewer.center_roles.items() if role is CenterRole.QI_LEAD
    )
    return AuditScope(every_center=False, center_ids=led) if led else None


def may_see_center_reads(viewer: Viewer, center_id: int) -> bool:
    scope = audit_scope(viewer)
    return scope is not None and scope.covers(center_id)


def require_scope(viewer: Viewer, center_id: int | None = None) -> AuditScope:
    """``viewer``'s scope; UNAUTHENTICATED or FORBIDDEN when it does not cover ``center_id``
    (or covers nothing)."""
    viewer.require_member()
    scope = audit_scope(viewer)
    if scope is None or (center_id is not None and not scope.covers(center_id)):
        raise Forbidden(REFUSED)
    return scope


def reads_statement(
    scope: AuditScope, *, since: datetime | None, center_id: int | None
) -> Select[IdentifiedRead]:
    """The reads ``scope`` may see, from ``since`` on, of ``center_id``'s data if given."""
    statement = select(IdentifiedRead)
    if since is not None:
        statement = statement.where(IdentifiedRead.at >= since)
    centers: Sequence[int] | None = None
    if center_id is not None:
        centers = [center_id]
    elif not scope.every_center:
        centers = sorted(scope.center_ids)
    if centers is not None:
        statement = statement.where(
            exists().where(
                IdentifiedReadCenter.read_id == IdentifiedRead.id,
                IdentifiedReadCenter.center_id.in_(centers),
            )
        )
    return statement


async def list_identified_reads(
    db: Database,
    viewer: Viewer,
    *,
    since: datetime | None = None,
    center_id: int | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[IdentifiedRead]:
    """One page of the reads ``viewer`` may see, newest first (see the module docstring)."""
    scope = require_scope(viewer, center_id)
    if since is not None and (since.tzinfo is None or since.utcoffset() is None):
        raise BadInput(
            f"since: '{since.isoformat()}' has no UTC offset; give an instant such as "
            "2025-01-01T00:00:00Z.",
            field="since",
        )
    statement = reads_statement(scope, since=since, center_id=center_id)
    return await paginate(
        db, statement, READ_KEY, first=first, after=after, parse_value=aware_datetime
    )


async def centers_of_reads(
    db: Database, scope: AuditScope, read_ids: Sequence[int]
) -> list[list[IdentifiedReadCenter]]:
    """For each read, in order, the centers it showed that ``scope`` covers (one query)."""
    where = [] if scope.every_center else [IdentifiedReadCenter.center_id.in_(scope.center_ids)]
    return await rows_by_parent(
        db,
        IdentifiedReadCenter,
        IdentifiedReadCenter.read_id,
        read_ids,
        IdentifiedReadCenter.center_id,
        where=where,
    )


async def visible_reads(
    db: Database, viewer: Viewer, read_ids: Sequence[int]
) -> list[IdentifiedRead | None]:
    """The reads of ``read_ids`` (for ``node``), each ``None`` unless ``viewer`` may see it."""
    scope = audit_scope(viewer)
    if scope is None or not read_ids:
        return [None] * len(read_ids)
    statement = reads_statement(scope, since=None, center_id=None).where(
        IdentifiedRead.id.in_(sorted(set(read_ids)))
    )
    async with db.session() as session:
        found = {read.id: read for read in await session.scalars(statement)}
    return [found.get(read_id) for read_id in read_ids]
