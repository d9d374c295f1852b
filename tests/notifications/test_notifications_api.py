"""viewer.notifications and markNotificationsRead over HTTP: one's own notifications only,
newest first, unread counts, read-before-mailed skips the mail, constant SQL per page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Center, Goal, Person, PersonKind
from icn_graph.notifications.models import DeliveryMode, EmailStatus, Notification
from icn_graph.testing import snapshot
from tests.goal_helpers import make_center_goal
from tests.helpers import (
    GraphQLClient,
    StatementCounter,
    error_codes,
    make_center,
    make_person,
    token_for,
)
from tests.notification_factories import add_notification

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

NOTIFICATIONS = """
query Inbox($first: Int, $after: String, $unreadOnly: Boolean! = false) {
  viewer {
    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
      totalCount
      unreadCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id type summary reason subjectId createdAt readAt read
        actor { displayName }
        subject { id __typename ... on Goal { title } ... on Center { name } }
      }
    }
  }
}
"""

MARK = """
mutation Mark($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) {
    notifications { id read readAt }
    markedCount
    unreadCount
    userErrors { field message code }
  }
}
"""


async def notify(
    db: Database,
    person: Person,
    subject: tuple[str, int],
    *,
    actor: Person | None,
    type: str = "goal.checked_in",
    payload: dict[str, Any] | None = None,
    at: datetime = START,
    email_status: EmailStatus = EmailStatus.PENDING,
) -> Notification:
    """An event and one person's notification of it, written directly (no fan-out)."""
    return await add_notification(
        db,
        person,
        to_global_id(*subject),
        created_at=at,
        actor=actor,
        event_type=type,
        payload=payload,
        email_status=email_status,
        email_due_at=at + timedelta(minutes=2) if email_status is EmailStatus.PENDING else None,
    )


async def statuses(db: Database, *rows: Notification) -> list[tuple[EmailStatus, bool]]:
    async with db.session() as session:
        found = {
            row.id: row
            for row in await session.scalars(
                select(Notification).where(Notification.id.in_([r.id for r in rows]))
            )
        }
    return [(found[r.id].email_status, found[r.id].read_at is not None) for r in rows]


@dataclass
class Inbox:
    maria: Person
    maria_token: str
    dana: Person
    dana_token: str
    goal: Goal
    center: Center
    mine: list[Notification]
    theirs: Notification


@pytest.fixture
async def inbox(db: Database) -> Inbox:
    center = await make_center(db, name="Cincinnati Children's")
    maria = await make_person(
        db, PersonKind.PARENT_PARTNER, center=center, display_name="Maria Lopez"
    )
    dana = await make_person(db, PersonKind.CLINICIAN, center=center, display_name="Dana Reyes")
    goal = await make_center_goal(db, center, dana, "Reduce steroid use")
    mine = [
        await notify(
            db,
            maria,
            ("Goal", goal.id),
            actor=dana,
            payload={"status": "AT_RISK", "confidence": 4},
            at=START,
        ),
        await notify(
            db,
            maria,
            ("Center", center.id),
            actor=dana,
            type="center.updated",
            payload={"changed": ["city"]},
            at=START + timedelta(minutes=1),
        ),
        await notify(
            db,
            maria,
            ("Goal", goal.id),
            actor=None,
            type="kudos.given",
            at=START + timedelta(minutes=2),
        ),
    ]
    theirs = await notify(db, dana, ("Goal", goal.id), actor=maria)
    return Inbox(
        maria=maria,
        maria_token=await token_for(db, maria),
        dana=dana,
        dana_token=await token_for(db, dana),
        goal=goal,
        center=center,
        mine=mine,
        theirs=theirs,
    )


def gid(row: Notification) -> str:
    return to_global_id("Notification", row.id)


async def test_the_viewer_sees_their_own_notifications_newest_first(
    client: GraphQLClient, inbox: Inbox
) -> None:
    data = await client.data(NOTIFICATIONS, token=inbox.maria_token)
    listing = data["viewer"]["notifications"]
    assert listing["totalCount"] == 3
    assert listing["unreadCount"] == 3
    nodes = listing["nodes"]
    assert [node["id"] for node in nodes] == [gid(row) for row in reversed(inbox.mine)]
    assert gid(inbox.theirs) not in [node["id"] for node in nodes]
    plugin_event, center_update, check_in = nodes
    assert check_in["summary"] == (
        "Dana Reyes checked in on 'Reduce steroid use': at risk, confidence 4/10"
    )
    assert check_in["type"] == "goal.checked_in"
    assert check_in["reason"] == "You follow this goal."
    assert check_in["actor"] == {"displayName": "Dana Reyes"}
    goal_id = to_global_id("Goal", inbox.goal.id)
    assert check_in["subject"] == {
        "id": goal_id,
        "__typename": "Goal",
        "title": "Reduce steroid use",
    }
    assert check_in["subjectId"] == goal_id
    assert (check_in["read"], check_in["readAt"]) == (False, None)
    assert check_in["createdAt"].startswith("2026-06-01T12:00:00")
    # Stored before events were typed (version 1): the changed field's name, without values.
    assert center_update["summary"] == "Dana Reyes updated 'Cincinnati Children's': city"
    assert center_update["subject"]["__typename"] == "Center"
    assert plugin_event["summary"] == "Someone: kudos given on 'Reduce steroid use'"
    assert plugin_event["actor"] is None


async def test_pages_and_the_unread_filter(
    db: Database, client: GraphQLClient, inbox: Inbox
) -> None:
    first = await client.data(NOTIFICATIONS, {"first": 2}, token=inbox.maria_token)
    page = first["viewer"]["notifications"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert len(page["nodes"]) == 2
    rest = await client.data(
        NOTIFICATIONS,
        {"first": 2, "after": page["pageInfo"]["endCursor"]},
        token=inbox.maria_token,
    )
    tail = rest["viewer"]["notifications"]
    assert [node["id"] for node in tail["nodes"]] == [gid(inbox.mine[0])]
    assert tail["pageInfo"]["hasNextPage"] is False

    await client.data(MARK, {"input": {"ids": [gid(inbox.mine[1])]}}, token=inbox.maria_token)
    unread = await client.data(NOTIFICATIONS, {"unreadOnly": True}, token=inbox.maria_token)
    listing = unread["viewer"]["notifications"]
    assert [node["id"] for node in listing["nodes"]] == [gid(inbox.mine[2]), gid(inbox.mine[0])]
    assert listing["totalCount"] == 2
    assert listing["unreadCount"] == 2


async def test_marking_read_skips_the_pending_mail(
    db: Database, client: GraphQLClient, inbox: Inbox
) -> None:
    pending, queued = inbox.mine[0], inbox.mine[1]
    async with db.transaction() as session:
        row = await session.get(Notification, queued.id)
        assert row is not None
        row.email_status = EmailStatus.QUEUED  # its mail is composed already
    data = await client.data(
        MARK, {"input": {"ids": [gid(pending), gid(queued)]}}, token=inbox.maria_token
    )
    result = data["markNotificationsRead"]
    assert result["userErrors"] == []
    assert result["markedCount"] == 2
    assert result["unreadCount"] == 1
    assert [(n["id"], n["read"]) for n in result["notifications"]] == [
        (gid(pending), True),
        (gid(queued), True),
    ]
    assert await statuses(db, pending, queued, inbox.mine[2], inbox.theirs) == [
        (EmailStatus.SKIPPED, True),
        (EmailStatus.QUEUED, True),
        (EmailStatus.PENDING, False),
        (EmailStatus.PENDING, False),
    ]
    again = await client.data(MARK, {"input": {"ids": [gid(pending)]}}, token=inbox.maria_token)
    assert again["markNotificationsRead"]["markedCount"] == 0
    assert (
        again["markNotificationsRead"]["notifications"][0]["readAt"]
        == (result["notifications"][0]["readAt"])
    )


async def test_mark_all_read_touches_only_the_viewers_notifications(
    db: Database, client: GraphQLClient, inbox: Inbox
) -> None:
    data = await client.data(MARK, {"input": {"all": True}}, token=inbox.maria_token)
    result = data["markNotificationsRead"]
    assert (result["markedCount"], result["unreadCount"], result["userErrors"]) == (3, 0, [])
    # What changed, newest first, so a client cache can update each notification it holds.
    assert [n["id"] for n in result["notifications"]] == [gid(n) for n in reversed(inbox.mine)]
    assert all(n["read"] and n["readAt"] for n in result["notifications"])
    again = await client.data(MARK, {"input": {"all": True}}, token=inbox.maria_token)
    assert again["markNotificationsRead"]["notifications"] == []
    assert again["markNotificationsRead"]["markedCount"] == 0
    assert await statuses(db, *inbox.mine, inbox.theirs) == [
        (EmailStatus.SKIPPED, True),
        (EmailStatus.SKIPPED, True),
        (EmailStatus.SKIPPED, True),
        (EmailStatus.PENDING, False),
    ]
    dana = await client.data(NOTIFICATIONS, token=inbox.dana_token)
    assert dana["viewer"]["notifications"]["unreadCount"] == 1


async def test_another_persons_notification_can_never_be_read_or_marked(
    db: Database, client: GraphQLClient, inbox: Inbox
) -> None:
    before = await snapshot(db)
    data = await client.data(
        MARK,
        {"input": {"ids": [gid(inbox.mine[0]), gid(inbox.theirs)]}},
        token=inbox.maria_token,
    )
    result = data["markNotificationsRead"]
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [("ids[1]", "NOT_FOUND")]
    assert result["markedCount"] == 0
    assert await snapshot(db) == before  # nothing half-written: not even her own was marked

    theirs = await client.data(NOTIFICATIONS, token=inbox.dana_token)
    assert [n["id"] for n in theirs["viewer"]["notifications"]["nodes"]] == [gid(inbox.theirs)]
    # A Notification is not reachable through node(id) either.
    body = await client.execute(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": gid(inbox.theirs)},
        token=inbox.maria_token,
    )
    assert error_codes(body) == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, [("ids", "REQUIRED")]),
        ({"ids": ["x"], "all": True}, [("all", "INVALID")]),
        ({"ids": ["not-an-id"]}, [("ids[0]", "INVALID")]),
        ({"ids": [to_global_id("Goal", 1)]}, [("ids[0]", "INVALID")]),
        ({"ids": [to_global_id("Notification", 999_999)]}, [("ids[0]", "NOT_FOUND")]),
    ],
)
async def test_refused_mark_read_input_names_the_field(
    db: Database,
    client: GraphQLClient,
    inbox: Inbox,
    given: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    before = await snapshot(db)
    data = await client.data(MARK, {"input": given}, token=inbox.maria_token)
    errors = data["markNotificationsRead"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == expected
    assert await snapshot(db) == before


async def test_anonymous_callers_have_no_inbox(client: GraphQLClient, inbox: Inbox) -> None:
    data = await client.data(NOTIFICATIONS)
    assert data["viewer"] is None
    body = await client.execute(MARK, {"input": {"all": True}})
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_a_page_costs_the_same_sql_for_5_or_50_notifications(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    async def count(notifications: int) -> int:
        center = await make_center(db)
        reader = await make_person(db, PersonKind.CLINICIAN, center=center)
        token = await token_for(db, reader)
        for index in range(notifications):
            actor = await make_person(db, PersonKind.PARENT_PARTNER, center=center)
            goal = await make_center_goal(db, center, actor, f"Goal {index}")
            subject = ("Goal", goal.id) if index % 2 else ("Center", center.id)
            await notify(db, reader, subject, actor=actor, at=START + timedelta(minutes=index))
        statements.reset()
        data = await client.data(NOTIFICATIONS, {"first": 100}, token=token)
        assert len(data["viewer"]["notifications"]["nodes"]) == notifications
        return statements.count

    few = await count(5)
    many = await count(50)
    assert few == many, (few, many)
    # token, page, total, unread, events, actors, subject titles (2 types), subjects (2 types)
    assert many <= 12, many


CHECK_IN = """
mutation CheckIn($input: CheckInGoalInput!) {
  checkInGoal(input: $input) { userErrors { field message } }
}
"""

FOLLOW = """
mutation Follow($input: FollowInput!) { follow(input: $input) { userErrors { field } } }
"""


async def test_a_check_in_reaches_a_follower_through_the_outbox(
    db: Database, client: GraphQLClient
) -> None:
    """The whole path: follow, a check-in recorded as an event, fan-out, the inbox, read."""
    center = await make_center(db)
    dana = await make_person(db, PersonKind.CLINICIAN, center=center, display_name="Dana Reyes")
    maria = await make_person(
        db, PersonKind.PARENT_PARTNER, display_name="Maria Lopez", timezone="America/Los_Angeles"
    )
    goal = await make_center_goal(db, center, dana, "Reduce steroid use")
    maria_token = await token_for(db, maria)
    goal_id = to_global_id("Goal", goal.id)
    await client.data(
        FOLLOW, {"input": {"subjectId": goal_id, "level": "WATCHING"}}, token=maria_token
    )
    check_in = {"id": goal_id, "note": "Better", "status": "AT_RISK", "confidence": 4}
    data = await client.data(CHECK_IN, {"input": check_in}, token=await token_for(db, dana))
    assert data["checkInGoal"]["userErrors"] == []
    await client.settle()

    inbox = await client.data(NOTIFICATIONS, token=maria_token)
    listing = inbox["viewer"]["notifications"]
    assert listing["unreadCount"] == 1
    (notification,) = listing["nodes"]
    assert notification["summary"] == (
        "Dana Reyes checked in on 'Reduce steroid use': at risk, confidence 4/10"
    )
    assert notification["subject"]["id"] == goal_id
    assert notification["actor"] == {"displayName": "Dana Reyes"}
    async with db.session() as session:
        row = (await session.scalars(select(Notification))).one()
    # A parent partner starts on the daily digest: 07:00 in Los Angeles.
    assert (row.delivery, row.email_status) == (DeliveryMode.DAILY_DIGEST, EmailStatus.PENDING)
    assert row.email_due_at is not None
    local = row.email_due_at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert (local.hour, local.minute) == (7, 0)

    await client.data(MARK, {"input": {"ids": [notification["id"]]}}, token=maria_token)
    assert await statuses(db, row) == [(EmailStatus.SKIPPED, True)]


VIEWER_COUNT = "{ viewer { id unreadNotificationsCount person { id } } }"
MARK_WITH_VIEWER = """
mutation Mark($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) {
    notifications { id read }
    viewer { id unreadNotificationsCount }
    userErrors { field }
  }
}
"""


async def test_the_viewer_has_a_stable_id_and_an_unread_count_that_mark_read_returns(
    client: GraphQLClient, inbox: Inbox
) -> None:
    before = (await client.data(VIEWER_COUNT, token=inbox.maria_token))["viewer"]
    maria_id = to_global_id("Person", inbox.maria.id)
    assert before == {"id": maria_id, "unreadNotificationsCount": 3, "person": {"id": maria_id}}

    data = await client.data(
        MARK_WITH_VIEWER, {"input": {"ids": [gid(inbox.mine[0])]}}, token=inbox.maria_token
    )

    # The same Viewer (by id) with its new count: a normalized cache updates in place.
    assert data["markNotificationsRead"]["viewer"] == {
        "id": maria_id,
        "unreadNotificationsCount": 2,
    }
    after = await client.data(VIEWER_COUNT, token=inbox.maria_token)
    assert after["viewer"]["unreadNotificationsCount"] == 2
    dana = await client.data(VIEWER_COUNT, token=inbox.dana_token)
    assert dana["viewer"]["unreadNotificationsCount"] == 1
