"""An inbox page costs the same asyncio tasks and statements whatever its size: the page reads
its notifications' events, actors and subject titles ahead when the query shows them, and each
notification's ``summary``, ``data``, ``url``, ``appPath`` and ``actor`` answer at once. Reached
another way (a mutation's payload), the same fields load as before and answer the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Person, PersonKind
from icn_graph.testing import StatementCounter, TaskCount
from tests.goal_helpers import make_center_goal
from tests.helpers import GraphQLClient, make_center, make_person, token_for
from tests.notification_factories import add_notification

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

FIELDS = "summary data url appPath actor { displayName }"
INBOX = f"""
query Inbox {{ viewer {{ notifications(first: 50) {{
  edges {{ node {{ id {FIELDS} }} }} }} }} }}
"""
THROUGH_FRAGMENTS = f"""
fragment Shown on Notification {{ {FIELDS} }}
query Inbox {{ viewer {{ notifications(first: 50) {{ nodes {{ id ...Shown }} }} }} }}
"""
MARK_ALL = f"""
mutation {{ markNotificationsRead(input: {{all: true}}) {{
  notifications {{ id {FIELDS} }} }} }}
"""


async def _reader_with(db: Database, notifications: int) -> tuple[Person, str]:
    center = await make_center(db)
    reader = await make_person(db, PersonKind.PARENT_PARTNER, center=center)
    for index in range(notifications):
        actor = await make_person(db, PersonKind.CLINICIAN, center=center)
        goal = await make_center_goal(db, center, actor, f"Goal {index:02d}")
        await add_notification(
            db,
            reader,
            to_global_id("Goal", goal.id),
            created_at=START + timedelta(minutes=index),
            actor=actor if index % 3 else None,  # every third by the system
            event_type="goal.checked_in",
            payload={"status": "AT_RISK", "confidence": 4},
        )
    return reader, await token_for(db, reader)


def _nodes(data: dict[str, Any]) -> list[dict[str, Any]]:
    page = data["viewer"]["notifications"]
    return page["nodes"] if "nodes" in page else [edge["node"] for edge in page["edges"]]


async def test_a_larger_inbox_page_makes_no_more_tasks_or_statements(
    db: Database, client: GraphQLClient, tasks: TaskCount, statements: StatementCounter
) -> None:
    small = await _reader_with(db, 3)
    large = await _reader_with(db, 30)
    for _, token in (small, large):
        await client.data("{ viewer { id } }", token=token)  # each token's first use

    for query in (INBOX, THROUGH_FRAGMENTS):
        counted: dict[int, tuple[int, int]] = {}
        for (_, token), size in ((small, 3), (large, 30)):
            tasks.reset()
            statements.reset()
            nodes = _nodes(await client.data(query, token=token))
            counted[size] = (tasks.count, statements.count)
            assert len(nodes) == size
            for node in nodes:
                subject = node["appPath"].removeprefix("/goals/")
                assert "checked in on 'Goal" in node["summary"]
                assert subject in node["url"]
                assert node["data"]["goal"] == subject
                assert (node["data"]["status"], node["data"]["confidence"]) == ("AT_RISK", 4)
            by_system = [node for node in nodes if node["actor"] is None]
            assert len(by_system) == (size + 2) // 3
        assert counted[3] == counted[30], (query, counted, statements.statements)


async def test_a_mutation_payload_answers_the_same_fields_without_reading_ahead(
    db: Database, client: GraphQLClient
) -> None:
    _, token = await _reader_with(db, 4)
    page = {node["id"]: node for node in _nodes(await client.data(INBOX, token=token))}
    marked = await client.data(MARK_ALL, token=token)
    shown = {node["id"]: node for node in marked["markNotificationsRead"]["notifications"]}
    assert shown == page
    named = [node["actor"]["displayName"] for node in shown.values() if node["actor"]]
    assert len(named) == 2
    assert all(named)
