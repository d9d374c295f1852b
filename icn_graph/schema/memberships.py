"""Membership type and the team mutations."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date

import strawberry

from icn_graph import models
from icn_graph.errors import NotFound
from icn_graph.notifications.realtime.revocations import announce_roles_changed
from icn_graph.schema.centers import Center
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import USER_ERRORS_DESCRIPTION, InputArgument
from icn_graph.schema.following import Followable
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.people import Person
from icn_graph.schema.relay import expect_global_id
from icn_graph.services import memberships as service


@strawberry.type(description="A person's place on a center's team.")
class Membership(Followable):
    type_name = "Membership"

    role: models.CenterRole = strawberry.field(description="What the person does on the team.")
    since: date = strawberry.field(description="When they joined the team.")
    person_pk: strawberry.Private[int]
    center_pk: strawberry.Private[int]
    # The person's row when it was read with the membership (a center's team: ``Center.members``).
    person_row: strawberry.Private[models.Person | None] = None

    @classmethod
    def from_model(
        cls, membership: models.Membership, *, person: models.Person | None = None
    ) -> Membership:
        return cls(
            pk=membership.id,
            role=membership.role,
            since=membership.since,
            person_pk=membership.person_id,
            center_pk=membership.center_id,
            person_row=person,
        )

    @strawberry.field(description="Who is on the team.", graphql_type=Person)
    def person(self, info: Info) -> Person | Awaitable[Person]:
        # Sync when the person was read with the membership: no task per member of a team.
        if self.person_row is not None:
            return Person.from_model(self.person_row)
        return self._person(info)

    async def _person(self, info: Info) -> Person:
        row = await info.context.loaders.person.load(self.person_pk)
        if row is None:
            raise NotFound("This membership's person no longer exists.")
        return Person.from_model(row)

    @strawberry.field(description="The center whose team it is.")
    async def center(self, info: Info) -> Center:
        center = await info.context.loaders.center.load(self.center_pk)
        if center is None:
            raise NotFound("This membership's center no longer exists.")
        return Center.from_model(center)


@strawberry.input(description="A person to put on a center's team; once per person and center.")
class AddMembershipInput:
    person_id: strawberry.ID = strawberry.field(description="Who joins the team.")
    center_id: strawberry.ID = strawberry.field(description="The center whose team they join.")
    role: models.CenterRole = strawberry.field(description="What they do on the team.")
    since: date | None = strawberry.field(default=None, description="Defaults to today (UTC).")


@strawberry.input(description="A place on a team to end.")
class RemoveMembershipInput:
    id: strawberry.ID = strawberry.field(description="The membership to remove.")


@strawberry.type
class TeamChange:
    """A payload's person and center after a change of team, for client caches."""

    person_pk: strawberry.Private[int | None] = None
    center_pk: strawberry.Private[int | None] = None

    @strawberry.field(
        description="The person, with `memberships` and `following` as they are now (for "
        "client caches); null if refused."
    )
    async def person(self, info: Info) -> Person | None:
        return await Person.load(info, self.person_pk)

    @strawberry.field(
        description="The center, with `members` as they are now (for client caches); null if "
        "refused."
    )
    async def center(self, info: Info) -> Center | None:
        return await Center.load(info, self.center_pk)


@strawberry.type(description="What `addMembership` did.")
class AddMembershipPayload(TeamChange):
    membership: Membership | None = strawberry.field(
        description="The new place on the team; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `removeMembership` did.")
class RemoveMembershipPayload(TeamChange):
    removed_membership_id: strawberry.ID | None = strawberry.field(
        description="The ID of the membership removed (to drop it from client caches); null if "
        "refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class MembershipMutations:
    @strawberry.mutation(description="Put a person on a center's team. Staff or the QI lead.")
    async def add_membership(
        self, info: Info, input: InputArgument[AddMembershipInput]
    ) -> AddMembershipPayload:
        draft = service.MembershipDraft(
            person_id=expect_global_id(input.person_id, "Person", field="personId"),
            center_id=expect_global_id(input.center_id, "Center", field="centerId"),
            role=input.role,
            since=input.since,
        )
        membership, errors = await attempt(
            service.add_membership(info.context.db, info.context.viewer, draft)
        )
        if membership is not None:  # their viewer (roles) changed: caches and websockets
            await announce_roles_changed(info.context.db, membership.person_id)
        return AddMembershipPayload(
            membership=Membership.from_model(membership) if membership else None,
            user_errors=errors,
            person_pk=membership.person_id if membership else None,
            center_pk=membership.center_id if membership else None,
        )

    @strawberry.mutation(
        description="Take a person off a center's team. Staff or the QI lead. The invitations "
        "they sent to that center are withdrawn (unless they are network staff)."
    )
    async def remove_membership(
        self, info: Info, input: InputArgument[RemoveMembershipInput]
    ) -> RemoveMembershipPayload:
        membership_id = expect_global_id(input.id, "Membership", field="id")
        removed, errors = await attempt(
            service.remove_membership(
                info.context.db, info.context.viewer, membership_id, now=info.context.clock()
            )
        )
        if removed is not None:
            await announce_roles_changed(info.context.db, removed.person_id)
        return RemoveMembershipPayload(
            removed_membership_id=input.id if removed else None,
            user_errors=errors,
            person_pk=removed.person_id if removed else None,
            center_pk=removed.center_id if removed else None,
        )
