"""Upgrading a database that is in use keeps its rows: a migration that rebuilds a table on
SQLite (batch mode: copy, drop, rename) must not cascade-delete the rows that reference it."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select, text

from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.models import PersonKind
from icn_graph.notifications.models import Notification
from tests.migration_helpers import person_at_0006


async def test_upgrading_past_a_table_rebuild_keeps_the_rows_that_reference_it(
    scratch_url: str,
) -> None:
    await asyncio.to_thread(migrations.upgrade, scratch_url, "0007")
    db = Database.from_url(scratch_url)
    try:
        person = await person_at_0006(db, "nurse", PersonKind.NURSE)
        async with db.transaction() as session:
            event_id = (
                await session.execute(
                    text(
                        "INSERT INTO events (type, subject_id, actor_id, payload, occurred_at, "
                        "attempts) VALUES ('goal.created', 'R29hbDox', NULL, '{}', "
                        "CURRENT_TIMESTAMP, 0) RETURNING id"
                    )
                )
            ).scalar_one()
            await session.execute(
                text(
                    "INSERT INTO notifications (person_id, event_id, type, subject_id, reason, "
                    "created_at, delivery, email_status) VALUES (:person, :event, "
                    "'goal.created', 'R29hbDox', 'You follow this goal.', CURRENT_TIMESTAMP, "
                    "'IMMEDIATE', 'PENDING')"
                ),
                {"person": person, "event": event_id},
            )
        await asyncio.to_thread(migrations.upgrade, scratch_url, "heads")
        async with db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Notification)) == 1
            assert await session.scalar(text("SELECT count(*) FROM events")) == 1
    finally:
        await db.dispose()
