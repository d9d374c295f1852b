"""People: the directory, who may see whose email, and creating accounts."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from icn_graph.db.database import Database
from icn_graph.errors import Forbidden, InvalidInput, UserError, UserErrorCode
from icn_graph.events import SubjectRef, record
from icn_graph.models import Membership, NetworkRole, Person, PersonKind
from icn_graph.models.people import PARTNER_KINDS
from icn_graph.services.directory_events import PersonCreated
from icn_graph.services.ordering import OrderDirection
from icn_graph.services.pagination import Page, SortKey, aware_datetime, paginate
from icn_graph.services.search import contains_any
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer


class DeactivatedPeople(enum.StrEnum):
    """Whether a listing shows deactivated people."""

    EXCLUDE = "EXCLUDE"
    INCLUDE = "INCLUDE"
    ONLY = "ONLY"


class PersonOrderField(enum.StrEnum):
    DISPLAY_NAME = "DISPLAY_NAME"
    CREATED_AT = "CREATED_AT"


@dataclass(frozen=True)
class PersonFilter:
    search: str | None = None
    kind: PersonKind | None = None
    network_role: NetworkRole | None = None
    center_id: int | None = None
    deactivated: DeactivatedPeople = DeactivatedPeople.EXCLUDE


@dataclass(frozen=True)
class PersonDraft:
    display_name: str
    email: str
    kind: PersonKind
    timezone: str = "UTC"
    network_role: NetworkRole = NetworkRole.MEMBER


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _filtered(viewer: Viewer, filter: PersonFilter) -> Select[Person]:
    statement = select(Person)
    if filter.search:
        # Searching by email would let anyone probe addresses they may not read: staff only.
        columns = [Person.display_name, Person.email] if viewer.is_staff else [Person.display_name]
        statement = statement.where(contains_any(filter.search, *columns))
    if filter.kind is not None:
        statement = statement.where(Person.kind == filter.kind)
    if filter.network_role is not None:
        statement = statement.where(Person.network_role == filter.network_role)
    if filter.center_id is not None:
        members = select(Membership.person_id).where(Membership.center_id == filter.center_id)
        statement = statement.where(Person.id.in_(members))
    if filter.deactivated is DeactivatedPeople.EXCLUDE:
        statement = statement.where(Person.deactivated_at.is_(None))
    elif filter.deactivated is DeactivatedPeople.ONLY:
        statement = statement.where(Person.deactivated_at.is_not(None))
    return statement


async def list_people(
    db: Database,
    viewer: Viewer,
    *,
    filter: PersonFilter,
    order_by: PersonOrderField = PersonOrderField.DISPLAY_NAME,
    direction: OrderDirection = OrderDirection.ASC,
    first: int | None = None,
    after: str | None = None,
) -> Page[Person]:
    """A page of people; its rows are named tuples of ``Person``'s columns (``paginate``'s
    ``plain_rows``): read their columns, nothing else."""
    viewer.require_member()
    if filter.deactivated is not DeactivatedPeople.EXCLUDE and not viewer.is_staff:
        raise Forbidden("Only network staff can list deactivated people.")
    descending = direction is OrderDirection.DESC
    if order_by is PersonOrderField.CREATED_AT:
        key = SortKey(
            "created_at", Person.created_at, Person.id, lambda p: p.created_at, descending
        )
        return await paginate(
            db,
            _filtered(viewer, filter),
            key,
            first=first,
            after=after,
            parse_value=aware_datetime,
            plain_rows=True,
        )
    key = SortKey(
        "display_name", Person.display_name, Person.id, lambda p: p.display_name, descending
    )
    return await paginate(
        db, _filtered(viewer, filter), key, first=first, after=after, plain_rows=True
    )


def may_see_email(viewer: Viewer, person_id: int, person_center_ids: Iterable[int]) -> bool:
    """Emails are private: shown to the person, to staff, and to people who share a center."""
    if viewer.person_id is None:
        return False
    if viewer.person_id == person_id or viewer.is_staff:
        return True
    return not viewer.center_ids.isdisjoint(person_center_ids)


def needs_shared_centers(viewer: Viewer, person_id: int) -> bool:
    """Whether deciding ``may_see_email`` needs the person's centers at all."""
    return viewer.person_id is not None and viewer.person_id != person_id and not viewer.is_staff


async def count_partners(db: Database, viewer: Viewer) -> int:
    viewer.require_member()
    async with db.session() as session:
        statement = select(func.count()).where(
            Person.kind.in_(PARTNER_KINDS), Person.deactivated_at.is_(None)
        )
        return int((await session.execute(statement)).scalar_one())


async def create_person(db: Database, viewer: Viewer, draft: PersonDraft) -> Person:
    viewer.require_staff("create people")
    check = Checker()
    if draft.network_role is NetworkRole.ADMIN and viewer.network_role is not NetworkRole.ADMIN:
        check.add("networkRole", "Only an admin can create another admin.")
    return await _insert_person(db, _checked_person(draft, check), actor_id=viewer.person_id)


async def create_person_as_operator(db: Database, draft: PersonDraft) -> Person:
    """Create an account with no viewer to check (``icn-graph admin create``: whoever runs the
    command already holds the database)."""
    return await _insert_person(db, _checked_person(draft, Checker()), actor_id=None)


def _checked_person(draft: PersonDraft, check: Checker) -> Person:
    display_name = check.text("displayName", draft.display_name, max_length=120, label="Name")
    email = check.email("email", draft.email)
    timezone = check.timezone("timezone", draft.timezone)
    check.raise_if_any()
    return Person(
        display_name=display_name,
        email=email,
        email_key=normalize_email(email),
        kind=draft.kind,
        timezone=timezone,
        network_role=draft.network_role,
    )


async def _insert_person(db: Database, person: Person, *, actor_id: int | None) -> Person:
    taken = InvalidInput(
        [
            UserError(
                "email", f"Someone already uses the email '{person.email}'.", UserErrorCode.TAKEN
            )
        ]
    )
    try:
        async with db.transaction() as session:
            existing = select(Person.id).where(Person.email_key == person.email_key)
            if (await session.scalars(existing)).first() is not None:
                raise taken
            session.add(person)
            await session.flush()
            created = PersonCreated(
                person=SubjectRef("Person", person.id), name=person.display_name
            )
            record(session, created, actor_id=actor_id)
    except IntegrityError as error:
        raise taken from error
    return person
