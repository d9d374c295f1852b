"""Delivery status: ``icn-graph notifications status`` and staff-only ``notificationDelivery``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from icn_graph.cli import main
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import NetworkRole, PersonKind
from icn_graph.notifications.models import MailKind, MailStatus, OutgoingMail, SuppressedAddress
from icn_graph.testing import GraphQLClient, make_person, token_for
from tests.helpers import error_codes
from tests.mail_helpers import make_goal, notify

QUERY = """{ notificationDelivery {
  pendingNotifications dueNotifications queuedMail sendingMail sentLast24h failed dead
  suppressedAddressCount
  deadLetters { toAddress attempts lastError status }
  recentFailures { toAddress lastError }
  suppressedAddresses { email smtpCode reason }
} }"""


async def seed(db: Database) -> None:
    now = datetime.now(UTC)
    owner = await make_person(db)
    goal = await make_goal(db, owner)
    await notify(db, owner, to_global_id("Goal", goal.id), created_at=now, due_at=now)
    await notify(
        db, owner, to_global_id("Goal", goal.id), due_at=now + timedelta(hours=1), created_at=now
    )
    rows = [
        (MailStatus.QUEUED, None, None),
        (MailStatus.SENT, now - timedelta(hours=1), None),
        (MailStatus.SENT, now - timedelta(days=2), None),
        (MailStatus.DEAD, None, "451 4.7.1 Greylisted"),
        (MailStatus.FAILED, None, "550 5.1.1 No such user"),
    ]
    async with db.transaction() as session:
        for n, (status, sent_at, error) in enumerate(rows):
            session.add(
                OutgoingMail(
                    to_address=f"p{n}@example.org",
                    message_id=f"<m{n}@x>",
                    kind=MailKind.IMMEDIATE,
                    subject_line="s",
                    message="",
                    status=status,
                    attempts=3 if status == MailStatus.DEAD else 1,
                    sent_at=sent_at,
                    last_error=error,
                )
            )
        session.add(
            SuppressedAddress(
                email_key="p4@example.org", reason="550 5.1.1 No such user", smtp_code=550
            )
        )


async def test_the_cli_prints_queue_depth_failures_dead_letters_and_suppressions(
    db: Database, settings: Settings
) -> None:
    await seed(db)
    env = {"ICN_DATABASE_URL": settings.database_url_value, "ICN_PLUGINS": "core"}
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["notifications", "status"], env=env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:6] == [
        "notifications waiting for mail: 2 (1 due now)",
        "mail queued: 1 (being sent: 0)",
        "sent in the last 24 h: 1",
        "failed (refused permanently): 1",
        "dead letters (retries exhausted): 1",
        "suppressed addresses: 1",
    ]
    assert "  #4 to p3@example.org, 3 attempts: 451 4.7.1 Greylisted" in lines
    assert "  p4@example.org (550): 550 5.1.1 No such user" in lines


async def test_staff_see_delivery_in_graphql_and_others_are_forbidden(
    db: Database, client: GraphQLClient
) -> None:
    await seed(db)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    data = await client.data(QUERY, token=await token_for(db, staff))
    delivery = data["notificationDelivery"]
    assert delivery | {"deadLetters": [], "recentFailures": [], "suppressedAddresses": []} == {
        "pendingNotifications": 2,
        "dueNotifications": 1,
        "queuedMail": 1,
        "sendingMail": 0,
        "sentLast24h": 1,
        "failed": 1,
        "dead": 1,
        "suppressedAddressCount": 1,
        "deadLetters": [],
        "recentFailures": [],
        "suppressedAddresses": [],
    }
    assert delivery["deadLetters"] == [
        {
            "toAddress": "p3@example.org",
            "attempts": 3,
            "lastError": "451 4.7.1 Greylisted",
            "status": "DEAD",
        }
    ]
    assert delivery["suppressedAddresses"] == [
        {"email": "p4@example.org", "smtpCode": 550, "reason": "550 5.1.1 No such user"}
    ]

    clinician = await make_person(db)
    body = await client.execute(QUERY, token=await token_for(db, clinician))
    assert error_codes(body) == ["FORBIDDEN"]
    anonymous = await client.execute(QUERY)
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
