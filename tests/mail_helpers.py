"""Rows the mail tests start from: notifications (with their outbox events) and goals."""

from __future__ import annotations

import secrets
import subprocess
import sys
from datetime import UTC, date, datetime
from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import select

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.models import CheckIn, Goal, GoalStatus, Person
from icn_graph.notifications.models import DeliveryMode, Notification, OutgoingMail
from tests.notification_factories import add_notification

T0 = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def mail_settings(settings: Settings, **values: Any) -> Settings:
    defaults: dict[str, Any] = {
        "public_url": "https://icn.example.org",
        "mail_from": "ImproveCareNow <notifications@icn.example.org>",
        "smtp_tls": "none",
        "smtp_timeout": 5.0,
        "mail_retry_seconds": 60.0,
        "mail_retry_max_seconds": 600.0,
        "mail_max_attempts": 3,
    }
    return settings.model_copy(update=defaults | values)


async def make_goal(db: Database, owner: Person, title: str = "Reduce steroid use") -> Goal:
    goal = Goal(
        person_id=owner.id,
        title=title,
        aim="Fewer children on steroids at 90 days.",
        starts_on=date(2026, 3, 1),
        due_on=date(2026, 5, 30),
        status=GoalStatus.ON_TRACK,
        confidence=7,
        created_by_id=owner.id,
        updated_by_id=owner.id,
    )
    async with db.transaction() as session:
        session.add(goal)
    return goal


async def make_check_in(db: Database, goal: Goal, author: Person, note: str) -> CheckIn:
    check_in = CheckIn(
        goal_id=goal.id, author_id=author.id, note=note, status=GoalStatus.ON_TRACK, confidence=7
    )
    async with db.transaction() as session:
        session.add(check_in)
    return check_in


async def notify(
    db: Database,
    person: Person,
    subject_id: str,
    *,
    created_at: datetime = T0,
    due_at: datetime | None = None,
    delivery: DeliveryMode = DeliveryMode.IMMEDIATE,
    event_type: str = "goal.checked_in",
    actor: Person | None = None,
    payload: dict[str, Any] | None = None,
    reason: str = "You follow this goal.",
    read_at: datetime | None = None,
) -> Notification:
    """A PENDING notification (and its already dispatched event), as fan-out would write it."""
    return await add_notification(
        db,
        person,
        subject_id,
        created_at=created_at,
        actor=actor,
        event_type=event_type,
        payload=payload,
        reason=reason,
        read_at=read_at,
        delivery=delivery,
        email_due_at=due_at or created_at,
    )


def parsed(raw: str) -> EmailMessage:
    """A composed message as stored in ``OutgoingMail.message``, parsed."""
    message = message_from_string(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


async def all_mail(db: Database) -> list[OutgoingMail]:
    async with db.session() as session:
        return list(await session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


async def notifications(db: Database) -> list[Notification]:
    async with db.session() as session:
        return list(await session.scalars(select(Notification).order_by(Notification.id)))


# What an operator sets: serve and worker refuse the development secrets on PostgreSQL.
PRODUCTION_SECRETS = {
    "ICN_SECRET_KEY": secrets.token_urlsafe(48),
    "ICN_PATIENT_KEY_SECRET": secrets.token_urlsafe(48),
}


def start_cli(env: dict[str, str], cwd: Path, log: Path, *args: str) -> subprocess.Popen[bytes]:
    """``icn-graph <args>`` as a real process, its output appended to ``log``; with real
    secrets unless ``env`` names its own."""
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "icn_graph", *args],
            env={**PRODUCTION_SECRETS, **env},
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
