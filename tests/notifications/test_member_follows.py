"""Follows a plugin makes for the people who belong to its subject (a thread's participants):
NORMAL, reason MEMBER, never over a follow that exists; removing takes only that follow."""

from __future__ import annotations

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.notifications.auto_follow import add_member_follows, remove_member_follow
from icn_graph.notifications.models import Follow, FollowLevel, FollowReason
from icn_graph.testing import make_person

THREAD = "VGhyZWFkOjE"  # Thread:1, a plugin's subject


async def follows(db: Database) -> dict[int, tuple[FollowLevel, FollowReason]]:
    async with db.session() as session:
        rows = await session.scalars(select(Follow).where(Follow.subject_id == THREAD))
        return {row.person_id: (row.level, row.reason) for row in rows}


async def test_members_follow_unless_they_chose_otherwise(db: Database) -> None:
    joins, muted, chose = [await make_person(db) for _ in range(3)]
    async with db.transaction() as session:
        session.add(
            Follow(
                person_id=muted.id,
                subject_id=THREAD,
                level=FollowLevel.MUTED,
                reason=FollowReason.MANUAL,
            )
        )
    async with db.transaction() as session:
        await add_member_follows(session, THREAD, [joins.id, muted.id, joins.id])
    assert await follows(db) == {
        joins.id: (FollowLevel.NORMAL, FollowReason.MEMBER),
        muted.id: (FollowLevel.MUTED, FollowReason.MANUAL),
    }
    async with db.transaction() as session:
        await add_member_follows(session, THREAD, [joins.id, chose.id])  # again: no change
        await remove_member_follow(session, THREAD, muted.id)  # their own choice stays
        await remove_member_follow(session, THREAD, chose.id)
    assert await follows(db) == {
        joins.id: (FollowLevel.NORMAL, FollowReason.MEMBER),
        muted.id: (FollowLevel.MUTED, FollowReason.MANUAL),
    }
