"""Calendar feeds: each person's secret calendar address ("secret address in iCal format").

Calendar apps subscribe to a URL and cannot send an ``Authorization`` header, so the secret is
in the path: ``/calendar/<secret>/mine.ics`` (the person's own sessions) and
``/calendar/<secret>/learning-sessions/<id>/agenda.ics`` (any session's agenda). The secret is
256 random bits, shown once when the feed is made; only its SHA-256 is stored, and a request is
looked up by that hash (nothing to compare in constant time).

A feed reads as its owner, read-only: what the owner may see, nothing more. One live feed per
person: making one revokes the one before (a reset, for an address that leaked). The owner
revokes theirs, network staff anyone's; deactivating the person revokes it, and so does
revoking the session that made it (or signing out everywhere). A revoked feed, an
unknown secret and a deactivated owner's feed all find nothing, at once.

A personal access token cannot make a feed (FORBIDDEN), as it cannot make a token: one that
expires in an hour must not leave behind an address that works for ever.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from icn_graph.db.database import Database
from icn_graph.errors import Forbidden, InvalidInput, UserError, UserErrorCode
from icn_graph.models import CalendarFeed, Person, TokenKind
from icn_graph.services.tokens import hash_token
from icn_graph.services.viewer import Viewer
from icn_graph.services.viewers import fold_viewers, viewer_rows

FEED_PREFIX = "icncal_"
MAX_SECRET_LENGTH = 100
# Where a feed's calendars are: ``mine.ics``, or a session's ``calendarPath`` appended.
FEED_PATH = "/calendar/{secret}"
MINE = "/mine.ics"
# Calendar apps poll every few minutes to every day; a use is written at most this often.
TOUCH_SECONDS = 60

MADE_FROM_A_SESSION = (
    "A personal access token cannot make a calendar feed: make it from a signed-in session "
    "(requestSignIn, then the mailed link)."
)
READ_ONLY = "A read-only token cannot make a calendar feed."


def new_feed_secret() -> str:
    return FEED_PREFIX + secrets.token_urlsafe(32)


def feed_path(secret: str) -> str:
    """The feed's base path: append ``/mine.ics`` or a session's ``calendarPath``."""
    return FEED_PATH.format(secret=secret)


async def live_feed(db: Database, viewer: Viewer) -> CalendarFeed | None:
    """The viewer's live feed, if they have one."""
    person_id = viewer.require_member()
    statement = select(CalendarFeed).where(
        CalendarFeed.person_id == person_id, CalendarFeed.revoked_at.is_(None)
    )
    async with db.session() as session:
        return (await session.scalars(statement)).first()


async def create_feed(db: Database, viewer: Viewer, *, now: datetime) -> tuple[CalendarFeed, str]:
    """A new feed for the viewer and its secret (shown once); their live one, if any, is
    revoked in the same transaction."""
    person_id = viewer.require_member()
    if viewer.token_kind is TokenKind.PERSONAL:
        raise Forbidden(MADE_FROM_A_SESSION)
    if viewer.read_only:
        raise Forbidden(READ_ONLY)
    secret = new_feed_secret()
    feed = CalendarFeed(
        person_id=person_id,
        token_hash=hash_token(secret),
        created_at=now,
        last_used_at=None,
        made_by_session_id=viewer.token_id if viewer.token_kind is TokenKind.SESSION else None,
    )
    async with db.transaction() as session:
        # Two resets at once take turns (PostgreSQL; SQLite writes one at a time anyway).
        await session.get(Person, person_id, with_for_update=True)
        await session.execute(
            update(CalendarFeed)
            .where(CalendarFeed.person_id == person_id, CalendarFeed.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        session.add(feed)
    return feed, secret


async def revoke_feed(
    db: Database, viewer: Viewer, person_id: int | None, *, now: datetime
) -> CalendarFeed:
    """Revoke the live feed of ``person_id`` (default: the viewer's own). Someone else's:
    network staff only (FORBIDDEN). No live feed: a userError on ``personId``."""
    me = viewer.require_member()
    target = me if person_id is None else person_id
    if target != me and not viewer.is_staff:
        raise Forbidden("Only network staff can revoke another person's calendar feed.")
    async with db.transaction() as session:
        statement = (
            select(CalendarFeed)
            .where(CalendarFeed.person_id == target, CalendarFeed.revoked_at.is_(None))
            .with_for_update()
        )
        feed = (await session.scalars(statement)).first()
        if feed is None:
            whose = "You have" if target == me else "That person has"
            message = f"{whose} no calendar feed to revoke."
            raise InvalidInput([UserError("personId", message, UserErrorCode.NOT_FOUND)])
        feed.revoked_at = now
    return feed


async def feed_viewer(db: Database, secret: str, *, now: datetime) -> Viewer | None:
    """The read-only viewer a feed's secret stands for: its owner, while the feed is live and
    the owner not deactivated; ``None`` for any other secret. One query, and a write of its
    last use when the one recorded is older than ``TOUCH_SECONDS``."""
    if not secret.startswith(FEED_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    statement = (
        viewer_rows()
        .add_columns(CalendarFeed.id, CalendarFeed.last_used_at)
        .join(CalendarFeed, CalendarFeed.person_id == Person.id)
        .where(
            CalendarFeed.token_hash == hash_token(secret),
            CalendarFeed.revoked_at.is_(None),
            # Revoked at deactivation too; checked here as well, as bearer tokens are.
            Person.deactivated_at.is_(None),
        )
    )
    async with db.session() as session:
        rows = (await session.execute(statement)).all()
    if not rows:
        return None
    feed_id, last_used_at = rows[0][4:]
    (owner,) = fold_viewers(row[:4] for row in rows).values()
    if last_used_at is None or now - last_used_at >= timedelta(seconds=TOUCH_SECONDS):
        async with db.transaction() as session:
            await session.execute(
                update(CalendarFeed)
                .where(CalendarFeed.id == feed_id, CalendarFeed.revoked_at.is_(None))
                .values(last_used_at=now)
            )
    return Viewer(
        person_id=owner.person_id,
        network_role=owner.network_role,
        center_roles=owner.center_roles,
        read_only=True,
    )
