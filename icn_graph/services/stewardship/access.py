"""Who may see and do what with data requests: the rules in one place (deny by default).

- Stewards (network staff, admins and network data managers) see every request, propose views
  and decline requests.
- The requester sees their request, accepts or rejects its views and withdraws it (staff may
  withdraw too).
- A center's deciders (its QI leads and data managers) see the requests that name the center (in
  ``data_request_centers`` or in any view), and decide, revoke and set standing consent for
  that center only. Network staff never decide for a center.
- Which centers a view names are shown to stewards and the requester, and to each center's own
  team for its own row; their letters, and answers other than CONSENT, to stewards and each
  center's own team only (``sees_letter``, ``sees_decision``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, false, or_, select, true, union
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.models import (
    CenterRole,
    ConsentDecision,
    DataRequest,
    DataRequestCenter,
    DataView,
    DataViewCenter,
    NetworkRole,
)
from icn_graph.services.viewer import Viewer

STEWARD_ROLES = frozenset({NetworkRole.ADMIN, NetworkRole.STAFF, NetworkRole.DATA_MANAGER})
DECIDER_ROLES = frozenset({CenterRole.QI_LEAD, CenterRole.DATA_MANAGER})

REQUEST_NOT_FOUND = "No data request you can see has that ID."
VIEW_NOT_FOUND = "No data view you can see has that ID."
CONSENT_NOT_FOUND = "No decision you can see has that ID."


@dataclass(frozen=True)
class Parties:
    """What decides who sees one request: its requester and every center it names."""

    requester_id: int
    center_ids: frozenset[int]


def is_steward(viewer: Viewer) -> bool:
    """Network staff, admins and network data managers."""
    return viewer.person_id is not None and viewer.network_role in STEWARD_ROLES


def deciding_centers(viewer: Viewer) -> frozenset[int]:
    """The centers ``viewer`` decides for (as their QI lead or data manager)."""
    if viewer.person_id is None:
        return frozenset()
    return frozenset(c for c, role in viewer.center_roles.items() if role in DECIDER_ROLES)


def may_decide_for(viewer: Viewer, center_id: int) -> bool:
    return center_id in deciding_centers(viewer)


def may_see(viewer: Viewer, parties: Parties) -> bool:
    if viewer.person_id is None:
        return False
    if is_steward(viewer) or viewer.person_id == parties.requester_id:
        return True
    return bool(deciding_centers(viewer) & parties.center_ids)


def sees_every_center(viewer: Viewer, parties: Parties) -> bool:
    """Whether ``viewer`` sees every center's row of the request's views (its decisions; the
    letters only as ``sees_letter`` says)."""
    return viewer.person_id is not None and (
        is_steward(viewer) or viewer.person_id == parties.requester_id
    )


def may_see_center_row(viewer: Viewer, parties: Parties, center_id: int) -> bool:
    """Whether ``viewer`` sees that ``center_id`` is in a view of the request, and its row."""
    return sees_every_center(viewer, parties) or (
        may_see(viewer, parties) and center_id in viewer.center_ids
    )


def sees_letter(viewer: Viewer, parties: Parties, center_id: int) -> bool:
    """Whether ``viewer`` may know which letter ``center_id`` has in a view: stewards, and the
    center's own team. Not the requester: a blinded center's values are in every rendering, so
    its letter would be its name (the requester knows which centers were asked and what each
    decided, which the three-blinded rule allows for, but not which is which)."""
    return is_steward(viewer) or (may_see(viewer, parties) and center_id in viewer.center_ids)


def sees_decision(
    viewer: Viewer, parties: Parties, center_id: int, decision: ConsentDecision
) -> bool:
    """Whether ``viewer`` may see that decision of ``center_id``: a CONSENT anyone who sees the
    center's row (its name shows in the view anyway); an UNNAMED or DECLINE answer only those
    who know the center's letter. Each such answer adds a blinded series to the view at that
    moment: the requester, told which center answered when, would tie the series to it."""
    return decision is ConsentDecision.CONSENT or sees_letter(viewer, parties, center_id)


def may_steward(viewer: Viewer) -> bool:
    """Propose views and decline requests."""
    return is_steward(viewer)


def is_requester(viewer: Viewer, parties: Parties) -> bool:
    return viewer.person_id is not None and viewer.person_id == parties.requester_id


def may_withdraw(viewer: Viewer, parties: Parties) -> bool:
    return is_requester(viewer, parties) or (viewer.person_id is not None and viewer.is_staff)


def visible_clause(viewer: Viewer) -> ColumnElement[bool]:
    """SQL over ``DataRequest``: the requests ``viewer`` may see."""
    if viewer.person_id is None:
        return false()
    if is_steward(viewer):
        return true()
    rules: list[ColumnElement[bool]] = [DataRequest.requester_id == viewer.person_id]
    centers = sorted(deciding_centers(viewer))
    if centers:
        rules.append(names_any_center_clause(centers))
    return or_(*rules)


def names_any_center_clause(center_ids: Collection[int]) -> ColumnElement[bool]:
    """SQL over ``DataRequest``: requests naming one of ``center_ids`` (asked or in a view)."""
    wanted = sorted(set(center_ids))
    return or_(
        exists().where(
            DataRequestCenter.request_id == DataRequest.id,
            DataRequestCenter.center_id.in_(wanted),
        ),
        exists().where(
            DataView.request_id == DataRequest.id,
            DataViewCenter.view_id == DataView.id,
            DataViewCenter.center_id.in_(wanted),
        ),
    )


async def parties_of(session: AsyncSession, request_ids: Iterable[int]) -> dict[int, Parties]:
    """The parties of the requests ``request_ids`` that exist, in two queries."""
    wanted = sorted(set(request_ids))
    if not wanted:
        return {}
    requesters = dict(
        (
            await session.execute(
                select(DataRequest.id, DataRequest.requester_id).where(DataRequest.id.in_(wanted))
            )
        ).all()
    )
    if not requesters:
        return {}
    named = union(
        select(DataRequestCenter.request_id, DataRequestCenter.center_id).where(
            DataRequestCenter.request_id.in_(wanted)
        ),
        select(DataView.request_id, DataViewCenter.center_id)
        .join(DataViewCenter, DataViewCenter.view_id == DataView.id)
        .where(DataView.request_id.in_(wanted)),
    )
    centers: dict[int, set[int]] = defaultdict(set)
    for request_id, center_id in (await session.execute(named)).all():
        centers[request_id].add(center_id)
    return {
        pk: Parties(requester_id, frozenset(centers.get(pk, ())))
        for pk, requester_id in requesters.items()
    }
