"""API tokens: minting (shown once), hashing, and turning a bearer token into a Viewer."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import NotFound
from icn_graph.models import ApiToken, Person
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


def hash_token(secret: str) -> str:
    # A 256-bit random secret needs no slow hash: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def issue_token(db: Database, email: str, label: str = "cli") -> IssuedToken:
    """Mint a token for the person with ``email`` (an operator action: no viewer check)."""
    label = label.strip()[:100] or "cli"
    async with db.transaction() as session:
        statement = select(Person).where(Person.email_key == normalize_email(email))
        person = (await session.scalars(statement)).first()
        if person is None:
            raise NotFound(f"No person has the email '{email}'.", field="email")
        secret = new_secret()
        session.add(ApiToken(person_id=person.id, token_hash=hash_token(secret), label=label))
    return IssuedToken(secret=secret, person=person, label=label)


async def revoke_tokens(db: Database, email: str, label: str | None = None) -> int:
    """Revoke the person's live tokens (only those with ``label``, if given); returns how many."""
    async with db.transaction() as session:
        statement = select(Person.id).where(Person.email_key == normalize_email(email))
        person_id = (await session.scalars(statement)).first()
        if person_id is None:
            raise NotFound(f"No person has the email '{email}'.", field="email")
        revoke = (
            update(ApiToken)
            .where(ApiToken.person_id == person_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        if label is not None:
            revoke = revoke.where(ApiToken.label == label)
        result = await session.execute(revoke)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def viewer_for_token(db: Database, secret: str) -> Viewer:
    """The viewer a bearer token stands for, in one query; a marked anonymous viewer if none."""
    if not secret or len(secret) > MAX_TOKEN_LENGTH:
        return Viewer.anonymous(rejected_token=True)
    statement = (
        viewer_rows()
        .join(ApiToken, ApiToken.person_id == Person.id)
        .where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
    )
    async with db.session() as session:
        viewers = fold_viewers(await session.execute(statement))
    return next(iter(viewers.values()), Viewer.anonymous(rejected_token=True))
