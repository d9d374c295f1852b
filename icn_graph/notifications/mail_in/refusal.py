"""The mail telling a verified sender why their reply was not posted, or (a notice) what of a
posted reply was not kept: its attached files.

Queued in ``outgoing_mail`` (kind MAIL_IN_REFUSAL, for both) in the transaction that records the
refusal or the post, so the worker delivers it like any other mail (retries, suppressed
addresses) and an MTA's retry of the same reply finds it recorded and sends nothing twice. It
goes only to the address on file of the person the reply was verified as, never to an address
the mail names, and says it is automatic (``Auto-Submitted: auto-replied``), so it starts no
loop.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.models import Person
from icn_graph.notifications.mail.headers import Sender, one_line
from icn_graph.notifications.models import MailKind, MailStatus, OutgoingMail

_POLICY = policy.SMTP.clone(max_line_length=998)


def refusal_text(person: Person, subject: str, reason: str, network_name: str) -> str:
    quoted = f'"{subject}"' if subject else "without a subject"
    return (
        f"Hello {person.display_name},\n\n"
        f"Your email {quoted} was not posted: {reason}\n\n"
        "Nothing from it was posted.\n\n"
        f"-- \n{network_name} (an automatic message: replies to it are not read)\n"
    )


def files_not_kept_text(person: Person, subject: str, files: str, network_name: str) -> str:
    quoted = f'"{subject}"' if subject else "without a subject"
    return (
        f"Hello {person.display_name},\n\n"
        f"Your email {quoted} was posted, without its attachments ({files}): the "
        "conversation holds text only, so they were not kept.\n\n"
        f"-- \n{network_name} (an automatic message: replies to it are not read)\n"
    )


@dataclass(frozen=True)
class Answered:
    """The reply a refusal or notice answers: its subject, its Message-ID (threaded under), the
    subject id of its thread, and when it came."""

    subject: str
    message_id: str | None
    subject_id: str
    now: datetime


def queue_refusal(
    session: AsyncSession, settings: Settings, person: Person, reply: Answered, reason: str
) -> OutgoingMail:
    line = f"Not posted: {reply.subject}" if reply.subject else "Your reply was not posted"
    text = refusal_text(person, one_line(reply.subject, 200), reason, settings.network_name)
    return _queue(session, settings, person, reply, line, text)


def queue_files_not_kept(
    session: AsyncSession, settings: Settings, person: Person, reply: Answered, files: str
) -> OutgoingMail:
    """The notice that a posted reply's attachments (``files``, named) were not kept."""
    line = (
        f"Posted without attachments: {reply.subject}" if reply.subject else "Attachments not kept"
    )
    text = files_not_kept_text(person, one_line(reply.subject, 200), files, settings.network_name)
    return _queue(session, settings, person, reply, line, text)


def _queue(
    session: AsyncSession,
    settings: Settings,
    person: Person,
    reply: Answered,
    subject_line: str,
    text: str,
) -> OutgoingMail:
    in_reply_to, subject_id, now = reply.message_id, reply.subject_id, reply.now
    sender = Sender.parse(settings.mail_from)
    message_id = f"<mail-in-refusal.{secrets.token_hex(12)}@{sender.domain}>"
    line = one_line(subject_line, 250)
    message = EmailMessage(policy=_POLICY)
    message["From"] = settings.mail_from
    message["To"] = person.email
    message["Subject"] = line
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    if in_reply_to is not None:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message["Auto-Submitted"] = "auto-replied"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(text, cte="quoted-printable")
    row = OutgoingMail(
        person_id=person.id,
        to_address=person.email,
        message_id=message_id,
        kind=MailKind.MAIL_IN_REFUSAL,
        thread_subject_id=subject_id,
        subject_line=line,
        message=message.as_string(),
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row
