"""Mail says what happened, from what the events kept: a cancelled registration and a removed
agenda item are named after they are gone, and a change shows old → new. Real GraphQL writes,
real fan-out, the real renderer, sent over SMTP to aiosmtpd on loopback."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.ids import to_global_id
from icn_graph.models import LearningSession, NetworkRole, Person, PersonKind
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.sender import send_due_mail
from icn_graph.notifications.mail.transport import SmtpTransport
from icn_graph.notifications.mail.unsubscribe import unsubscribe_target
from icn_graph.testing import GraphQLClient, make_person, token_for
from tests.learning_sessions.test_learning_sessions_factories import (
    make_item,
    make_registration,
    make_session,
)
from tests.mail_helpers import mail_settings
from tests.smtp_server import SmtpServer

FOLLOW = """mutation($id: ID!) { follow(input: {subjectId: $id, level: WATCHING}) {
  userErrors { field message } } }"""
IMMEDIATE = """mutation { updateNotificationPreferences(input: {delivery: IMMEDIATE,
  quietHoursStart: null, quietHoursEnd: null}) { userErrors { field message } } }"""
CANCEL = """mutation($id: ID!) { cancelRegistration(input: {id: $id}) {
  userErrors { field message } } }"""
REMOVE = """mutation($id: ID!) { removeAgendaItem(input: {id: $id}) {
  userErrors { field message } } }"""
MOVE = """mutation($id: ID!) { updateAgendaItem(input: {id: $id, room: "Hall B", title: "Q&A"}) {
  userErrors { field message } } }"""
INBOX = "{ viewer { notifications(first: 10) { nodes { type summary } } } }"


async def ok(client: GraphQLClient, query: str, variables: dict[str, object], token: str) -> None:
    data = await client.data(query, variables, token=token)
    assert next(iter(data.values()))["userErrors"] == []


async def watched_session(db: Database, client: GraphQLClient) -> tuple[LearningSession, Person]:
    """A Learning Session and Sam, who watches it and wants mail at once."""
    session = await make_session(db)
    sam = await make_person(db, PersonKind.CLINICIAN, display_name="Sam Carter")
    token = await token_for(db, sam)
    await ok(client, FOLLOW, {"id": to_global_id("LearningSession", session.id)}, token)
    await ok(client, IMMEDIATE, {}, token)
    return session, sam


async def mailed(db: Database, settings: Settings, smtp: SmtpServer) -> dict[str, EmailMessage]:
    """Everything due by tomorrow, composed, sent and received, by subject line."""
    later = utcnow() + timedelta(days=1)
    await compose_due_mail(db, settings, now=later)
    transport = SmtpTransport(settings)
    try:
        await send_due_mail(db, settings, transport, now=later, worker_id="typed-events")
    finally:
        await transport.close()
    return {str(received.message["Subject"]): received.message for received in smtp.received}


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    return text.get_content().replace("\r\n", "\n"), html.get_content()


async def test_cancelled_registrations_and_removed_items_are_named_in_mail_and_inbox(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    session, sam = await watched_session(db, client)
    dana = await make_person(db, PersonKind.PARENT_PARTNER, display_name="Dana Whitfield")
    priya = await make_person(
        db, PersonKind.STAFF, network_role=NetworkRole.STAFF, display_name="Priya Raman"
    )
    registration = await make_registration(db, session, dana)
    item = await make_item(
        db, session, "Parent panel <b>& friends</b>", "2014-04-04 10:00", "2014-04-04 11:00"
    )

    await ok(
        client,
        CANCEL,
        {"id": to_global_id("Registration", registration.id)},
        await token_for(db, dana),
    )
    await ok(
        client, REMOVE, {"id": to_global_id("AgendaItem", item.id)}, await token_for(db, priya)
    )
    await client.settle()

    inbox = await client.data(INBOX, token=await token_for(db, sam))
    assert sorted(
        (node["type"], node["summary"]) for node in inbox["viewer"]["notifications"]["nodes"]
    ) == [
        (
            "agenda_item.removed",
            "Priya Raman removed 'Parent panel <b>& friends</b>' from the agenda of"
            " 'Spring 2014 Learning Session'",
        ),
        (
            "registration.cancelled",
            "Dana Whitfield cancelled their registration for 'Spring 2014 Learning Session'",
        ),
    ]

    # Both roll up to the session Sam follows: one message, on the session's thread.
    mail = await mailed(db, settings, smtp)
    assert list(mail) == ["[Test Network] Spring 2014 Learning Session"]
    text, html = parts(mail["[Test Network] Spring 2014 Learning Session"])
    assert "Dana Whitfield cancelled their registration for 'Spring 2014 Learning Session'" in text
    assert "Priya Raman removed 'Parent panel <b>& friends</b>' from the agenda" in text
    assert "Parent panel &lt;b&gt;&amp; friends&lt;/b&gt;" in html
    assert "<b>& friends" not in html
    assert "Something that was removed" not in text
    assert "an item" not in text
    assert all(received.rcpt_tos == [sam.email] for received in smtp.received)


async def test_a_change_mails_old_and_new_values(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    session, sam = await watched_session(db, client)
    priya = await make_person(
        db, PersonKind.STAFF, network_role=NetworkRole.STAFF, display_name="Priya Raman"
    )
    item = await make_item(
        db, session, "Open <mic>", "2014-04-04 10:00", "2014-04-04 11:00", room="A"
    )

    await ok(client, MOVE, {"id": to_global_id("AgendaItem", item.id)}, await token_for(db, priya))
    await client.settle()

    inbox = await client.data(INBOX, token=await token_for(db, sam))
    assert inbox["viewer"]["notifications"]["nodes"] == [
        {
            "type": "agenda_item.updated",
            "summary": "Priya Raman changed 'Q&A' on the agenda: title: Open <mic> → Q&A;"
            " room: A → Hall B",
        }
    ]
    [message] = (await mailed(db, settings, smtp)).values()
    text, html = parts(message)
    assert "* Priya Raman changed 'Q&A' on the agenda\n" in text
    assert "  - title: Open <mic> → Q&A\n" in text
    assert "  - room: A → Hall B\n" in text
    assert "<li>title: Open &lt;mic&gt; → Q&amp;A</li>" in html
    assert "<li>room: A → Hall B</li>" in html


async def test_mail_about_a_removed_item_still_says_what_kind_it_was(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    session = await make_session(db)
    item = await make_item(db, session, "Parent panel", "2014-04-04 10:00", "2014-04-04 11:00")
    nora = await make_person(db, PersonKind.PARENT_PARTNER, display_name="Nora Park")
    token = await token_for(db, nora)
    await ok(client, FOLLOW, {"id": to_global_id("AgendaItem", item.id)}, token)
    await ok(client, IMMEDIATE, {}, token)
    priya = await make_person(
        db, PersonKind.STAFF, network_role=NetworkRole.STAFF, display_name="Priya Raman"
    )
    await ok(
        client, REMOVE, {"id": to_global_id("AgendaItem", item.id)}, await token_for(db, priya)
    )
    await client.settle()

    [message] = (await mailed(db, settings, smtp)).values()
    text, _html = parts(message)
    assert "Mute this agenda item" in text
    assert "Mute this item" not in text
    link = str(message["List-Unsubscribe"]).split(",")[0].strip("<> ")
    token = link.rsplit("/", 1)[-1]
    # As the unsubscribe page reads it, at the (simulated) time the mail went out.
    target = await unsubscribe_target(db, settings, token, now=utcnow() + timedelta(days=1))
    assert target.description == "a removed agenda item"
