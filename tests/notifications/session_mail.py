"""A Learning Session with a watcher, registrations made in GraphQL, and mail driven to a real
SMTP server (aiosmtpd) on a simulated clock: shared by the roll-up and manage-page tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import LearningSession, Person, PersonKind
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.sender import send_due_mail
from icn_graph.notifications.mail.transport import SmtpTransport
from icn_graph.notifications.models import Notification
from icn_graph.testing import GraphQLClient, make_person, token_for
from tests.learning_sessions.test_learning_sessions_factories import REGISTER, make_session
from tests.smtp_server import SmtpServer

FOLLOW = """mutation($id: ID!, $level: FollowLevel!) {
  follow(input: {subjectId: $id, level: $level}) { userErrors { field message } } }"""
PREFERENCES = """mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { userErrors { field message } } }"""
MANAGE_LINK = re.compile(r"https://icn\.example\.org(/manage-email/[0-9A-Za-z._-]+)")


async def ok(client: GraphQLClient, query: str, variables: dict[str, object], token: str) -> None:
    data = await client.data(query, variables, token=token)
    assert next(iter(data.values()))["userErrors"] == []


@dataclass
class WatchedSession:
    session: LearningSession
    session_id: str
    watcher: Person
    watcher_token: str


async def watched_session(db: Database, client: GraphQLClient) -> WatchedSession:
    """A session a clinician WATCHES, on immediate mail without quiet hours."""
    row = await make_session(db)
    watcher = await make_person(db, PersonKind.CLINICIAN, display_name="Wendy Watcher")
    token = await token_for(db, watcher)
    session_id = to_global_id("LearningSession", row.id)
    await ok(client, FOLLOW, {"id": session_id, "level": "WATCHING"}, token)
    immediate = {"delivery": "IMMEDIATE", "quietHoursStart": None, "quietHoursEnd": None}
    await ok(client, PREFERENCES, {"input": immediate}, token)
    return WatchedSession(row, session_id, watcher, token)


async def register(db: Database, client: GraphQLClient, watched: WatchedSession, name: str) -> None:
    """``name`` registers themself for the session, in GraphQL."""
    person = await make_person(db, PersonKind.NURSE, display_name=name)
    variables = {"input": {"learningSessionId": watched.session_id}}
    data = await client.data(REGISTER, variables, token=await token_for(db, person))
    assert data["register"]["userErrors"] == []


async def notifications_of(db: Database, person: Person) -> list[Notification]:
    async with db.session() as session:
        statement = select(Notification).where(Notification.person_id == person.id)
        return list(await session.scalars(statement.order_by(Notification.id)))


async def deliver(db: Database, settings: Settings, now: datetime) -> int:
    transport = SmtpTransport(settings)
    try:
        return await send_due_mail(db, settings, transport, now=now, worker_id="roll-up")
    finally:
        await transport.close()


async def mail_everything_due(db: Database, settings: Settings, person: Person) -> datetime:
    """Compose and send the person's mail at the moment the last of it is due; that moment."""
    due = max(n.email_due_at for n in await notifications_of(db, person) if n.email_due_at)
    await compose_due_mail(db, settings, now=due)
    await deliver(db, settings, due)
    return due


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    content = body.get_content()
    assert isinstance(content, str)
    return content


def smtp_mail_settings(settings: Settings, smtp: SmtpServer, **values: object) -> Settings:
    from tests.mail_helpers import mail_settings

    return mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port, **values)
