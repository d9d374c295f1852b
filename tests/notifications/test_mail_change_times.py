"""Changes in mail are worded for the reader: a moved agenda item's times in their own time zone
(as the mail's other times), and a changed title in full, not cut at the app's 40 characters.
Real GraphQL writes and fan-out, sent over SMTP to aiosmtpd on loopback."""

from __future__ import annotations

from datetime import timedelta

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.ids import to_global_id
from icn_graph.models import LearningSession, NetworkRole, Person, PersonKind
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.sender import send_due_mail
from icn_graph.notifications.mail.transport import SmtpTransport
from icn_graph.testing import GraphQLClient, make_person, token_for
from tests.events.test_event_mail import FOLLOW, IMMEDIATE, ok, parts
from tests.learning_sessions.test_learning_sessions_factories import make_item, make_session
from tests.mail_helpers import mail_settings
from tests.smtp_server import SmtpServer

MOVE = """mutation($id: ID!) { updateAgendaItem(input: {id: $id, startsAt: "2014-04-04T10:15:00",
  endsAt: "2014-04-04T11:15:00"}) { userErrors { field message } } }"""
RENAME = """mutation($id: ID!, $title: String!) { updateAgendaItem(input: {id: $id,
  title: $title}) { userErrors { field message } } }"""
LONG_TITLE = "Bring a parent panel to the Spring 2014 Learning Session: what families need to know"


async def readers(db: Database, client: GraphQLClient, session: LearningSession) -> list[Person]:
    """Two watchers of the session who want mail at once: one in New York, one in Tokyo."""
    people = []
    for name, zone in (("Nora York", "America/New_York"), ("Taro Tokyo", "Asia/Tokyo")):
        person = await make_person(db, display_name=name, timezone=zone)
        token = await token_for(db, person)
        await ok(client, FOLLOW, {"id": to_global_id("LearningSession", session.id)}, token)
        await ok(client, IMMEDIATE, {}, token)
        people.append(person)
    return people


async def staff_token(db: Database) -> str:
    priya = await make_person(
        db, PersonKind.STAFF, network_role=NetworkRole.STAFF, display_name="Priya Raman"
    )
    return await token_for(db, priya)


async def texts_by_recipient(db: Database, settings: Settings, smtp: SmtpServer) -> dict[str, str]:
    """Everything due by tomorrow, composed, sent and received: each recipient's text part."""
    later = utcnow() + timedelta(days=1)
    await compose_due_mail(db, settings, now=later)
    transport = SmtpTransport(settings)
    try:
        await send_due_mail(db, settings, transport, now=later, worker_id="change-times")
    finally:
        await transport.close()
    return {received.rcpt_tos[0]: parts(received.message)[0] for received in smtp.received}


async def test_changed_times_are_in_each_readers_time_zone(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    session = await make_session(db)  # in New York
    nora, taro = await readers(db, client, session)
    item = await make_item(db, session, "Parent panel", "2014-04-04 10:00", "2014-04-04 11:00")

    await ok(client, MOVE, {"id": to_global_id("AgendaItem", item.id)}, await staff_token(db))
    await client.settle()

    texts = await texts_by_recipient(db, settings, smtp)
    assert set(texts) == {nora.email, taro.email}
    assert "  - starts at: Fri 4 Apr 2014, 10:00 AM EDT → 10:15 AM EDT\n" in texts[nora.email]
    assert "  - ends at: Fri 4 Apr 2014, 11:00 AM EDT → 11:15 AM EDT\n" in texts[nora.email]
    # 10 AM in New York is 11 PM in Tokyo, and 11 AM is past midnight there.
    assert "  - starts at: Fri 4 Apr 2014, 11:00 PM JST → 11:15 PM JST\n" in texts[taro.email]
    assert "  - ends at: Sat 5 Apr 2014, 12:00 AM JST → 12:15 AM JST\n" in texts[taro.email]
    assert all("UTC" not in text for text in texts.values())


async def test_a_changed_title_is_shown_in_full_in_mail(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    session = await make_session(db)
    nora, _ = await readers(db, client, session)
    item = await make_item(db, session, LONG_TITLE, "2014-04-04 10:00", "2014-04-04 11:00")

    variables: dict[str, object] = {
        "id": to_global_id("AgendaItem", item.id),
        "title": "Parent panel",
    }
    await ok(client, RENAME, variables, await staff_token(db))
    await client.settle()

    texts = await texts_by_recipient(db, settings, smtp)
    assert f"  - title: {LONG_TITLE} → Parent panel\n" in texts[nora.email]
