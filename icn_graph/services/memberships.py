"""Memberships: who is on which center's team, and who may change that."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, contains_eager

from icn_graph.db.any_of import any_of_keys, key_list
from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import Forbidden, InvalidInput, NotFound, UserError, UserErrorCode
from icn_graph.events import record
from icn_graph.models import Center, CenterRole, Membership, Person
from icn_graph.services.directory_events import (
    MembershipAdded,
    MembershipRemoved,
    membership_refs,
)
from icn_graph.services.invitations.authority import withdraw_sent_by
from icn_graph.services.viewer import STAFF_ROLES, Viewer


@dataclass(frozen=True)
class MembershipDraft:
    person_id: int
    center_id: int
    role: CenterRole
    since: date | None = None


def _require_manager(viewer: Viewer, center_id: int) -> None:
    """Staff manage every team; a center's QI lead manages that center's team."""
    viewer.require_member()
    if not (viewer.is_staff or viewer.leads(center_id)):
        raise Forbidden("Only network staff or this center's QI lead can change its team.")


# A team's or a person's memberships, by either key (built once: see ``any_of_keys``). A team's
# come with their people (``membership.person``), read in the same statement: a team is listed
# to show who is on it.
_MEMBERSHIPS_BY = {
    Membership.center_id.key: select(Membership)
    .join(Membership.person)
    .options(contains_eager(Membership.person))
    .where(any_of_keys(Membership.center_id, "owner_ids"))
    .order_by(Membership.since, Membership.id),
    Membership.person_id.key: select(Membership)
    .where(any_of_keys(Membership.person_id, "owner_ids"))
    .order_by(Membership.since, Membership.id),
}


async def memberships_by_center(
    db: Database, center_ids: Iterable[int]
) -> dict[int, list[Membership]]:
    """Each center's team, oldest first, each membership with its ``person`` loaded."""
    return await _grouped(db, Membership.center_id, center_ids)


async def memberships_by_person(
    db: Database, person_ids: Iterable[int]
) -> dict[int, list[Membership]]:
    return await _grouped(db, Membership.person_id, person_ids)


async def _grouped(
    db: Database, column: InstrumentedAttribute[int], keys: Iterable[int]
) -> dict[int, list[Membership]]:
    wanted = set(keys)
    grouped: dict[int, list[Membership]] = defaultdict(list)
    if not wanted:
        return grouped
    statement = _MEMBERSHIPS_BY[column.key]
    async with db.session() as session:
        for membership in await session.scalars(statement, {"owner_ids": key_list(wanted)}):
            grouped[getattr(membership, column.key)].append(membership)
    return grouped


async def add_membership(db: Database, viewer: Viewer, draft: MembershipDraft) -> Membership:
    _require_manager(viewer, draft.center_id)
    since = draft.since or utcnow().date()
    membership = Membership(
        person_id=draft.person_id, center_id=draft.center_id, role=draft.role, since=since
    )
    already = InvalidInput(
        [UserError("personId", "This person is already on the center's team.", UserErrorCode.TAKEN)]
    )
    try:
        async with db.transaction() as session:
            missing: list[UserError] = []
            person = await session.get(Person, draft.person_id)
            center = await session.get(Center, draft.center_id)
            if person is None:
                missing.append(
                    UserError("personId", "No person has that id.", UserErrorCode.NOT_FOUND)
                )
            if center is None:
                missing.append(
                    UserError("centerId", "No center has that id.", UserErrorCode.NOT_FOUND)
                )
            if missing or person is None or center is None:
                raise InvalidInput(missing)
            existing = select(Membership.id).where(
                Membership.person_id == draft.person_id, Membership.center_id == draft.center_id
            )
            if (await session.scalars(existing)).first() is not None:
                raise already
            session.add(membership)
            await session.flush()
            added = MembershipAdded(**membership_refs(membership, person, center))
            record(session, added, actor_id=viewer.person_id)
    except IntegrityError as error:
        raise already from error
    return membership


async def remove_membership(
    db: Database, viewer: Viewer, membership_id: int, *, now: datetime | None = None
) -> Membership:
    """Take the person off the team; the invitations they sent to that center, which that
    membership let them send (a QI lead's), are withdrawn unless they are staff."""
    viewer.require_member()
    async with db.transaction() as session:
        membership = await session.get(Membership, membership_id)
        if membership is None:
            raise NotFound("No membership has that id.", field="id")
        _require_manager(viewer, membership.center_id)
        person = await session.get(Person, membership.person_id)
        center = await session.get(Center, membership.center_id)
        assert person is not None
        assert center is not None
        # The event keeps who left which team: the membership is gone afterwards.
        removed = MembershipRemoved(**membership_refs(membership, person, center))
        await session.delete(membership)
        if person.network_role not in STAFF_ROLES:
            when = now or utcnow()
            await withdraw_sent_by(session, person.id, now=when, center_id=center.id)
        record(session, removed, actor_id=viewer.person_id)
    return membership
