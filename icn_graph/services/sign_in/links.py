"""Sign-in links: a 256-bit secret mailed to a person, stored as its SHA-256 hash, good once and
for at most 15 minutes (``ICN_SIGN_IN_LINK_MINUTES``); using it issues a session token.

Asking never says whether the email belongs to anyone: :func:`request_link` returns ``None`` for
an unknown email, or a deactivated person's, and the caller answers the same either way. It also
returns ``None`` (nothing is mailed) when the person already holds ``live_links`` working links:
whoever asked, those links are in the person's inbox, so nobody can lock them out by asking, and
their inbox gets at most ``live_links`` links per link lifetime, plus one per link they use. An
unknown, used or expired link (or one of a person deactivated since) gets one and the same
refusal, :class:`LinkRefused`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.errors import InvalidInput, UserError, UserErrorCode
from icn_graph.models import ApiToken, Person, SignInLink, TokenKind
from icn_graph.services.people import normalize_email
from icn_graph.services.tokens import MAX_TOKEN_LENGTH, hash_token, new_secret

LINK_PREFIX = "icnlink_"
MAX_LINK_MINUTES = 15
LIVE_LINKS = 3
MAX_EMAIL_LENGTH = 254
USER_AGENT_LENGTH = 300


def minutes_phrase(minutes: int) -> str:
    """How long a link works, in words: "1 minute", "15 minutes"."""
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def link_refused(minutes: int = MAX_LINK_MINUTES) -> str:
    return (
        "This sign-in link is unknown, already used or expired; ask for a new one (links work "
        f"once, for {minutes_phrase(minutes)})."
    )


@dataclass(frozen=True)
class IssuedLink:
    """A sign-in link's secret, for the mail only: the database keeps its hash."""

    secret: str
    email: str
    display_name: str
    expires_at: datetime


@dataclass(frozen=True)
class IssuedSession:
    """A session token (shown once) and whose it is."""

    secret: str
    person_id: int
    expires_at: datetime


class LinkRefused(InvalidInput):
    """Unknown, used or expired: one answer for all three."""

    def __init__(self, minutes: int = MAX_LINK_MINUTES) -> None:
        self.message = link_refused(minutes)
        super().__init__([UserError("token", self.message, UserErrorCode.INVALID)])


def email_key(email: str) -> str:
    """The key rate limits and lookups use: trimmed, lower case, bounded."""
    return normalize_email(email.strip())[:MAX_EMAIL_LENGTH]


def new_link_secret() -> str:
    return LINK_PREFIX + secrets.token_urlsafe(32)


async def request_link(
    db: Database,
    email: str,
    *,
    now: datetime,
    minutes: int = MAX_LINK_MINUTES,
    live_links: int = LIVE_LINKS,
) -> IssuedLink | None:
    """A new sign-in link for the person with ``email``; None if nobody has it, they are
    deactivated, or they hold ``live_links`` working links already."""
    minutes = min(minutes, MAX_LINK_MINUTES)
    async with db.transaction() as session:
        # Locked (on PostgreSQL), so simultaneous requests count the live links one at a time.
        statement = (
            select(Person)
            .where(Person.email_key == email_key(email), Person.deactivated_at.is_(None))
            .with_for_update()
        )
        person = (await session.scalars(statement)).first()
        if person is None:
            return None
        # The person's links that can no longer be used go: the table holds only live ones.
        await session.execute(
            delete(SignInLink).where(
                SignInLink.person_id == person.id,
                or_(SignInLink.used_at.is_not(None), SignInLink.expires_at <= now),
            )
        )
        live = select(func.count()).where(SignInLink.person_id == person.id)
        if (await session.scalar(live) or 0) >= live_links:
            return None
        secret = new_link_secret()
        expires_at = now + timedelta(minutes=minutes)
        session.add(
            SignInLink(
                person_id=person.id,
                token_hash=hash_token(secret),
                created_at=now,
                expires_at=expires_at,
            )
        )
    return IssuedLink(secret, person.email, person.display_name, expires_at)


async def sign_in(
    db: Database,
    secret: str,
    *,
    now: datetime,
    user_agent: str,
    session_days: int,
    link_minutes: int = MAX_LINK_MINUTES,
) -> IssuedSession:
    """Use a sign-in link (once) and open a session; :class:`LinkRefused` if it does not work
    (its message says links work for ``link_minutes``).

    The link is marked used by one conditional UPDATE, so two simultaneous uses cannot both win.
    """
    secret = secret.strip()
    if not secret.startswith(LINK_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
        raise LinkRefused(link_minutes)
    active = select(Person.id).where(Person.deactivated_at.is_(None))
    async with db.transaction() as session:
        used = await session.execute(
            update(SignInLink)
            .where(
                SignInLink.token_hash == hash_token(secret),
                SignInLink.used_at.is_(None),
                SignInLink.expires_at > now,
                SignInLink.person_id.in_(active),
            )
            .values(used_at=now)
            .returning(SignInLink.person_id),
            execution_options={"synchronize_session": False},
        )
        person_id = used.scalar_one_or_none()
        if person_id is None:
            raise LinkRefused(link_minutes)
        return open_session(
            session, person_id, now=now, user_agent=user_agent, session_days=session_days
        )


def open_session(
    session: AsyncSession, person_id: int, *, now: datetime, user_agent: str, session_days: int
) -> IssuedSession:
    """A new session for ``person_id``, added to ``session``'s transaction: every link that
    signs someone in (sign-in, invitation) ends here."""
    token = new_secret()
    expires_at = now + timedelta(days=session_days)
    session.add(
        ApiToken(
            person_id=person_id,
            token_hash=hash_token(token),
            label="session",
            kind=TokenKind.SESSION,
            created_at=now,
            last_used_at=now,
            expires_at=expires_at,
            user_agent=user_agent[:USER_AGENT_LENGTH],
        )
    )
    return IssuedSession(token, person_id, expires_at)
