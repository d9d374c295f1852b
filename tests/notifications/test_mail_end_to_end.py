"""From a GraphQL check-in to a real inbox: mutations → dispatch and fan-out → compose on a
simulated clock → send over SMTP to aiosmtpd on loopback, read back with the email package."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Person, PersonKind
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.sender import send_due_mail
from icn_graph.notifications.mail.transport import SmtpTransport
from icn_graph.notifications.models import MailKind, Notification
from icn_graph.testing import GraphQLClient, make_person, token_for
from tests.mail_helpers import all_mail, mail_settings, make_goal
from tests.smtp_server import SmtpServer

FOLLOW = """mutation($id: ID!) { follow(input: {subjectId: $id, level: NORMAL}) {
  userErrors { field message } } }"""
PREFERENCES = """mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { userErrors { field message } } }"""
CHECK_IN = """mutation($id: ID!, $note: String!) {
  checkInGoal(input: {id: $id, note: $note, status: ON_TRACK, confidence: 7}) {
    userErrors { field message } } }"""
LA = ZoneInfo("America/Los_Angeles")


async def ok(client: GraphQLClient, query: str, variables: dict[str, object], token: str) -> None:
    data = await client.data(query, variables, token=token)
    assert next(iter(data.values()))["userErrors"] == []


async def follower_of_a_goal(
    db: Database, client: GraphQLClient, kind: PersonKind, timezone: str = "America/New_York"
) -> tuple[Person, str, str, str]:
    """(follower, owner's token, goal ID, follower's token) with the follow made in GraphQL."""
    owner = await make_person(db, display_name="Maria Lopez")
    follower = await make_person(db, kind, display_name="Sam Carter", timezone=timezone)
    goal = await make_goal(db, owner)
    goal_id = to_global_id("Goal", goal.id)
    follower_token = await token_for(db, follower)
    await ok(client, FOLLOW, {"id": goal_id}, follower_token)
    return follower, await token_for(db, owner), goal_id, follower_token


async def notifications_of(db: Database, person: Person) -> list[Notification]:
    async with db.session() as session:
        statement = select(Notification).where(Notification.person_id == person.id)
        return list(await session.scalars(statement.order_by(Notification.id)))


async def deliver(db: Database, settings: Settings, now: datetime) -> int:
    transport = SmtpTransport(settings)
    try:
        return await send_due_mail(db, settings, transport, now=now, worker_id="e2e")
    finally:
        await transport.close()


async def test_a_check_in_mails_an_immediate_follower_once_after_the_batching_delay(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    follower, owner_token, goal_id, follower_token = await follower_of_a_goal(
        db, client, PersonKind.CLINICIAN
    )
    no_quiet_hours = {"quietHoursStart": None, "quietHoursEnd": None, "delivery": "IMMEDIATE"}
    await ok(client, PREFERENCES, {"input": no_quiet_hours}, follower_token)
    note = "Down to 31 % on steroids <b>really</b>"
    await ok(client, CHECK_IN, {"id": goal_id, "note": note}, owner_token)
    await client.settle()

    [notification] = await notifications_of(db, follower)
    due = notification.email_due_at
    assert due is not None
    # The batching delay counts from the event (a moment before its notification was written).
    waited = due - notification.created_at
    assert timedelta(seconds=110) < waited <= timedelta(seconds=settings.notify_batch_seconds)
    assert await compose_due_mail(db, settings, now=due - timedelta(seconds=1)) == 0
    assert await compose_due_mail(db, settings, now=due) == 1
    assert await compose_due_mail(db, settings, now=due + timedelta(hours=1)) == 0
    assert await deliver(db, settings, due) == 1

    [received] = smtp.received
    [mail] = await all_mail(db)
    message = received.message
    assert received.rcpt_tos == [follower.email]
    assert message["Message-ID"] == mail.message_id
    assert message["In-Reply-To"] == message["References"]
    assert message["References"].startswith("<thread-")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<https://icn.example.org/unsubscribe/")
    assert "mailto:unsubscribe@icn.example.org" in message["List-Unsubscribe"]
    assert message["Subject"] == "[Test Network] Reduce steroid use"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert note in text.get_content()
    assert "&lt;b&gt;really&lt;/b&gt;" in html.get_content()
    assert "Maria Lopez checked in on" in text.get_content()


async def test_three_check_ins_in_a_minute_make_one_email(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    follower, owner_token, goal_id, follower_token = await follower_of_a_goal(
        db, client, PersonKind.NURSE
    )
    no_quiet_hours = {"quietHoursStart": None, "quietHoursEnd": None}
    await ok(client, PREFERENCES, {"input": no_quiet_hours}, follower_token)
    for n in range(3):
        await ok(client, CHECK_IN, {"id": goal_id, "note": f"update {n}"}, owner_token)
    await client.settle()

    found = await notifications_of(db, follower)
    assert len(found) == 3
    first_due = min(n.email_due_at for n in found if n.email_due_at is not None)
    assert await compose_due_mail(db, settings, now=first_due) == 1
    assert await deliver(db, settings, first_due) == 1
    [received] = smtp.received
    body = received.message.get_body(("plain",))
    assert body is not None
    content = body.get_content()
    assert [f"update {n}" in content for n in range(3)] == [True, True, True]
    assert await compose_due_mail(db, settings, now=first_due + timedelta(days=1)) == 0


def next_local(after: datetime, clock: time) -> datetime:
    local = after.astimezone(LA)
    candidate = datetime.combine(local.date(), clock, tzinfo=LA)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), clock, tzinfo=LA)
    return candidate


async def test_a_los_angeles_digest_reader_gets_one_digest_at_their_hour_not_in_quiet_hours(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    parent, owner_token, goal_id, parent_token = await follower_of_a_goal(
        db, client, PersonKind.PARENT_PARTNER, timezone="America/Los_Angeles"
    )
    # 23:00 falls inside 22:00-07:00 quiet hours: the digest waits for the morning.
    preferences = {
        "delivery": "DAILY_DIGEST",
        "digestHour": 23,
        "quietHoursStart": "22:00",
        "quietHoursEnd": "07:00",
    }
    await ok(client, PREFERENCES, {"input": preferences}, parent_token)
    for n in range(2):
        await ok(client, CHECK_IN, {"id": goal_id, "note": f"digest item {n}"}, owner_token)
    await client.settle()

    found = await notifications_of(db, parent)
    assert len(found) == 2
    created = max(n.created_at for n in found)
    digest_hour = next_local(created, time(23, 0))
    morning = next_local(digest_hour, time(7, 0))
    assert {n.email_due_at for n in found} == {morning}

    for quiet in (digest_hour, digest_hour + timedelta(hours=3), morning - timedelta(seconds=1)):
        assert await compose_due_mail(db, settings, now=quiet) == 0
        assert await deliver(db, settings, quiet) == 0
    assert await compose_due_mail(db, settings, now=morning) == 1
    assert await deliver(db, settings, morning) == 1
    assert await compose_due_mail(db, settings, now=morning + timedelta(hours=1)) == 0

    [received] = smtp.received
    [mail] = await all_mail(db)
    assert mail.kind == MailKind.DIGEST
    assert received.message["Subject"] == "[Test Network] Your daily digest: 2 updates"
    body = received.message.get_body(("plain",))
    assert body is not None
    content = body.get_content()
    assert "digest item 0" in content
    assert "digest item 1" in content
    assert "PST" in content or "PDT" in content
