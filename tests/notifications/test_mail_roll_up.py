"""Roll-up to the followed subject, with a real SMTP server: a burst of registrations is one
mail about the session, its unsubscribe link mutes the session (so the next registration sends
nothing), and renaming the session keeps the thread's Subject."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlparse

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.models import NetworkRole, PersonKind
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.tokens import make_token
from icn_graph.notifications.models import EmailStatus
from icn_graph.testing import GraphQLClient, make_person, token_for
from tests.learning_sessions.test_learning_sessions import UPDATE_SESSION
from tests.mail_helpers import all_mail
from tests.notifications.session_mail import (
    mail_everything_due,
    notifications_of,
    register,
    smtp_mail_settings,
    text_of,
    watched_session,
)
from tests.smtp_server import SmtpServer

NAMES = ["Ana Alvarez", "Ben Brooks", "Cai Chen", "Dev Desai", "Eva Evans"]


async def test_five_registrations_in_a_burst_are_one_mail_about_the_session_naming_all_five(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_mail_settings(settings, smtp)
    watched = await watched_session(db, client)
    for name in NAMES:
        await register(db, client, watched, name)
    await client.settle()

    found = await notifications_of(db, watched.watcher)
    assert [n.type for n in found] == ["registration.created"] * 5
    assert {n.followed_subject_id for n in found} == {watched.session_id}
    assert len({n.subject_id for n in found}) == 5  # five registrations, one followed subject
    await mail_everything_due(db, settings, watched.watcher)

    [received] = smtp.received
    message = received.message
    assert received.rcpt_tos == [watched.watcher.email]
    assert message["Subject"] == f"[Test Network] {watched.session.title}"
    text = text_of(message)
    assert [name in text for name in NAMES] == [True] * 5
    assert "Mute this learning session (no more mail or app notifications about it)" in text
    [mail] = await all_mail(db)
    assert mail.thread_subject_id == watched.session_id


async def test_the_unsubscribe_link_of_that_mail_stops_the_sessions_next_registration_mail(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_mail_settings(settings, smtp)
    watched = await watched_session(db, client)
    await register(db, client, watched, NAMES[0])
    await client.settle()
    due = await mail_everything_due(db, settings, watched.watcher)
    [received] = smtp.received
    link = received.message["List-Unsubscribe"].split(",")[0].strip("<> ")

    # What a mail client does for List-Unsubscribe-Post: one POST, no cookies.
    response = await client.http.post(
        urlparse(link).path,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert "This mutes the Learning Session" in response.text

    await register(db, client, watched, NAMES[1])
    await client.settle()
    assert len(await notifications_of(db, watched.watcher)) == 1  # nothing new, not even in-app
    assert await compose_due_mail(db, settings, now=due.replace(year=due.year + 1)) == 0
    assert len(smtp.received) == 1


async def test_a_registration_pending_when_the_session_is_muted_is_not_mailed(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    """Mail planned but not composed yet is cancelled when the followed subject is muted, though
    its notification's own subject is the registration."""
    settings = smtp_mail_settings(settings, smtp)
    watched = await watched_session(db, client)
    await register(db, client, watched, NAMES[0])
    await register(db, client, watched, NAMES[1])
    await client.settle()
    first = (await notifications_of(db, watched.watcher))[0]
    assert first.email_status == EmailStatus.PENDING
    assert first.email_due_at is not None

    secret = settings.secret_key.get_secret_value()
    token = make_token(
        secret,
        watched.watcher.id,
        watched.watcher.email_key,
        watched.session_id,
        now=datetime.now(UTC),
    )
    assert (await client.http.post(f"/unsubscribe/{token}")).status_code == 200
    statuses = {n.email_status for n in await notifications_of(db, watched.watcher)}
    assert statuses == {EmailStatus.NONE}
    assert await compose_due_mail(db, settings, now=first.email_due_at) == 0


async def test_renaming_the_session_keeps_the_threads_subject_line(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_mail_settings(settings, smtp)
    watched = await watched_session(db, client)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    staff_token = await token_for(db, staff)
    await register(db, client, watched, NAMES[0])
    await client.settle()
    await mail_everything_due(db, settings, watched.watcher)

    renamed = "Spring 2014 Learning Session (Cincinnati)"
    variables = {"input": {"id": watched.session_id, "title": renamed}}
    data = await client.data(UPDATE_SESSION, variables, token=staff_token)
    assert data["updateLearningSession"]["userErrors"] == []
    await client.settle()
    await register(db, client, watched, NAMES[1])
    await client.settle()
    await mail_everything_due(db, settings, watched.watcher)

    # (Ana, registered and so following the session, hears of the rename too.)
    first, second = (r.message for r in smtp.received if r.rcpt_tos == [watched.watcher.email])
    assert first["Subject"] == second["Subject"] == f"[Test Network] {watched.session.title}"
    assert first["References"] == second["References"]
    assert first["Thread-Topic"] == second["Thread-Topic"] == watched.session.title
    assert renamed in text_of(second)  # the body says what it is called now
    assert NAMES[1] in text_of(second)
