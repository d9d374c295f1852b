"""Bearer tokens: minting (shown once), hashing, and turning a bearer token into a Viewer.

A token is a viewer while it is not revoked and not expired, and its person is not deactivated.
Using a token records its last use at most once per ``touch_seconds`` (so a read is not a write
on every request); a session's expiry moves with that write (sliding sessions).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import BadInput, NotFound
from icn_graph.models import ApiToken, CalendarFeed, Person, TokenKind
from icn_graph.services.people import normalize_email
from icn_graph.services.viewer import Viewer
from icn_graph.services.viewers import fold_viewers, viewer_rows

TOKEN_PREFIX = "icn_"  # noqa: S105  (a recognisable prefix, not a secret)
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class IssuedToken:
    """A freshly minted token. ``secret`` exists only here: the database keeps its hash."""

    secret: str
    person: Person
    label: str


@dataclass(frozen=True)
class TokenUse:
    """How using a token keeps it alive: how often its last use is written, and how long a
    session lasts after it."""

    touch_seconds: float = 3600
    session_days: int = 30


def hash_token(secret: str) -> str:
    # A 256-bit random secret needs no slow hash: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def live(now: datetime) -> ColumnElement[bool]:
    """Tokens that still authenticate at ``now``."""
    return and_(
        ApiToken.revoked_at.is_(None),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
    )


async def issue_token(db: Database, email: str, label: str = "cli") -> IssuedToken:
    """Mint a token for the person with ``email`` (an operator action: no viewer check)."""
    label = label.strip()[:100] or "cli"
    async with db.transaction() as session:
        statement = select(Person).where(Person.email_key == normalize_email(email))
        person = (await session.scalars(statement)).first()
        if person is None:
            raise NotFound(f"No person has the email '{email}'.", field="email")
        if person.deactivated_at is not None:
            raise BadInput(
                f"The account of '{email}' is deactivated: reactivate it first "
                "(the reactivatePerson mutation).",
                field="email",
            )
        secret = new_secret()
        session.add(ApiToken(person_id=person.id, token_hash=hash_token(secret), label=label))
    return IssuedToken(secret=secret, person=person, label=label)


@dataclass(frozen=True)
class Revoked:
    """What ``revoke_tokens_of`` revoked, and whose."""

    person_id: int
    tokens: int
    calendar_feeds: int


async def revoke_tokens_of(db: Database, email: str, label: str | None = None) -> Revoked:
    """Revoke the person's live tokens and their calendar feed (a stolen laptop: everything that
    reads as them), in one transaction. With ``label``, only the tokens with that label: a feed
    has no label, so it is kept."""
    now = utcnow()
    async with db.transaction() as session:
        statement = select(Person.id).where(Person.email_key == normalize_email(email))
        person_id = (await session.scalars(statement)).first()
        if person_id is None:
            raise NotFound(f"No person has the email '{email}'.", field="email")
        revoke = (
            update(ApiToken)
            .where(ApiToken.person_id == person_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        if label is not None:
            revoke = revoke.where(ApiToken.label == label)
        tokens = await session.execute(revoke)
        feeds = 0
        if label is None:
            revoked_feeds = await session.execute(
                update(CalendarFeed)
                .where(CalendarFeed.person_id == person_id, CalendarFeed.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            feeds = int(revoked_feeds.rowcount or 0)  # type: ignore[attr-defined]
        return Revoked(person_id, int(tokens.rowcount or 0), feeds)  # type: ignore[attr-defined]


async def revoke_tokens(db: Database, email: str, label: str | None = None) -> int:
    """``revoke_tokens_of``; returns how many tokens it revoked."""
    return (await revoke_tokens_of(db, email, label)).tokens


@dataclass(frozen=True)
class TokenViewer:
    """The viewer a token stands for, and until when it does unless revoked (None: no end)."""

    viewer: Viewer
    expires_at: datetime | None


async def viewer_for_token(
    db: Database, secret: str, *, use: TokenUse | None = None, now: datetime | None = None
) -> Viewer:
    """The viewer a bearer token stands for, in one query (and, when its last use is older than
    ``use.touch_seconds``, one write); a marked anonymous viewer if none."""
    return (await token_viewer(db, secret, use=use, now=now)).viewer


async def token_viewer(
    db: Database, secret: str, *, use: TokenUse | None = None, now: datetime | None = None
) -> TokenViewer:
    """:func:`viewer_for_token`, with the token's expiry (after this use extended it)."""
    if not secret or len(secret) > MAX_TOKEN_LENGTH:
        return TokenViewer(Viewer.anonymous(rejected_token=True), None)
    use = use or TokenUse()
    now = now or utcnow()
    statement = (
        viewer_rows()
        .add_columns(
            ApiToken.id,
            ApiToken.kind,
            ApiToken.read_only,
            ApiToken.last_used_at,
            ApiToken.expires_at,
        )
        .join(ApiToken, ApiToken.person_id == Person.id)
        .where(
            ApiToken.token_hash == hash_token(secret),
            live(now),
            # Checked here as well as by revoking at deactivation: a token issued in a race
            # (a sign-in link used at that moment) must not work either.
            Person.deactivated_at.is_(None),
        )
    )
    async with db.session() as session:
        rows = (await session.execute(statement)).all()
    if not rows:
        return TokenViewer(Viewer.anonymous(rejected_token=True), None)
    token_id, kind, read_only, last_used_at, expires_at = rows[0][4:]
    (viewer,) = fold_viewers(row[:4] for row in rows).values()
    if last_used_at is None or now - last_used_at >= timedelta(seconds=use.touch_seconds):
        await _touch(db, token_id, kind, now, use)
        if kind is TokenKind.SESSION:
            expires_at = now + timedelta(days=use.session_days)
    return TokenViewer(
        Viewer(
            person_id=viewer.person_id,
            network_role=viewer.network_role,
            center_roles=viewer.center_roles,
            token_id=token_id,
            read_only=read_only,
            token_kind=kind,
        ),
        expires_at,
    )


async def _touch(
    db: Database, token_id: int, kind: TokenKind, now: datetime, use: TokenUse
) -> None:
    values: dict[str, datetime] = {"last_used_at": now}
    if kind is TokenKind.SESSION:
        values["expires_at"] = now + timedelta(days=use.session_days)
    async with db.transaction() as session:
        await session.execute(
            update(ApiToken).where(ApiToken.id == token_id, live(now)).values(**values)
        )
