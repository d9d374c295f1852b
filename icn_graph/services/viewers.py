"""Building viewers from the database: a person's network role and center roles, one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.models import CenterRole, Membership, NetworkRole, Person
from icn_graph.services.viewer import Viewer


def viewer_rows() -> Select[int, NetworkRole, int, CenterRole]:
    """People with each of their memberships (a row per person without any); add a WHERE."""
    return select(Person.id, Person.network_role, Membership.center_id, Membership.role).outerjoin(
        Membership, Membership.person_id == Person.id
    )


def fold_viewers(rows: Iterable[Sequence[Any]]) -> dict[int, Viewer]:
    """Rows of :func:`viewer_rows` as one viewer per person."""
    roles: dict[int, NetworkRole] = {}
    centers: dict[int, dict[int, CenterRole]] = defaultdict(dict)
    for person_id, network_role, center_id, role in rows:
        roles[person_id] = network_role
        if center_id is not None:
            centers[person_id][center_id] = role
    return {
        person_id: Viewer(person_id=person_id, network_role=role, center_roles=centers[person_id])
        for person_id, role in roles.items()
    }


async def viewers_of(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, Viewer]:
    """Each person as a viewer, in one query; people who are gone are left out."""
    rows = await session.execute(viewer_rows().where(Person.id.in_(list(person_ids))))
    return fold_viewers(rows)
