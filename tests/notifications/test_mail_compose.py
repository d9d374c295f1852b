"""Composing due notifications into mail: bursts, reads, digests, suppression (simulated clock)."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import PersonKind
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.models import (
    DeliveryMode,
    EmailStatus,
    MailKind,
    MailStatus,
    SuppressedAddress,
)
from icn_graph.testing import StatementCounter, make_person
from tests.mail_helpers import (
    T0,
    all_mail,
    mail_settings,
    make_goal,
    notifications,
    notify,
    parsed,
)

BATCH = timedelta(seconds=120)


def text_part(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


async def test_a_burst_on_one_subject_becomes_one_message(db: Database, settings: Settings) -> None:
    settings = mail_settings(settings)
    owner = await make_person(db, display_name="Maria Lopez")
    follower = await make_person(db, display_name="Sam Carter", timezone="America/Chicago")
    goal = await make_goal(db, owner)
    subject = to_global_id("Goal", goal.id)
    for seconds in (0, 20, 50):
        created = T0 + timedelta(seconds=seconds)
        await notify(
            db,
            follower,
            subject,
            created_at=created,
            due_at=created + BATCH,
            actor=owner,
            payload={"status": "ON_TRACK", "confidence": 7},
        )

    assert await compose_due_mail(db, settings, now=T0 + BATCH - timedelta(seconds=1)) == 0
    assert await all_mail(db) == []

    # The earliest is due: all three go, the two not yet due included.
    assert await compose_due_mail(db, settings, now=T0 + BATCH) == 1
    [mail] = await all_mail(db)
    assert mail.kind == MailKind.IMMEDIATE
    assert mail.status == MailStatus.QUEUED
    assert mail.to_address == follower.email
    assert mail.thread_subject_id == subject
    assert {(n.email_status, n.mail_id) for n in await notifications(db)} == {
        (EmailStatus.QUEUED, mail.id)
    }
    message = parsed(mail.message)
    assert message["Message-ID"] == mail.message_id
    assert re.fullmatch(r"<mail-\d+\.[0-9a-f]{12}@icn\.example\.org>", mail.message_id)
    assert message["Subject"] == "[Test Network] Reduce steroid use"
    body = text_part(message)
    assert body.count("Maria Lopez checked in on") == 3
    # 15:00 UTC is 10:00 in Chicago (CDT from 8 March 2026).
    assert "Tue 10 Mar 2026, 10:00 AM CDT" in body
    assert "Why you got this: You follow this goal." in body

    assert await compose_due_mail(db, settings, now=T0 + BATCH * 10) == 0
    assert len(await all_mail(db)) == 1


async def test_messages_about_one_subject_thread_and_others_do_not(
    db: Database, settings: Settings
) -> None:
    settings = mail_settings(settings)
    owner = await make_person(db)
    follower = await make_person(db)
    other = await make_person(db)
    goal = await make_goal(db, owner)
    second_goal = await make_goal(db, owner, "Transition to adult care")
    subject = to_global_id("Goal", goal.id)
    await notify(db, follower, subject, actor=owner)
    await notify(db, other, subject, actor=owner)
    await notify(db, follower, to_global_id("Goal", second_goal.id), actor=owner)
    assert await compose_due_mail(db, settings, now=T0) == 3
    await notify(db, follower, subject, actor=owner, created_at=T0 + timedelta(days=1))
    assert await compose_due_mail(db, settings, now=T0 + timedelta(days=1)) == 1

    mails = await all_mail(db)
    by_key = {(m.person_id, m.thread_subject_id): [] for m in mails}  # type: ignore[var-annotated]
    for mail in mails:
        by_key[(mail.person_id, mail.thread_subject_id)].append(parsed(mail.message))
    first, later = by_key[(follower.id, subject)]
    assert first["References"] == later["References"] == first["In-Reply-To"]
    assert later["In-Reply-To"] == first["References"]
    assert first["Subject"] == later["Subject"]
    assert first["Message-ID"] != later["Message-ID"]
    [other_thread] = by_key[(other.id, subject)]
    [other_goal] = by_key[(follower.id, to_global_id("Goal", second_goal.id))]
    assert other_thread["References"] != first["References"]
    assert other_goal["References"] != first["References"]


async def test_read_notifications_are_skipped(db: Database, settings: Settings) -> None:
    settings = mail_settings(settings)
    owner = await make_person(db)
    follower = await make_person(db)
    reader = await make_person(db)
    goal = await make_goal(db, owner)
    subject = to_global_id("Goal", goal.id)
    await notify(db, follower, subject, actor=owner, read_at=T0)
    await notify(db, follower, subject, actor=owner, created_at=T0 + timedelta(seconds=5))
    await notify(db, reader, subject, actor=owner, read_at=T0)

    assert await compose_due_mail(db, settings, now=T0 + timedelta(seconds=5)) == 1
    [mail] = await all_mail(db)
    assert mail.person_id == follower.id
    assert text_part(parsed(mail.message)).count("checked in on") == 1
    statuses = [(n.person_id, n.email_status, n.mail_id) for n in await notifications(db)]
    assert statuses == [
        (follower.id, EmailStatus.SKIPPED, None),
        (follower.id, EmailStatus.QUEUED, mail.id),
        (reader.id, EmailStatus.SKIPPED, None),
    ]


async def test_a_digest_groups_a_persons_due_notifications_by_subject(
    db: Database, settings: Settings
) -> None:
    settings = mail_settings(settings)
    owner = await make_person(db, display_name="Maria Lopez")
    parent = await make_person(db, PersonKind.PARENT_PARTNER, timezone="America/Los_Angeles")
    goal = await make_goal(db, owner)
    second_goal = await make_goal(db, owner, "Transition to adult care")
    digest_at = T0 + timedelta(hours=20)
    for subject in (goal, goal, second_goal):
        await notify(
            db,
            parent,
            to_global_id("Goal", subject.id),
            actor=owner,
            delivery=DeliveryMode.DAILY_DIGEST,
            due_at=digest_at,
        )
    # Not due yet: tomorrow's digest.
    await notify(
        db,
        parent,
        to_global_id("Goal", goal.id),
        actor=owner,
        delivery=DeliveryMode.DAILY_DIGEST,
        due_at=digest_at + timedelta(days=1),
    )

    assert await compose_due_mail(db, settings, now=digest_at - timedelta(minutes=1)) == 0
    assert await compose_due_mail(db, settings, now=digest_at) == 1
    [mail] = await all_mail(db)
    assert mail.kind == MailKind.DIGEST
    assert mail.thread_subject_id == ""
    message = parsed(mail.message)
    assert message["Subject"] == "[Test Network] Your daily digest: 3 updates"
    assert message["References"] is None
    body = text_part(message)
    assert body.index("== Reduce steroid use ==") < body.index("== Transition to adult care ==")
    assert body.count("checked in on") == 3
    assert "PDT" in body
    queued = [n.email_status for n in await notifications(db)]
    assert queued == [EmailStatus.QUEUED] * 3 + [EmailStatus.PENDING]


async def test_a_suppressed_address_gets_a_suppressed_row_and_no_delivery(
    db: Database, settings: Settings
) -> None:
    settings = mail_settings(settings)
    owner = await make_person(db)
    bounced = await make_person(db, email="Gone@Example.org")
    goal = await make_goal(db, owner)
    async with db.transaction() as session:
        session.add(SuppressedAddress(email_key="gone@example.org", reason="550 no such user"))
    await notify(db, bounced, to_global_id("Goal", goal.id), actor=owner)

    assert await compose_due_mail(db, settings, now=T0) == 1
    [mail] = await all_mail(db)
    assert mail.status == MailStatus.SUPPRESSED
    [notification] = await notifications(db)
    assert notification.email_status == EmailStatus.QUEUED
    assert notification.mail_id == mail.id


async def test_composing_costs_the_same_statements_for_a_burst_of_any_size(
    db: Database, settings: Settings, statements: StatementCounter
) -> None:
    settings = mail_settings(settings)
    owner = await make_person(db)
    goal = await make_goal(db, owner)
    subject = to_global_id("Goal", goal.id)
    counts = []
    for size in (2, 12):
        follower = await make_person(db)
        for _ in range(size):
            await notify(db, follower, subject, actor=owner)
        statements.reset()
        assert await compose_due_mail(db, settings, now=T0) == 1
        counts.append(statements.count)
    assert counts[0] == counts[1]


async def test_a_due_notification_whose_delivery_is_off_is_never_mailed(
    db: Database, settings: Settings
) -> None:
    settings = mail_settings(settings)
    owner = await make_person(db)
    follower = await make_person(db)
    goal = await make_goal(db, owner)
    await notify(db, follower, to_global_id("Goal", goal.id), delivery=DeliveryMode.OFF)
    assert await compose_due_mail(db, settings, now=T0) == 0
    assert await all_mail(db) == []
    assert [n.email_status for n in await notifications(db)] == [EmailStatus.NONE]
