"""A person's account after it is made: ``updateViewer`` and ``confirmEmailChange`` (their
own), staff's ``updatePerson``, ``deactivatePerson`` and ``reactivatePerson``."""

from __future__ import annotations

import strawberry

from icn_graph import models
from icn_graph.notifications.account_mail import mail_email_change, mail_moved_address
from icn_graph.notifications.realtime.revocations import (
    announce_revocation,
    announce_roles_changed,
)
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import USER_ERRORS_DESCRIPTION, InputArgument
from icn_graph.schema.payload_viewer import ViewerRef, payload_viewer
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.people import Person
from icn_graph.schema.relay import expect_global_id
from icn_graph.services.accounts import deactivation, email_changes, own_profile, staff_edits
from icn_graph.services.accounts.profile import ProfileChanges

KEEP = "Null or absent: unchanged."


@strawberry.input(description="Your own profile; only the fields given change.")
class UpdateViewerInput:
    display_name: str | None = strawberry.field(
        default=None, description=f"Your name (at most 120 characters). {KEEP}"
    )
    pronouns: str | None = strawberry.field(
        default=None, description=f"At most 40 characters; empty clears them. {KEEP}"
    )
    timezone: str | None = strawberry.field(
        default=None, description=f"An IANA time zone (America/Chicago). {KEEP}"
    )
    locale: str | None = strawberry.field(
        default=None, description=f"A BCP 47 language tag (en, en-US, fr-CA). {KEEP}"
    )
    email: str | None = strawberry.field(
        default=None,
        description="A new address: not set at once, but mailed a link that sets it when used "
        f"(24 hours, once); the old address is told. {KEEP}",
    )


@strawberry.type(description="What `updateViewer` did.")
class UpdateViewerPayload:
    person: Person | None = strawberry.field(description="You, as changed.")
    pending_email: str | None = strawberry.field(
        description="The address waiting for its link to be used, if any: your email stays "
        "`person.email` until then."
    )
    viewer: ViewerRef | None = strawberry.field(
        description="You as changed (`pendingEmail`, the preferences' time zone), for client "
        "caches; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="The link that confirms a new email.")
class ConfirmEmailChangeInput:
    token: str = strawberry.field(description="The secret of a mailed email-change link.")


@strawberry.type(description="What `confirmEmailChange` did.")
class ConfirmEmailChangePayload:
    person: Person | None = strawberry.field(description="Whose email changed, with the new one.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="Only the fields given change.")
class UpdatePersonInput:
    id: strawberry.ID = strawberry.field(description="The person to change.")
    display_name: str | None = strawberry.field(default=None, description=KEEP)
    pronouns: str | None = strawberry.field(default=None, description=f"Empty clears them. {KEEP}")
    timezone: str | None = strawberry.field(default=None, description=KEEP)
    locale: str | None = strawberry.field(default=None, description=KEEP)
    email: str | None = strawberry.field(
        default=None,
        description=f"Set at once (TAKEN if someone has it); the old address is told. {KEEP}",
    )
    kind: models.PersonKind | None = strawberry.field(default=None, description=KEEP)
    network_role: models.NetworkRole | None = strawberry.field(
        default=None,
        description="Only an admin grants ADMIN; nobody changes their own role. " + KEEP,
    )


@strawberry.type(description="What `updatePerson` did.")
class UpdatePersonPayload:
    person: Person | None = strawberry.field(description="The person as changed; null if refused.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="An account to switch off.")
class DeactivatePersonInput:
    id: strawberry.ID = strawberry.field(description="The person to deactivate.")
    reason: str | None = strawberry.field(
        default=None, description="Why, for the record (at most 500 characters)."
    )


@strawberry.type(description="What `deactivatePerson` did.")
class DeactivatePersonPayload:
    person: Person | None = strawberry.field(description="The person, with `deactivatedAt` set.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A deactivated account to switch on again.")
class ReactivatePersonInput:
    id: strawberry.ID = strawberry.field(description="The person to reactivate.")


@strawberry.type(description="What `reactivatePerson` did.")
class ReactivatePersonPayload:
    person: Person | None = strawberry.field(description="The person, active again.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


def _profile(
    input: UpdateViewerInput | UpdatePersonInput,
) -> ProfileChanges:
    return ProfileChanges(
        display_name=input.display_name,
        pronouns=input.pronouns,
        timezone=input.timezone,
        locale=input.locale,
        email=input.email,
    )


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="Change your own name, pronouns, time zone, locale or email. A new email "
        "is confirmed by a link mailed to it (`confirmEmailChange` or the link's page); until "
        "then it is `pendingEmail`. A new request replaces a pending one. The answer is the "
        "same whether or not another account has the address: if one has, that address is "
        "mailed a notice instead of the link, and nothing changes on either account. Asking "
        "for an email is rate limited per client address and per requester (RATE_LIMITED)."
    )
    async def update_viewer(
        self, info: Info, input: InputArgument[UpdateViewerInput]
    ) -> UpdateViewerPayload:
        context = info.context
        context.viewer.require_member()
        if input.email is not None and context.sign_in_limits is not None:
            # Each request mails the address given: counted against this client and this
            # requester, never against the address (which may be someone else's).
            await context.sign_in_limits.check_email_change(
                context.viewer.require_member(), context.client_address
            )
        done, errors = await attempt(
            own_profile.update_viewer(
                context.db, context.viewer, _profile(input), now=context.clock()
            )
        )
        if done is None:
            return UpdateViewerPayload(
                person=None, pending_email=None, viewer=None, user_errors=errors
            )
        if done.requested is not None and context.sign_in_mail is not None:
            mail_email_change(context.sign_in_mail, done.requested)
        return UpdateViewerPayload(
            person=Person.from_model(done.person),
            pending_email=done.pending_email,
            viewer=payload_viewer(info),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Use an email-change link's token (once): the account's email becomes the "
        "new address. No sign-in needed: the token proves it. An unknown, used or expired token "
        "gets one and the same userError; an address someone else took meanwhile, TAKEN. Rate "
        "limited per client address with `signIn` (RATE_LIMITED)."
    )
    async def confirm_email_change(
        self, info: Info, input: InputArgument[ConfirmEmailChangeInput]
    ) -> ConfirmEmailChangePayload:
        context = info.context
        if context.sign_in_limits is not None:
            await context.sign_in_limits.check_sign_in(context.client_address)
        person, errors = await attempt(
            email_changes.confirm_change(context.db, input.token, now=context.clock())
        )
        return ConfirmEmailChangePayload(
            person=Person.from_model(person) if person is not None else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Change anyone's profile, kind or network role. Staff only; an admin's "
        "account only by an admin."
    )
    async def update_person(
        self, info: Info, input: InputArgument[UpdatePersonInput]
    ) -> UpdatePersonPayload:
        context = info.context
        context.viewer.require_member()
        pk = expect_global_id(input.id, "Person", field="id")
        changes = staff_edits.PersonChanges(
            profile=_profile(input), kind=input.kind, network_role=input.network_role
        )
        done, errors = await attempt(
            staff_edits.update_person(context.db, context.viewer, pk, changes)
        )
        if done is None:
            return UpdatePersonPayload(person=None, user_errors=errors)
        if input.network_role is not None:  # their viewer may have changed: caches, websockets
            await announce_roles_changed(context.db, pk)
        if done.moved is not None and context.sign_in_mail is not None:
            mail_moved_address(context.sign_in_mail, done.moved)
        return UpdatePersonPayload(person=Person.from_model(done.person), user_errors=[])

    @strawberry.mutation(
        description="Switch an account off: every token of the person is revoked at once (open "
        "websockets close at once), no sign-in link is mailed to them, and no "
        "notification. What they wrote stays, under their name. Staff only; not yourself; an "
        "admin only by an admin. Deactivating again changes nothing."
    )
    async def deactivate_person(
        self, info: Info, input: InputArgument[DeactivatePersonInput]
    ) -> DeactivatePersonPayload:
        context = info.context
        context.viewer.require_member()
        pk = expect_global_id(input.id, "Person", field="id")
        person, errors = await attempt(
            deactivation.deactivate_person(
                context.db, context.viewer, pk, input.reason, now=context.clock()
            )
        )
        if person is not None:
            await announce_revocation(context.db, person.id)
        return DeactivatePersonPayload(
            person=Person.from_model(person) if person is not None else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Let a deactivated person sign in again, by a mailed link (`requestSignIn`):"
        " their old tokens stay revoked. Staff only; an admin only by an admin."
    )
    async def reactivate_person(
        self, info: Info, input: InputArgument[ReactivatePersonInput]
    ) -> ReactivatePersonPayload:
        context = info.context
        context.viewer.require_member()
        pk = expect_global_id(input.id, "Person", field="id")
        person, errors = await attempt(
            deactivation.reactivate_person(context.db, context.viewer, pk)
        )
        return ReactivatePersonPayload(
            person=Person.from_model(person) if person is not None else None, user_errors=errors
        )


__all__ = ["AccountMutations"]
