"""``invite_person`` and ``revoke_invitation``.

The answer never says whether the email already has an account: the invitation is made and
mailed the same way (accepting it then adds the membership to that account). Only someone
already on the center's team is refused (``email``, TAKEN): whoever may invite to a center sees
its team anyway; so is a deactivated account's email (``email``, CONFLICT), which would get a
link that cannot work. Inviting an email again to the same center withdraws the earlier link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from icn_graph.db.database import Database
from icn_graph.errors import Forbidden, InvalidInput, NotFound, UserError, UserErrorCode
from icn_graph.models import Center, CenterRole, Invitation, Membership, Person
from icn_graph.services.invitations.access import may_invite, may_see
from icn_graph.services.invitations.links import new_invitation_secret
from icn_graph.services.invitations.states import usable
from icn_graph.services.people import normalize_email
from icn_graph.services.tokens import hash_token
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer

MAX_NAME_LENGTH = 120
MAX_MESSAGE_LENGTH = 1000

NOT_ALLOWED = "Only network staff or this center's QI lead can invite people to its team."
DEACTIVATED = (
    "The account with this email is deactivated: ask network staff to reactivate it "
    "(reactivatePerson), then invite again."
)


@dataclass(frozen=True)
class InvitationDraft:
    email: str
    display_name: str
    center_id: int
    role: CenterRole
    message: str = ""


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation and its link's secret, for the mail only: the database keeps its hash."""

    invitation: Invitation
    secret: str
    inviter_name: str
    center_name: str


def _checked(draft: InvitationDraft) -> tuple[Checker, str, str, str]:
    check = Checker()
    email = check.email("email", draft.email)
    name = check.text("displayName", draft.display_name, max_length=MAX_NAME_LENGTH, label="Name")
    message = ""
    if draft.message.strip():
        message = check.text(
            "message",
            draft.message,
            max_length=MAX_MESSAGE_LENGTH,
            label="Message",
            multiline=True,
        )
    return check, email, name, message


async def invite_person(
    db: Database, viewer: Viewer, draft: InvitationDraft, *, now: datetime, days: int
) -> IssuedInvitation:
    """A new invitation valid for ``days``; FORBIDDEN for a center the viewer cannot manage."""
    viewer.require_member()
    if not may_invite(viewer, draft.center_id):
        raise Forbidden(NOT_ALLOWED)
    check, email, name, message = _checked(draft)
    key = normalize_email(email)
    async with db.transaction() as session:
        center = await session.get(Center, draft.center_id)
        if center is None:
            check.add("centerId", "No center has that id.", UserErrorCode.NOT_FOUND)
        elif not check.errors:
            on_team = (
                select(Membership.id)
                .join(Person, Person.id == Membership.person_id)
                .where(Person.email_key == key, Membership.center_id == center.id)
            )
            deactivated = select(Person.id).where(
                Person.email_key == key, Person.deactivated_at.is_not(None)
            )
            if (await session.scalars(on_team)).first() is not None:
                check.add(
                    "email",
                    f"Someone with this email is already on {center.name}'s team.",
                    UserErrorCode.TAKEN,
                )
            elif (await session.scalars(deactivated)).first() is not None:
                check.add("email", DEACTIVATED, UserErrorCode.CONFLICT)
        check.raise_if_any()
        assert center is not None
        inviter = await session.get(Person, viewer.require_member())
        # One live link per email and center: the newest.
        await session.execute(
            update(Invitation)
            .where(Invitation.email_key == key, Invitation.center_id == center.id, usable(now))
            .values(revoked_at=now),
            execution_options={"synchronize_session": False},
        )
        secret = new_invitation_secret()
        invitation = Invitation(
            email=email,
            email_key=key,
            display_name=name,
            center_id=center.id,
            role=draft.role,
            message=message,
            invited_by_id=viewer.person_id,
            token_hash=hash_token(secret),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        session.add(invitation)
    inviter_name = inviter.display_name if inviter is not None else ""
    return IssuedInvitation(invitation, secret, inviter_name, center.name)


async def revoke_invitation(
    db: Database, viewer: Viewer, invitation_id: int, *, now: datetime
) -> Invitation:
    """Withdraw an invitation: its link stops working. Whoever sent it, staff, or the center's QI
    lead; for anyone else it does not exist (NOT_FOUND). An accepted one cannot be withdrawn."""
    viewer.require_member()
    async with db.transaction() as session:
        invitation = await session.get(Invitation, invitation_id)
        if invitation is None or not may_see(viewer, invitation):
            raise NotFound("No invitation has that id.", field="id")
        # Conditional, so an acceptance at the same moment cannot also be withdrawn.
        await session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(revoked_at=now),
            execution_options={"synchronize_session": False},
        )
        await session.refresh(invitation)
        if invitation.accepted_at is not None:
            raise InvalidInput(
                [
                    UserError(
                        "id",
                        "This invitation was already accepted; to undo it, remove the "
                        "membership (removeMembership).",
                        UserErrorCode.CONFLICT,
                    )
                ]
            )
    return invitation
