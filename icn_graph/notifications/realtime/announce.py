"""The hand-off from notification fan-out to subscribers: called inside the creating transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from icn_graph.notifications.models.notifications import Notification
from icn_graph.notifications.realtime import local
from icn_graph.notifications.realtime.channel import CHANNEL, encode

PENDING = "icn_graph.pending_announcements"
HOOKED = "icn_graph.announcements_hooked"

NOTIFY_ALL = text(
    "SELECT pg_notify(:channel, message) FROM unnest(CAST(:messages AS text[])) AS message"
)


async def announce_notifications(
    session: AsyncSession, notifications: Sequence[Notification]
) -> None:
    """Tell subscribers about ``notifications`` once ``session``'s transaction commits.

    Call after a flush (the rows need their ids). Nothing is announced on rollback.
    """
    if not notifications:
        return
    messages = [(row.person_id, row.id) for row in notifications]
    engine = _engine(session)
    if engine.dialect.name == "postgresql":
        # NOTIFY is transactional: delivered to every listener on commit, dropped on rollback.
        await session.execute(
            NOTIFY_ALL,
            {"channel": CHANNEL, "messages": [encode(*message) for message in messages]},
        )
        return
    _publish_after_commit(session.sync_session, local.url_key(engine.url), messages)


def _engine(session: AsyncSession) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def _publish_after_commit(session: Session, key: str, messages: list[tuple[int, int]]) -> None:
    session.info.setdefault(PENDING, []).extend(messages)
    if session.info.get(HOOKED):
        return
    session.info[HOOKED] = True

    def committed(session: Session) -> None:
        for person_id, notification_id in session.info.pop(PENDING, []):
            local.publish(key, person_id, notification_id)

    def rolled_back(session: Session) -> None:
        session.info.pop(PENDING, None)

    event.listen(session, "after_commit", committed)
    event.listen(session, "after_rollback", rolled_back)
