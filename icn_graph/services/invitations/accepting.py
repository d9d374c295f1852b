"""Using an invitation link: ``preview_invitation`` (what the link's page shows, changing
nothing) and ``accept_invitation`` (once: the account and the membership, in one transaction).

The link is marked used by one conditional UPDATE, so two simultaneous uses cannot both win.
Accepting makes an account for the invitation's email when none has it (its kind follows the
role: a PARENT_PARTNER invitation makes a parent partner) and signs it in: the link proved the
address. An email that has an account already gets the membership but no session: the person
signs in as usual, so an invitation is never a long-lived sign-in link to an existing account.
The membership is added unless that account is already on the team (it then keeps its role).
The inviter is the actor of the events. A deactivated account's invitation, and one whose
inviter is no longer active or no longer allowed to invite to that center (:mod:`authority`),
is refused like an unknown link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.events import SubjectRef, record
from icn_graph.models import Center, CenterRole, Invitation, Membership, Person, PersonKind
from icn_graph.services.directory_events import MembershipAdded, PersonCreated, membership_refs
from icn_graph.services.invitations.authority import inviter_may_invite
from icn_graph.services.invitations.links import InvitationRefused, cleaned_secret
from icn_graph.services.invitations.states import usable
from icn_graph.services.sign_in.links import IssuedSession, open_session
from icn_graph.services.tokens import hash_token


@dataclass(frozen=True)
class InvitationPreview:
    """What the link's page shows before its button is pressed."""

    display_name: str
    inviter_name: str
    center_name: str
    role: CenterRole
    message: str
    expires_at: datetime


@dataclass(frozen=True)
class AcceptedInvitation:
    # None when the email already had an account: that person signs in as usual.
    session: IssuedSession | None
    person_id: int
    membership_id: int
    center_id: int
    # False when the email already had an account.
    created_account: bool


async def preview_invitation(db: Database, secret: str, *, now: datetime) -> InvitationPreview:
    """The invitation behind a link that still works; :class:`InvitationRefused` otherwise."""
    token_hash = hash_token(cleaned_secret(secret))
    async with db.session() as session:
        statement = select(Invitation).where(Invitation.token_hash == token_hash, usable(now))
        invitation = (await session.scalars(statement)).first()
        if (
            invitation is None
            or await _deactivated(session, invitation.email_key)
            or not await inviter_may_invite(session, invitation)
        ):
            raise InvitationRefused()
        center = await session.get(Center, invitation.center_id)
        inviter = (
            await session.get(Person, invitation.invited_by_id)
            if invitation.invited_by_id is not None
            else None
        )
    return InvitationPreview(
        display_name=invitation.display_name,
        inviter_name=inviter.display_name if inviter is not None else "",
        center_name=center.name if center is not None else "",
        role=invitation.role,
        message=invitation.message,
        expires_at=invitation.expires_at,
    )


async def _deactivated(session: AsyncSession, email_key: str) -> bool:
    statement = select(Person.id).where(
        Person.email_key == email_key, Person.deactivated_at.is_not(None)
    )
    return (await session.scalars(statement)).first() is not None


async def accept_invitation(
    db: Database, secret: str, *, now: datetime, user_agent: str, session_days: int
) -> AcceptedInvitation:
    """Use an invitation link (once); :class:`InvitationRefused` if it does not work."""
    token_hash = hash_token(cleaned_secret(secret))
    try:
        return await _accept(db, token_hash, now, user_agent, session_days)
    except IntegrityError:
        # Someone made the account or the membership in the same instant; everything was
        # rolled back (the link too), and now they exist: use them.
        return await _accept(db, token_hash, now, user_agent, session_days)


async def _accept(
    db: Database, token_hash: str, now: datetime, user_agent: str, session_days: int
) -> AcceptedInvitation:
    async with db.transaction() as session:
        used = await session.scalars(
            update(Invitation)
            .where(Invitation.token_hash == token_hash, usable(now))
            .values(accepted_at=now)
            .returning(Invitation),
            execution_options={"synchronize_session": False},
        )
        invitation = used.one_or_none()
        if invitation is None:
            raise InvitationRefused()
        statement = select(Person).where(Person.email_key == invitation.email_key)
        person = (await session.scalars(statement)).first()
        if person is not None and person.deactivated_at is not None:
            raise InvitationRefused()  # the rollback leaves the link as it was
        if not await inviter_may_invite(session, invitation):
            raise InvitationRefused()
        actor = invitation.invited_by_id
        created_account = person is None
        if person is None:
            person = Person(
                display_name=invitation.display_name,
                email=invitation.email,
                email_key=invitation.email_key,
                kind=PersonKind(invitation.role.value),
            )
            session.add(person)
            await session.flush()
            created = SubjectRef("Person", person.id)
            record(session, PersonCreated(person=created, name=person.display_name), actor_id=actor)
        membership = await _membership(session, invitation, person, now, actor)
        invitation.person_id = person.id
        await session.flush()
        issued = (
            open_session(
                session, person.id, now=now, user_agent=user_agent, session_days=session_days
            )
            if created_account
            else None
        )
    return AcceptedInvitation(
        issued, person.id, membership.id, invitation.center_id, created_account
    )


async def _membership(
    session: AsyncSession, invitation: Invitation, person: Person, now: datetime, actor: int | None
) -> Membership:
    """The person's membership of the invitation's center: theirs already, or added now."""
    statement = select(Membership).where(
        Membership.person_id == person.id, Membership.center_id == invitation.center_id
    )
    existing = (await session.scalars(statement)).first()
    if existing is not None:
        return existing
    center = await session.get(Center, invitation.center_id)
    assert center is not None  # deleting a center deletes its invitations
    membership = Membership(
        person_id=person.id, center_id=center.id, role=invitation.role, since=now.date()
    )
    session.add(membership)
    await session.flush()
    record(session, MembershipAdded(**membership_refs(membership, person, center)), actor_id=actor)
    return membership
