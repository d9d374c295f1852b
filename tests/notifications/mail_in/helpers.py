"""Mail that went out for real (compose → SMTP → aiosmtpd) and replies to it as mail clients
write them: new text on top, a signature, the quoted history below."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from pydantic import SecretStr
from sqlalchemy import select

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import CheckIn, Goal, Person
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.sender import send_due_mail
from icn_graph.notifications.mail.transport import SmtpTransport
from icn_graph.notifications.mail_in.receive import MailReceiver
from icn_graph.notifications.models import InboundMail, OutgoingMail
from icn_graph.testing import make_person
from tests.mail_helpers import T0, mail_settings, make_goal, notify
from tests.smtp_server import SmtpServer

REPLY_DOMAIN = "reply.icn.example.org"
NEW_TEXT = "Thanks Maria, I can join the panel.\n\nWe should ask about night-time symptoms too."
SIGNATURE = "-- \nSam Carter\nParent partner, Cincinnati Children's"


# Not the development values, which mail-in refuses on PostgreSQL as serve does.
PRODUCTION_LIKE_SECRET_KEY = "test-secret-key-for-reply-addresses-0123456789"
PRODUCTION_LIKE_PATIENT_KEY_SECRET = "test-patient-key-secret-0123456789"


def reply_settings(
    settings: Settings, smtp: SmtpServer | None = None, **values: object
) -> Settings:
    smtp_values = {"smtp_host": "127.0.0.1", "smtp_port": smtp.port} if smtp else {}
    return mail_settings(
        settings,
        mail_reply_domain=REPLY_DOMAIN,
        secret_key=SecretStr(PRODUCTION_LIKE_SECRET_KEY),
        **smtp_values,
        **values,
    )


@dataclass
class Mailed:
    """A person, the goal they follow, and the notification mail they received about it."""

    person: Person
    goal: Goal
    message: EmailMessage

    @property
    def reply_to(self) -> str:
        return str(self.message["Reply-To"].addresses[0].addr_spec)

    @property
    def subject_id(self) -> str:
        return to_global_id("Goal", self.goal.id)


async def deliver_all(db: Database, settings: Settings) -> int:
    transport = SmtpTransport(settings)
    try:
        return await send_due_mail(
            db, settings, transport, now=T0 + timedelta(hours=1), worker_id="t"
        )
    finally:
        await transport.close()


async def mailed(db: Database, settings: Settings, smtp: SmtpServer) -> Mailed:
    """Sam follows Maria's goal and gets one immediate mail about it, sent over real SMTP."""
    owner = await make_person(db, display_name="Maria Lopez")
    person = await make_person(db, display_name="Sam Carter", email="Sam.Carter@Example.org")
    goal = await make_goal(db, owner, "Start a parent panel")
    await notify(db, person, to_global_id("Goal", goal.id), actor=owner)
    assert await compose_due_mail(db, settings, now=T0) == 1
    before = len(smtp.messages)
    assert await deliver_all(db, settings) == 1
    [message] = smtp.messages[before:]
    return Mailed(person, goal, message)


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


def quoted(original: EmailMessage) -> str:
    body = original.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    lines = body.get_content().splitlines()
    return "\n".join(f"> {line}" if line else ">" for line in lines)


def reply(
    mail: Mailed,
    text: str = NEW_TEXT,
    *,
    sender: str | None = None,
    to: str | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachment: bytes | None = None,
    message_id: str | None = None,
    body: str | None = None,
    subject: str | None = None,
) -> bytes:
    """A reply as Gmail writes one: new text, signature, "On ... wrote:" and the quote (or
    ``body``, the whole text as given)."""
    original = mail.message
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender or f"Sam Carter <{mail.person.email}>"
    message["To"] = to or mail.reply_to
    message["Subject"] = subject or f"Re: {original['Subject']}"
    message["Date"] = format_datetime(T0 + timedelta(minutes=30))
    message["Message-ID"] = message_id or f"<{secrets.token_hex(8)}@mail.example.org>"
    message["In-Reply-To"] = str(original["Message-ID"])
    message["References"] = str(original["Message-ID"])
    for name, value in (headers or {}).items():
        message[name] = value
    wrote = (
        f"On Tue, Mar 10, 2026 at 11:00 AM {original['From'].addresses[0].display_name} <\n"
        f"{original['From'].addresses[0].addr_spec}> wrote:"
    )
    if html is not None:
        message.set_content(html, subtype="html")
    elif body is not None:
        message.set_content(body)
    else:
        message.set_content(f"{text}\n\n{SIGNATURE}\n\n{wrote}\n\n{quoted(original)}\n")
    if attachment is not None:
        message.add_attachment(
            attachment, maintype="application", subtype="pdf", filename="objectives.pdf"
        )
    return message.as_bytes()


def receiver(db: Database, settings: Settings) -> MailReceiver:
    return MailReceiver(db, settings, clock=lambda: T0 + timedelta(minutes=31))


async def check_ins(db: Database, goal: Goal) -> list[tuple[int, str]]:
    async with db.session() as session:
        rows = await session.execute(
            select(CheckIn.author_id, CheckIn.note)
            .where(CheckIn.goal_id == goal.id)
            .order_by(CheckIn.id)
        )
        return [(author, note) for author, note in rows]


async def inbound(db: Database) -> list[InboundMail]:
    async with db.session() as session:
        return list(await session.scalars(select(InboundMail).order_by(InboundMail.id)))


async def refusals(db: Database) -> list[OutgoingMail]:
    async with db.session() as session:
        statement = select(OutgoingMail).where(OutgoingMail.kind == "MAIL_IN_REFUSAL")
        return list(await session.scalars(statement.order_by(OutgoingMail.id)))
