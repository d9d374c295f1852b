"""Changing one's email by confirmation: asking for it changes nothing but mails a link to the
new address (a 256-bit secret stored as its SHA-256 hash, good once, for 24 hours); using the
link changes the email.

A new request replaces a pending one. A request for someone else's address is recorded and
answered the same way (so the answer does not say who has an account), but its link is never
mailed: the address gets a notice instead, and nothing changes on either account. Confirming
checks again that nobody else has taken the address meanwhile, and deletes the person's pending
sign-in links (they were mailed to the old address); sessions stay signed in (the person asked
for the change while signed in, and proved they hold the new address). An unknown, used or
expired link gets one and the same refusal."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.errors import InvalidInput, UserError, UserErrorCode
from icn_graph.events import SubjectRef, record
from icn_graph.models import Person, SignInLink
from icn_graph.models.accounts import EmailChange
from icn_graph.services.accounts.events import PersonUpdated
from icn_graph.services.accounts.profile import apply, email_taken
from icn_graph.services.tokens import MAX_TOKEN_LENGTH, hash_token

EMAIL_CHANGE_PREFIX = "icnemail_"
EMAIL_CHANGE_HOURS = 24

CHANGE_REFUSED = (
    "This email confirmation link is unknown, already used or expired; ask for the change "
    "again (links work once, for 24 hours)."
)


@dataclass(frozen=True)
class IssuedEmailChange:
    """A requested change, for the two mails only: the database keeps the secret's hash."""

    secret: str
    display_name: str
    old_email: str
    new_email: str
    expires_at: datetime
    # Someone else's address: its link is never mailed (the address gets a notice instead), and
    # confirming it would be refused; the request reads like any other so it tells nobody
    # which addresses have accounts.
    address_taken: bool = False


class EmailChangeRefused(InvalidInput):
    """Unknown, used or expired: one answer for all three."""

    def __init__(self) -> None:
        super().__init__([UserError("token", CHANGE_REFUSED, UserErrorCode.INVALID)])


def new_change_secret() -> str:
    return EMAIL_CHANGE_PREFIX + secrets.token_urlsafe(32)


async def start_change(
    session: AsyncSession,
    person: Person,
    new_email: str,
    *,
    now: datetime,
    address_taken: bool = False,
) -> IssuedEmailChange:
    """Record a change of ``person``'s email to ``new_email``, replacing any not yet confirmed,
    in ``session``'s transaction."""
    await session.execute(
        delete(EmailChange).where(
            EmailChange.person_id == person.id, EmailChange.confirmed_at.is_(None)
        )
    )
    secret = new_change_secret()
    expires_at = now + timedelta(hours=EMAIL_CHANGE_HOURS)
    session.add(
        EmailChange(
            person_id=person.id,
            new_email=new_email,
            token_hash=hash_token(secret),
            created_at=now,
            expires_at=expires_at,
        )
    )
    return IssuedEmailChange(
        secret, person.display_name, person.email, new_email, expires_at, address_taken
    )


async def pending_email(session: AsyncSession, person_id: int, now: datetime) -> str | None:
    """The address the person asked to change to, while its link still works."""
    statement = select(EmailChange.new_email).where(
        EmailChange.person_id == person_id,
        EmailChange.confirmed_at.is_(None),
        EmailChange.expires_at > now,
    )
    return (await session.scalars(statement.order_by(EmailChange.id.desc()))).first()


async def confirm_change(db: Database, secret: str, *, now: datetime) -> Person:
    """Use an email change's link (once): the person, with their new email.

    The link is marked used by one conditional UPDATE, so two simultaneous uses cannot both win;
    if the address was taken meanwhile, nothing is written and the link stays unused.
    """
    secret = secret.strip()
    if not secret.startswith(EMAIL_CHANGE_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
        raise EmailChangeRefused()
    new_email = ""
    try:
        async with db.transaction() as session:
            used = await session.execute(
                update(EmailChange)
                .where(
                    EmailChange.token_hash == hash_token(secret),
                    EmailChange.confirmed_at.is_(None),
                    EmailChange.expires_at > now,
                )
                .values(confirmed_at=now)
                .returning(EmailChange.person_id, EmailChange.new_email),
                execution_options={"synchronize_session": False},
            )
            row = used.one_or_none()
            if row is None:
                raise EmailChangeRefused()
            person_id, new_email = row
            person = await session.get(Person, person_id, with_for_update=True)
            if person is None or person.deactivated_at is not None:
                raise EmailChangeRefused()
            if await email_taken(session, new_email, person.id):
                raise _taken_meanwhile(new_email)
            changes = apply(person, {"email": new_email})
            await session.execute(delete(SignInLink).where(SignInLink.person_id == person.id))
            updated = PersonUpdated(
                person=SubjectRef("Person", person.id), name=person.display_name, changes=changes
            )
            record(session, updated, actor_id=person.id)
    except IntegrityError as error:  # taken between the check and the commit
        raise _taken_meanwhile(new_email) from error
    return person


def _taken_meanwhile(email: str) -> InvalidInput:
    return InvalidInput(
        [
            UserError(
                "token",
                f"Someone else started using '{email}' after you asked for the change; choose "
                "another address.",
                UserErrorCode.TAKEN,
            )
        ]
    )
