"""Revision 0008 gives existing outbox rows their subject as (type, pk) and version 1, and the
typed reader turns those rows into typed events (the sweep may meet them after an upgrade)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text

from icn_graph.db import migrations
from icn_graph.db.database import create_engine
from icn_graph.events import Event, SubjectRef
from icn_graph.events.models import OutboxEvent
from icn_graph.ids import to_global_id
from icn_graph.models import GoalStatus
from icn_graph.services.goals.events import GoalCheckedIn
from tests.conftest import BACKENDS, fresh_database_url

INSERT = text(
    "INSERT INTO events (type, subject_id, actor_id, payload, occurred_at, attempts)"
    " VALUES (:type, :subject_id, NULL, :payload, '2026-11-30 12:00:00+00:00', 0)"
)


@pytest.fixture(params=BACKENDS)
async def scratch_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return await fresh_database_url(request.param, tmp_path, "typed_events")


async def test_old_rows_are_backfilled_and_read_typed(scratch_url: str) -> None:
    await asyncio.to_thread(migrations.upgrade, scratch_url, "0007")
    goal = to_global_id("Goal", 12)
    v1 = {"goal": goal, "owner": to_global_id("Center", 3), "kind": "CENTER"}
    engine = create_engine(scratch_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                INSERT,
                [
                    {
                        "type": "goal.checked_in",
                        "subject_id": goal,
                        "payload": json.dumps(v1 | {"status": "OFF_TRACK", "confidence": 3}),
                    },
                    {"type": "plugin.gone", "subject_id": "not an id", "payload": "{}"},
                ],
            )
        await asyncio.to_thread(migrations.upgrade, scratch_url)
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(
                        OutboxEvent.subject_type, OutboxEvent.subject_pk, OutboxEvent.version
                    ).order_by(OutboxEvent.id)
                )
            ).all()
            assert [tuple(row) for row in rows] == [("Goal", 12, 1), ("Unknown", 0, 1)]
            row = (
                await connection.execute(select(OutboxEvent).order_by(OutboxEvent.id).limit(1))
            ).one()
        event = Event.from_row(OutboxEvent(**row._asdict()))
        assert event.type == "goal.checked_in"
        assert event.subject == SubjectRef("Goal", 12)
        assert isinstance(event.data, GoalCheckedIn)
        assert (event.data.status, event.data.confidence, event.data.owner) == (
            GoalStatus.OFF_TRACK,
            3,
            SubjectRef("Center", 3),
        )
        await asyncio.to_thread(migrations.downgrade, scratch_url, "0007")
    finally:
        await engine.dispose()
