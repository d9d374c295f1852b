"""Invitations: the ``Invitation`` type, ``Center.invitations`` and ``Center.viewerCanInvite``,
and ``invitePerson``, ``revokeInvitation`` and ``acceptInvitation``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from icn_graph import models
from icn_graph.db.database import Database
from icn_graph.errors import NotFound
from icn_graph.notifications.invitation_mail import mail_invitation
from icn_graph.notifications.realtime.revocations import announce_roles_changed
from icn_graph.schema.centers import Center
from icn_graph.schema.connections import Connection, connection_from_page
from icn_graph.schema.context import Info
from icn_graph.schema.described_enums import described_enum
from icn_graph.schema.descriptions import (
    USER_ERRORS_DESCRIPTION,
    AfterArgument,
    FirstArgument,
    InputArgument,
)
from icn_graph.schema.memberships import Membership
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.people import Person
from icn_graph.schema.relay import Node, expect_global_id
from icn_graph.services.invitations import accepting, inviting, reading
from icn_graph.services.invitations.access import may_invite
from icn_graph.services.invitations.states import InvitationState, state_of
from icn_graph.services.pagination import Page
from icn_graph.services.sign_in import links

described_enum(
    InvitationState,
    name="InvitationState",
    description="Where an invitation stands: PENDING (its link works), ACCEPTED, EXPIRED, or "
    "REVOKED (withdrawn, or replaced by a newer invitation to the same email and center).",
    values={
        InvitationState.PENDING: "Sent; its link works until it expires.",
        InvitationState.ACCEPTED: "Its link was used: the person is on the team.",
        InvitationState.EXPIRED: "Not accepted in time; its link no longer works.",
        InvitationState.REVOKED: "Withdrawn, or replaced by a newer invitation to the same "
        "email and center.",
    },
)


@strawberry.type(
    description="An invitation by email to a center's team. Seen by network staff, the "
    "center's QI leads and whoever sent it."
)
class Invitation(Node):
    type_name = "Invitation"

    display_name: str = strawberry.field(description="The name the invitation was made out to.")
    role: models.CenterRole = strawberry.field(description="The role on the team it offers.")
    message: str = strawberry.field(description="The inviter's message; empty: none.")
    state: InvitationState = strawberry.field(description="Where it stands now.")
    created_at: datetime = strawberry.field(description="When it was sent.")
    expires_at: datetime = strawberry.field(
        description="When its link stops working (ICN_INVITATION_DAYS after it was sent)."
    )
    accepted_at: datetime | None = strawberry.field(description="When it was accepted.")
    revoked_at: datetime | None = strawberry.field(
        description="When it was withdrawn, or replaced by a newer invitation."
    )
    email_value: strawberry.Private[str]
    center_pk: strawberry.Private[int]
    invited_by_pk: strawberry.Private[int | None]
    accepted_by_pk: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: models.Invitation, now: datetime) -> Invitation:
        return cls(
            pk=row.id,
            display_name=row.display_name,
            role=row.role,
            message=row.message,
            state=state_of(row, now),
            created_at=row.created_at,
            expires_at=row.expires_at,
            accepted_at=row.accepted_at,
            revoked_at=row.revoked_at,
            email_value=row.email,
            center_pk=row.center_id,
            invited_by_pk=row.invited_by_id,
            accepted_by_pk=row.person_id,
        )

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: list[int]) -> list[Invitation | None]:
        context = info.context
        rows = await reading.visible_invitations(context.db, context.viewer, pks)
        now = context.clock()
        return [None if row is None else cls.from_model(row, now) for row in rows]

    @strawberry.field(
        description="The address it was sent to: for those who may invite to its center "
        "(network staff, its QI leads); null for others."
    )
    def email(self, info: Info) -> str | None:
        return self.email_value if may_invite(info.context.viewer, self.center_pk) else None

    @strawberry.field(description="The center whose team it invites to.")
    async def center(self, info: Info) -> Center:
        row = await info.context.loaders.center.load(self.center_pk)
        if row is None:
            raise NotFound("This invitation's center no longer exists.")
        return Center.from_model(row)

    @strawberry.field(description="Who sent it; null if that account is gone.")
    async def invited_by(self, info: Info) -> Person | None:
        return await _person(info, self.invited_by_pk)

    @strawberry.field(
        description="The account that accepted it: made for it, or the one the email already "
        "had. Null until accepted."
    )
    async def accepted_by(self, info: Info) -> Person | None:
        return await _person(info, self.accepted_by_pk)


async def _person(info: Info, pk: int | None) -> Person | None:
    if pk is None:
        return None
    row = await info.context.loaders.person.load(pk)
    return None if row is None else Person.from_model(row)


def _center_pages(
    info: Info,
) -> DataLoader[reading.CenterInvitationsRequest, Page[models.Invitation] | None]:
    context = info.context

    async def batch(
        db: Database, requests: list[reading.CenterInvitationsRequest]
    ) -> list[Page[models.Invitation] | None]:
        return await reading.center_invitation_pages(
            db, context.viewer, requests, now=context.clock()
        )

    return context.loaders.get("invitations.center_pages", batch)


@strawberry.type
class CenterInvitations:
    """Fields invitations add to ``Center``."""

    @strawberry.field(
        description="Invitations to this center's team, newest first (`first` at most 100), "
        "optionally in one state. Network staff and this center's QI leads; null for others "
        "(see `viewerCanInvite`)."
    )
    async def invitations(
        self,
        root: Center,
        info: Info,
        state: Annotated[
            InvitationState | None,
            strawberry.argument(description="Only invitations in this state; all by default."),
        ] = None,
        first: FirstArgument = 20,
        after: AfterArgument = None,
    ) -> Connection[Invitation] | None:
        request = reading.CenterInvitationsRequest(root.pk, state, first, after)
        page = await _center_pages(info).load(request)
        if page is None:
            return None
        now = info.context.clock()
        return connection_from_page(page, lambda row: Invitation.from_model(row, now))

    @strawberry.field(
        description="Whether you may invite people to this center's team (`invitePerson`) and "
        "read its `invitations`: network staff and this center's QI leads."
    )
    def viewer_can_invite(self, root: Center, info: Info) -> bool:
        return may_invite(info.context.viewer, root.pk)


@strawberry.input(description="An invitation to a center's team, mailed to `email`.")
class InvitePersonInput:
    email: str = strawberry.field(description="Where the invitation goes.")
    display_name: str = strawberry.field(
        description="Their name (at most 120 characters): the account's name if it is new."
    )
    center_id: strawberry.ID = strawberry.field(description="The center whose team to join.")
    role: models.CenterRole = strawberry.field(
        description="Their role on the team; a new account's kind follows it."
    )
    message: str = strawberry.field(
        default="", description="A note for the mail, plain text (at most 1000 characters)."
    )


@strawberry.type(description="What `invitePerson` did.")
class InvitePersonPayload:
    invitation: Invitation | None = strawberry.field(description="The invitation sent (PENDING).")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="An invitation to withdraw.")
class RevokeInvitationInput:
    id: strawberry.ID = strawberry.field(description="The invitation to withdraw.")


@strawberry.type(description="What `revokeInvitation` did.")
class RevokeInvitationPayload:
    invitation: Invitation | None = strawberry.field(description="The invitation, now REVOKED.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="The invitation link being used.")
class AcceptInvitationInput:
    token: str = strawberry.field(description="The secret of a mailed invitation link.")


@strawberry.type(
    description="What `acceptInvitation` did: the new session, the person and their membership."
)
class AcceptInvitationPayload:
    token: str | None = strawberry.field(
        description="The session token of the account the invitation made, shown once: send it "
        "as `Authorization: Bearer ...`. Null when the email already had an account: the "
        "membership is added, and the person signs in as usual (`requestSignIn`)."
    )
    expires_at: datetime | None = strawberry.field(
        description="When the session ends unless used again (each use extends it); null "
        "with `token`."
    )
    person: Person | None = strawberry.field(
        description="Who accepted: the new account (signed in), or the one the email had."
    )
    membership: Membership | None = strawberry.field(
        description="Their place on the center's team (the one they had, if already on it)."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


async def _invite(info: Info, input: InvitePersonInput) -> models.Invitation:
    context = info.context
    limits = context.sign_in_limits
    inviter_id = context.viewer.require_member()
    email_key = links.email_key(input.email)
    if limits is not None:
        await limits.check_invitation(inviter_id, email_key)
    draft = inviting.InvitationDraft(
        email=input.email,
        display_name=input.display_name,
        center_id=expect_global_id(input.center_id, "Center", field="centerId"),
        role=input.role,
        message=input.message,
    )
    issued = await inviting.invite_person(
        context.db,
        context.viewer,
        draft,
        now=context.clock(),
        days=context.settings.invitation_days,
    )
    if limits is not None:
        await limits.count_invitation(inviter_id, email_key)
    if context.sign_in_mail is not None:
        mail_invitation(context.sign_in_mail, issued)
    return issued.invitation


@strawberry.type
class InvitationMutations:
    @strawberry.mutation(
        description="Invite someone by email to a center's team (parent and patient partners "
        "included): network staff for any center, a center's QI lead for their own; FORBIDDEN "
        "for others. The mail's link, used once within ICN_INVITATION_DAYS, makes the account "
        "and signs it in, or adds the membership to the account the email has (which then "
        "signs in as usual). The answer "
        "does not say whether the email has an account; someone already on the team is "
        "refused (`email`, TAKEN), and so is a deactivated account's email (`email`, "
        "CONFLICT). Inviting the same email to the same center again withdraws the earlier "
        "link. Rate limited per inviter and per email invited (RATE_LIMITED)."
    )
    async def invite_person(
        self, info: Info, input: InputArgument[InvitePersonInput]
    ) -> InvitePersonPayload:
        row, errors = await attempt(_invite(info, input))
        if row is None:
            return InvitePersonPayload(invitation=None, user_errors=errors)
        return InvitePersonPayload(
            invitation=Invitation.from_model(row, info.context.clock()), user_errors=[]
        )

    @strawberry.mutation(
        description="Withdraw an invitation: its link stops working. Whoever sent it, network "
        "staff or the center's QI lead; for anyone else it does not exist (NOT_FOUND). An "
        "accepted invitation is refused (`id`, CONFLICT): remove the membership instead."
    )
    async def revoke_invitation(
        self, info: Info, input: InputArgument[RevokeInvitationInput]
    ) -> RevokeInvitationPayload:
        context = info.context
        context.viewer.require_member()
        pk = expect_global_id(input.id, "Invitation", field="id")
        row, errors = await attempt(
            inviting.revoke_invitation(context.db, context.viewer, pk, now=context.clock())
        )
        invitation = None if row is None else Invitation.from_model(row, context.clock())
        return RevokeInvitationPayload(invitation=invitation, user_errors=errors)

    @strawberry.mutation(
        description="Accept an invitation with its link's token (once): for single-page apps "
        "(the link's page does the same with its button). An invitation that makes a new "
        "account also signs it in (a session token, as `signIn` gives); one to an email that "
        "has an account adds the membership and gives no token (sign in as usual). An unknown, "
        "used, expired or withdrawn token, or one whose inviter may no longer invite to that "
        "center, gets one and the same userError. Rate limited per client address "
        "(RATE_LIMITED)."
    )
    async def accept_invitation(
        self, info: Info, input: InputArgument[AcceptInvitationInput]
    ) -> AcceptInvitationPayload:
        context = info.context
        if context.sign_in_limits is not None:
            await context.sign_in_limits.check_sign_in(context.client_address)
        accepted, errors = await attempt(
            accepting.accept_invitation(
                context.db,
                input.token,
                now=context.clock(),
                user_agent=context.user_agent,
                session_days=context.settings.session_days,
            )
        )
        if accepted is None:
            return AcceptInvitationPayload(
                token=None, expires_at=None, person=None, membership=None, user_errors=errors
            )
        # A person already signed in elsewhere has a new membership: their viewer changed.
        await announce_roles_changed(context.db, accepted.person_id)
        person = await context.loaders.person.load(accepted.person_id)
        membership = await context.loaders.membership.load(accepted.membership_id)
        issued = accepted.session
        return AcceptInvitationPayload(
            token=None if issued is None else issued.secret,
            expires_at=None if issued is None else issued.expires_at,
            person=None if person is None else Person.from_model(person),
            membership=None if membership is None else Membership.from_model(membership),
            user_errors=[],
        )


__all__ = ["CenterInvitations", "Invitation", "InvitationMutations"]
