"""A person's sessions and personal access tokens: listing them, making one, revoking one.

Only the owner lists their own. The owner or network staff may revoke one; for anyone else it
does not exist (NOT_FOUND), so ids cannot be probed. Revoking takes effect on the next request.
Revoking a session also revokes the personal access tokens and the calendar feed made with it
(``made_by_session_id``), so ending a stolen session leaves nothing of the thief's working;
:func:`sign_out_everywhere` revokes all of a person's sessions, tokens and feed at once.

A personal access token cannot make another (FORBIDDEN): one that expires in an hour could
otherwise make one that never does. Sessions (and CLI tokens) may make any, expiring or not, up to
:data:`MAX_LIVE_PERSONAL_TOKENS` live ones per person (revoked and expired ones do not count).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, Result, and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.errors import Forbidden, InvalidInput, NotFound, UserError, UserErrorCode
from icn_graph.models import ApiToken, CalendarFeed, Person, TokenKind
from icn_graph.models.accounts import EmailChange
from icn_graph.services.tokens import hash_token, live, new_secret
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer

MAX_PERSONAL_TOKEN_DAYS = 366
MAX_LIVE_PERSONAL_TOKENS = 50
TOO_MANY_TOKENS = (
    f"You have {MAX_LIVE_PERSONAL_TOKENS} live personal access tokens, the most one person may "
    "have: revoke one you no longer use (viewer.personalAccessTokens) before making another."
)
MADE_FROM_A_SESSION = (
    "A personal access token cannot make personal access tokens: make them from a signed-in "
    "session (requestSignIn, then the mailed link)."
)

SIGN_OUT_FROM_A_SESSION = (
    "Sign out everywhere from a signed-in session (requestSignIn, then the mailed link), not "
    "with a personal access token."
)


@dataclass(frozen=True)
class PersonalTokenDraft:
    name: str
    expires_at: datetime | None = None
    read_only: bool = False


async def live_tokens(
    db: Database, viewer: Viewer, kind: TokenKind, now: datetime
) -> list[ApiToken]:
    """The viewer's own live tokens of ``kind``, the most recently used first."""
    person_id = viewer.require_member()
    statement = (
        select(ApiToken)
        .where(ApiToken.person_id == person_id, ApiToken.kind == kind, live(now))
        .order_by(
            func.coalesce(ApiToken.last_used_at, ApiToken.created_at).desc(), ApiToken.id.desc()
        )
    )
    async with db.session() as session:
        return list(await session.scalars(statement))


async def create_personal_token(
    db: Database, viewer: Viewer, draft: PersonalTokenDraft, *, now: datetime
) -> tuple[ApiToken, str]:
    """A new personal access token and its secret (shown once)."""
    person_id = viewer.require_member()
    if viewer.token_kind is TokenKind.PERSONAL:
        raise Forbidden(MADE_FROM_A_SESSION)
    check = Checker()
    name = check.text("name", draft.name, max_length=100, label="Name")
    if draft.expires_at is not None:
        if draft.expires_at.tzinfo is None:
            check.add("expiresAt", "Give the expiry with a time zone (e.g. 2027-01-31T00:00:00Z).")
        elif draft.expires_at <= now:
            check.add("expiresAt", "The expiry must be in the future.")
        elif draft.expires_at > now + timedelta(days=MAX_PERSONAL_TOKEN_DAYS):
            check.add("expiresAt", f"A token can last at most {MAX_PERSONAL_TOKEN_DAYS} days.")
    check.raise_if_any()
    secret = new_secret()
    token = ApiToken(
        person_id=person_id,
        token_hash=hash_token(secret),
        label=name,
        kind=TokenKind.PERSONAL,
        created_at=now,
        last_used_at=None,
        expires_at=draft.expires_at,
        read_only=draft.read_only,
        made_by_session_id=viewer.token_id if viewer.token_kind is TokenKind.SESSION else None,
    )
    async with db.transaction() as session:
        # The person's row is locked (PostgreSQL): two requests at once cannot both pass the cap.
        await session.execute(select(Person.id).where(Person.id == person_id).with_for_update())
        live_count = await session.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(ApiToken.person_id == person_id, ApiToken.kind == TokenKind.PERSONAL, live(now))
        )
        if (live_count or 0) >= MAX_LIVE_PERSONAL_TOKENS:
            raise InvalidInput([UserError("name", TOO_MANY_TOKENS, UserErrorCode.CONFLICT)])
        session.add(token)
    return token, secret


async def revoke_token(
    db: Database, viewer: Viewer, token_id: int, kind: TokenKind, *, now: datetime
) -> ApiToken:
    """Revoke a live token of ``kind``: its owner or staff; NOT_FOUND for anyone else."""
    person_id = viewer.require_member()
    noun = "session" if kind is TokenKind.SESSION else "personal access token"
    async with db.transaction() as session:
        token = (
            await session.scalars(
                select(ApiToken).where(ApiToken.id == token_id, ApiToken.kind == kind, live(now))
            )
        ).first()
        if token is None or (token.person_id != person_id and not viewer.is_staff):
            raise NotFound(f"No {noun} has that ID.", field="id")
        token.revoked_at = now
        if kind is TokenKind.SESSION:
            await _revoke_made_by(session, [token.id], now)
    return token


@dataclass(frozen=True)
class SignedOut:
    sessions: int
    personal_access_tokens: int
    calendar_feed: bool


async def sign_out_everywhere(
    db: Database, viewer: Viewer, *, keep_current: bool, now: datetime
) -> SignedOut:
    """Revoke every session of the viewer (but this one, with ``keep_current``), every personal
    access token and the calendar feed, and withdraw a pending email change. From a session or
    a CLI token: a personal access token is FORBIDDEN (a stolen one must not sign its owner out)."""
    person_id = viewer.require_member()
    if viewer.token_kind is TokenKind.PERSONAL:
        raise Forbidden(SIGN_OUT_FROM_A_SESSION)
    async with db.transaction() as session:
        sessions = select(ApiToken.id).where(
            ApiToken.person_id == person_id,
            ApiToken.kind == TokenKind.SESSION,
            ApiToken.revoked_at.is_(None),
        )
        if keep_current and viewer.token_id is not None:
            sessions = sessions.where(ApiToken.id != viewer.token_id)
        ended = await _revoke(session, ApiToken.id.in_(sessions.scalar_subquery()), now)
        tokens = await _revoke(
            session,
            and_(ApiToken.person_id == person_id, ApiToken.kind == TokenKind.PERSONAL),
            now,
        )
        feeds = await session.execute(
            update(CalendarFeed)
            .where(CalendarFeed.person_id == person_id, CalendarFeed.revoked_at.is_(None))
            .values(revoked_at=now),
            execution_options={"synchronize_session": False},
        )
        await session.execute(
            delete(EmailChange).where(
                EmailChange.person_id == person_id, EmailChange.confirmed_at.is_(None)
            )
        )
    return SignedOut(ended, tokens, _rowcount(feeds) > 0)


async def _revoke(session: AsyncSession, which: ColumnElement[bool], now: datetime) -> int:
    result = await session.execute(
        update(ApiToken).where(which, ApiToken.revoked_at.is_(None)).values(revoked_at=now),
        execution_options={"synchronize_session": False},
    )
    return _rowcount(result)


def _rowcount(result: Result[Any]) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0


async def _revoke_made_by(session: AsyncSession, session_ids: list[int], now: datetime) -> None:
    """Revoke the personal access tokens and calendar feeds made with these sessions: whoever
    held a session (a thief too) leaves nothing behind when it is ended."""
    await _revoke(session, ApiToken.made_by_session_id.in_(session_ids), now)
    await session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.made_by_session_id.in_(session_ids), CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now),
        execution_options={"synchronize_session": False},
    )
