"""Upgrading to the outbox (0007): people already on a team follow their center, as joining one
does from now on, so an existing network hears about its centers' goals from day one."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import CenterRole, PersonKind
from icn_graph.notifications.models import Follow, FollowLevel, FollowReason
from icn_graph.testing import make_center
from tests.migration_helpers import person_at_0006


async def test_existing_members_follow_their_centers_after_the_upgrade(scratch_url: str) -> None:
    await asyncio.to_thread(migrations.upgrade, scratch_url, "0006")
    db = Database.from_url(scratch_url)
    try:
        first, second = await make_center(db), await make_center(db)
        nurse = await person_at_0006(db, "nurse", PersonKind.NURSE, first.id, CenterRole.NURSE)
        parent = await person_at_0006(
            db, "parent", PersonKind.PARENT_PARTNER, second.id, CenterRole.PARENT_PARTNER
        )
        # On no team: follows nothing.
        await person_at_0006(db, "loner", PersonKind.NURSE, None, CenterRole.NURSE)

        await asyncio.to_thread(migrations.upgrade, scratch_url)
        async with db.session() as session:
            rows = await session.execute(
                select(Follow.person_id, Follow.subject_id, Follow.level, Follow.reason)
            )
            found = set(rows.all())
    finally:
        await db.dispose()
    assert found == {
        (nurse, to_global_id("Center", first.id), FollowLevel.NORMAL, FollowReason.MEMBER),
        (parent, to_global_id("Center", second.id), FollowLevel.NORMAL, FollowReason.MEMBER),
    }
