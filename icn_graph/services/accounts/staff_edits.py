"""``updatePerson``: network staff edit anyone's profile, kind and network role.

Staff set an email directly (no confirmation: they act for the person); the old address is told.
The rules that keep the network administered:

- only an admin changes an admin's account (any field: setting an admin's email would let
  whoever set it sign in as the admin), and only an admin grants the ADMIN role;
- nobody changes their own network role: an admin cannot demote themself by accident, and since
  an admin is only ever demoted or deactivated by another admin (see ``deactivation``), the last
  active admin stays one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from icn_graph.db.database import Database
from icn_graph.errors import Forbidden, NotFound
from icn_graph.events import SubjectRef, record
from icn_graph.models import NetworkRole, Person, PersonKind, SignInLink
from icn_graph.models.accounts import EmailChange
from icn_graph.services.accounts.events import PersonUpdated
from icn_graph.services.accounts.profile import (
    ProfileChanges,
    apply,
    checked_profile,
    email_taken,
    moves_address,
    taken_error,
)
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer

ADMINS_ONLY = "Only an admin can change an admin's account."


@dataclass(frozen=True)
class PersonChanges:
    """What staff change; None leaves a field as it is."""

    profile: ProfileChanges
    kind: PersonKind | None = None
    network_role: NetworkRole | None = None


@dataclass(frozen=True)
class MovedAddress:
    """An email staff changed: the old address is told where the account's mail goes now."""

    display_name: str
    old_email: str
    new_email: str


@dataclass(frozen=True)
class StaffUpdate:
    person: Person
    moved: MovedAddress | None


def _check_role(check: Checker, viewer: Viewer, person: Person, role: NetworkRole) -> None:
    if role is person.network_role:
        return
    if person.id == viewer.person_id:
        check.add("networkRole", "You cannot change your own network role; ask another admin to.")
    elif role is NetworkRole.ADMIN and viewer.network_role is not NetworkRole.ADMIN:
        check.add("networkRole", "Only an admin can make someone an admin.")


async def update_person(
    db: Database, viewer: Viewer, person_id: int, changes: PersonChanges
) -> StaffUpdate:
    viewer.require_staff("edit people's accounts")
    check = Checker()
    profile = checked_profile(check, changes.profile)
    new_email = profile.get("email")
    values: dict[str, object] = dict(profile)
    moving: str | None = None
    try:
        async with db.transaction() as session:
            person = await session.get(Person, person_id, with_for_update=True)
            if person is None:
                raise NotFound("No person has that id.", field="id")
            if (
                person.network_role is NetworkRole.ADMIN
                and viewer.network_role is not NetworkRole.ADMIN
            ):
                raise Forbidden(ADMINS_ONLY)
            if changes.network_role is not None:
                _check_role(check, viewer, person, changes.network_role)
                values["network_role"] = changes.network_role
            if changes.kind is not None:
                values["kind"] = changes.kind
            check.raise_if_any()
            old_email = person.email
            if new_email is not None and moves_address(person, new_email):
                moving = new_email
                if await email_taken(session, moving, person.id):
                    raise taken_error(moving)
            changed = apply(person, values)
            if moving is not None:
                # Links and pending changes were for the old address: they go.
                await session.execute(delete(SignInLink).where(SignInLink.person_id == person.id))
                await session.execute(
                    delete(EmailChange).where(
                        EmailChange.person_id == person.id, EmailChange.confirmed_at.is_(None)
                    )
                )
            if changed:
                updated = PersonUpdated(
                    person=SubjectRef("Person", person.id),
                    name=person.display_name,
                    changes=changed,
                )
                record(session, updated, actor_id=viewer.person_id)
    except IntegrityError as error:  # the address taken between the check and the commit
        raise taken_error(new_email or "") from error
    moved = MovedAddress(person.display_name, old_email, person.email) if moving else None
    return StaffUpdate(person, moved)
