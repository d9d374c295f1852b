"""Person type, the ``people`` directory and ``createPerson`` (a person's later changes are in
``accounts``)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from icn_graph import models
from icn_graph.notifications.following import may_list as may_list_follows
from icn_graph.schema.connections import Connection, connection_from_page
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import (
    USER_ERRORS_DESCRIPTION,
    AfterArgument,
    FirstArgument,
    IncludeArchivedArgument,
    InputArgument,
)
from icn_graph.schema.following import Followable
from icn_graph.schema.loaders import loaded
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.relay import expect_global_id
from icn_graph.services import people as service
from icn_graph.services.ordering import OrderDirection

if TYPE_CHECKING:
    from icn_graph.schema.goals import Goal
    from icn_graph.schema.learning_sessions.agenda import AgendaItem
    from icn_graph.schema.memberships import Membership
    from icn_graph.schema.notifications import FollowEntry

MembershipRef = Annotated["Membership", strawberry.lazy("icn_graph.schema.memberships")]
GoalRef = Annotated["Goal", strawberry.lazy("icn_graph.schema.goals")]
AgendaItemRef = Annotated[
    "AgendaItem", strawberry.lazy("icn_graph.schema.learning_sessions.agenda")
]
FollowRef = Annotated["FollowEntry", strawberry.lazy("icn_graph.schema.notifications")]


@strawberry.type(description="Anyone with an account: care team members, partners and staff.")
class Person(Followable):
    type_name = "Person"

    display_name: str = strawberry.field(description="The name shown for the person.")
    kind: models.PersonKind = strawberry.field(description="What the person does in the network.")
    timezone: str = strawberry.field(description="IANA time zone; dates are shown in it.")
    network_role: models.NetworkRole = strawberry.field(
        description="Network-wide permissions; MEMBER for most people."
    )
    created_at: datetime = strawberry.field(description="When the account was made (UTC).")
    pronouns: str = strawberry.field(
        description='How to refer to the person, in their words ("she/her"); empty if not given.'
    )
    private_email: strawberry.Private[str]
    private_locale: strawberry.Private[str]
    private_deactivated_at: strawberry.Private[datetime | None]

    @classmethod
    def from_model(cls, person: models.Person) -> Person:
        return cls(
            pk=person.id,
            display_name=person.display_name,
            kind=person.kind,
            timezone=person.timezone,
            network_role=person.network_role,
            created_at=person.created_at,
            pronouns=person.pronouns,
            private_email=person.email,
            private_locale=person.locale,
            private_deactivated_at=person.deactivated_at,
        )

    @classmethod
    def from_model_or_none(cls, person: models.Person | None) -> Person | None:
        """The person of a row a loader found, or None for one it did not."""
        return cls.from_model(person) if person else None

    @classmethod
    async def load(cls, info: Info, pk: int | None) -> Person | None:
        """The person ``pk`` through the request's loader (a payload's changed person)."""
        row = await info.context.loaders.person.load(pk) if pk else None
        return cls.from_model_or_none(row)

    @classmethod
    def of(cls, info: Info, pk: int | None) -> Person | Awaitable[Person | None] | None:
        """The person ``pk`` (None for None) through the request's loader, for a field to
        return: at once when the request has the row (a page read it ahead,
        ``lookahead.read_ahead``), else an awaitable of it."""
        if pk is None:
            return None
        return loaded(info.context.loaders.person, pk, cls.from_model_or_none)

    @strawberry.field(
        description='The language the person reads the app in, a BCP 47 tag ("en", "fr-CA"). '
        "Shown to the person and to staff; else null."
    )
    def locale(self, info: Info) -> str | None:
        viewer = info.context.viewer
        return self.private_locale if viewer.person_id == self.pk or viewer.is_staff else None

    @strawberry.field(
        description="When staff deactivated the account (it cannot sign in; what the person "
        "wrote stays); null while active. Shown to staff only; null to everyone else."
    )
    def deactivated_at(self, info: Info) -> datetime | None:
        return self.private_deactivated_at if info.context.viewer.is_staff else None

    @strawberry.field(
        description="Shown to the person, to staff and to people who share a center; else null.",
        graphql_type=str | None,
    )
    def email(self, info: Info) -> str | Awaitable[str | None] | None:
        # Sync unless the person's centers decide it: a list of people read by staff (or by
        # anyone, of themselves) costs no coroutine, let alone a task, per row.
        viewer = info.context.viewer
        if service.needs_shared_centers(viewer, self.pk):
            return self._email_if_shared(info)
        return self.private_email if service.may_see_email(viewer, self.pk, ()) else None

    async def _email_if_shared(self, info: Info) -> str | None:
        rows = await info.context.loaders.memberships_of_person.load(self.pk)
        center_ids = [row.center_id for row in rows]
        viewer = info.context.viewer
        return self.private_email if service.may_see_email(viewer, self.pk, center_ids) else None

    @strawberry.field(description="The centers this person belongs to, with their role in each.")
    async def memberships(self, info: Info) -> list[MembershipRef]:
        from icn_graph.schema.memberships import Membership

        rows = await info.context.loaders.memberships_of_person.load(self.pk)
        return [Membership.from_model(row) for row in rows]

    @strawberry.field(description="The person's own 90-day goals, soonest due first.")
    async def goals(
        self,
        info: Info,
        first: FirstArgument = 20,
        after: AfterArgument = None,
        include_archived: IncludeArchivedArgument = False,
    ) -> Connection[GoalRef]:
        from icn_graph.schema.goals import person_goals

        return await person_goals(
            info, self.pk, first=first, after=after, include_archived=include_archived
        )

    @strawberry.field(description="Learning Session agenda items this person is on, by time.")
    async def agenda_items(self, info: Info) -> list[AgendaItemRef]:
        from icn_graph.schema.learning_sessions.agenda import person_agenda_items

        return await person_agenda_items(info, self.pk)

    @strawberry.field(
        description="What this person follows, the latest first. Only the person themself and "
        "network staff may see it; null for anyone else (see `viewerCanSeeFollowing`)."
    )
    async def following(
        self, info: Info, first: FirstArgument = 20, after: AfterArgument = None
    ) -> Connection[FollowRef] | None:
        from icn_graph.schema.notifications import person_following

        if not may_list_follows(info.context.viewer, self.pk):
            return None
        return await person_following(info, self.pk, first=first, after=after)

    @strawberry.field(
        description="Whether you may read this person's `following`: the person and network staff."
    )
    def viewer_can_see_following(self, info: Info) -> bool:
        return may_list_follows(info.context.viewer, self.pk)


@strawberry.input(description="Which people `people` lists; the conditions given all apply.")
class PersonFilter:
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive match on name (and email, for staff)."
    )
    kind: models.PersonKind | None = strawberry.field(
        default=None, description="Only people of this kind."
    )
    network_role: models.NetworkRole | None = strawberry.field(
        default=None, description="Only people with this network role."
    )
    center_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only members of this center."
    )
    deactivated: service.DeactivatedPeople = strawberry.field(
        default=service.DeactivatedPeople.EXCLUDE,
        description="Deactivated people are left out unless staff ask for them (INCLUDE, "
        "ONLY); anyone else asking gets FORBIDDEN.",
    )


@strawberry.input(description="How `people` is sorted; ties are broken by ID.")
class PersonOrder:
    field: service.PersonOrderField = strawberry.field(
        default=service.PersonOrderField.DISPLAY_NAME, description="What to sort by."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Which way to sort."
    )


async def resolve_people(
    info: Info,
    first: FirstArgument = 20,
    after: AfterArgument = None,
    filter: Annotated[
        PersonFilter | None,
        strawberry.argument(description="Which people; everyone active by default."),
    ] = None,
    order_by: Annotated[
        PersonOrder | None, strawberry.argument(description="The order; by name by default.")
    ] = None,
) -> Connection[Person]:
    given = filter or PersonFilter()
    order = order_by or PersonOrder()
    center_id = (
        expect_global_id(given.center_id, "Center", field="filter.centerId")
        if given.center_id is not None
        else None
    )
    page = await service.list_people(
        info.context.db,
        info.context.viewer,
        filter=service.PersonFilter(
            search=given.search,
            kind=given.kind,
            network_role=given.network_role,
            center_id=center_id,
            deactivated=given.deactivated,
        ),
        order_by=order.field,
        direction=order.direction,
        first=first,
        after=after,
    )
    return connection_from_page(page, Person.from_model)


@strawberry.input(description="A new account. No mail is sent: `invitePerson` invites by email.")
class CreatePersonInput:
    display_name: str = strawberry.field(description="The name shown; up to 120 characters.")
    email: str = strawberry.field(
        description="Where sign-in links and notifications go; unique (case-insensitive)."
    )
    kind: models.PersonKind = strawberry.field(description="What the person does in the network.")
    timezone: str = strawberry.field(
        default="UTC", description="IANA time zone, e.g. America/New_York."
    )
    network_role: models.NetworkRole = strawberry.field(
        default=models.NetworkRole.MEMBER,
        description="Network-wide permissions; only an admin may make an ADMIN.",
    )


@strawberry.type(description="What `createPerson` did.")
class CreatePersonPayload:
    person: Person | None = strawberry.field(description="The new account; null if refused.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class PersonMutations:
    @strawberry.mutation(description="Create an account. Staff only.")
    async def create_person(
        self, info: Info, input: InputArgument[CreatePersonInput]
    ) -> CreatePersonPayload:
        draft = service.PersonDraft(
            display_name=input.display_name,
            email=input.email,
            kind=input.kind,
            timezone=input.timezone,
            network_role=input.network_role,
        )
        person, errors = await attempt(
            service.create_person(info.context.db, info.context.viewer, draft)
        )
        return CreatePersonPayload(
            person=Person.from_model(person) if person else None, user_errors=errors
        )
