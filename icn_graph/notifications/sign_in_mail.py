"""Mailing links that sign people in (sign-in links, invitations) and the other mail about a
person's own account (an email change's link and notice, see ``account_mail``): at once, through
the notification mail transport (SMTP, or the mail folder without ICN_SMTP_HOST), never through
digests or quiet hours.

The message is sent from a background task, not queued in ``outgoing_mail``: the link's secret
is never written to the database (only its hash is). For a sign-in link the task also looks the
email up and makes the link, so ``requestSignIn`` answers before the people table is read and
takes the same time whether the email belongs to someone or not. A link that could not be made
or sent is logged (without the link) and is simply asked for again; so is an address the
message cannot be written to (one from before addresses had to be ASCII), in one line.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Coroutine
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.exc import SQLAlchemyError

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.notifications.mail.headers import Sender, one_line
from icn_graph.notifications.mail.transport import (
    DeliveryRefused,
    MailTransport,
    envelope_sender,
    transport_for,
)
from icn_graph.services.sign_in.links import IssuedLink, minutes_phrase, request_link

log = logging.getLogger(__name__)

PATH = "/sign-in/{token}"
_POLICY = policy.SMTP.clone(max_line_length=998)
_TEMPLATES = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "mail" / "templates")),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def sign_in_url(settings: Settings, secret: str) -> str:
    return settings.public_url.rstrip("/") + PATH.format(token=secret)


def sign_in_message(settings: Settings, link: IssuedLink) -> str:
    context: dict[str, object] = {
        "name": link.display_name,
        "network_name": settings.network_name,
        "url": sign_in_url(settings, link.secret),
        "expires": link.expires_at.strftime("%Y-%m-%d %H:%M"),
        "minutes": minutes_phrase(settings.sign_in_link_minutes),
    }
    return link_message(
        settings,
        to=(link.display_name, link.email),
        subject=f"Sign in to {settings.network_name}",
        template="sign_in",
        context=context,
    )


def link_message(
    settings: Settings,
    *,
    to: tuple[str, str],
    subject: str,
    template: str,
    context: dict[str, object],
) -> str:
    """A mailed link's message: ``template``.txt and .html (escaped) rendered with ``context``;
    the recipient's name and the subject made one line, so no input can add a header."""
    sender = Sender.parse(settings.mail_from)
    name, address = to
    message = EmailMessage(policy=_POLICY)
    message["From"] = settings.mail_from
    message["To"] = formataddr((one_line(name), address))
    message["Subject"] = one_line(subject, 250)
    message["Date"] = format_datetime(utcnow())
    kind = template.replace("_", "-")
    message["Message-ID"] = f"<{kind}.{secrets.token_hex(12)}@{sender.domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(_TEMPLATES.get_template(f"{template}.txt").render(context))
    message.add_alternative(
        _TEMPLATES.get_template(f"{template}.html").render(context), subtype="html"
    )
    return message.as_string()


class SignInMail:
    """Sends each message (sign-in, invitation, email change) from its own task; :meth:`drain`
    waits for those under way (the app's shutdown, and tests before they read the SMTP server)."""

    def __init__(
        self,
        settings: Settings,
        transport: Callable[[Settings], MailTransport] = transport_for,
    ) -> None:
        self.settings = settings
        self._transport = transport
        self._sending: set[asyncio.Task[None]] = set()

    def send_sign_in_link(self, db: Database, email: str, *, now: datetime) -> None:
        """From a task of its own: look ``email`` up, make the person's sign-in link and mail
        it (nothing for an email nobody has, a deactivated person's, or someone holding
        ICN_SIGN_IN_LIVE_LINKS working links already)."""
        self._start(self._link_and_send(db, email, now))

    def send_message(self, recipient: str, compose: Callable[[], str], what: str) -> None:
        """Send what ``compose`` makes to ``recipient`` from a task of its own; ``what`` names
        the mail in the log (a failure is logged, never with the message)."""
        self._start(self._send(recipient, compose, what))

    def _start(self, work: Coroutine[None, None, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _link_and_send(self, db: Database, email: str, now: datetime) -> None:
        minutes = self.settings.sign_in_link_minutes
        live_links = self.settings.sign_in_live_links
        try:
            link = await request_link(db, email, now=now, minutes=minutes, live_links=live_links)
        except (SQLAlchemyError, OSError) as error:
            log.error("sign-in link for %s not made: database unavailable: %s", email, error)
            return
        except Exception:  # nobody awaits this task: say what went wrong here
            log.exception("sign-in link for %s not made", email)
            return
        if link is not None:
            await self._send(link.email, lambda: sign_in_message(self.settings, link), "sign-in")

    async def _send(self, recipient: str, compose: Callable[[], str], what: str) -> None:
        try:
            message = compose()
        except ValueError as error:
            # An address the email package cannot write (not ASCII: it would need SMTPUTF8):
            # a data problem, not a bug, so one line and no traceback.
            log.warning(
                "%s mail to %r not sent: cannot write the message: %s", what, recipient, error
            )
            return
        transport = self._transport(self.settings)
        try:
            await transport.send(envelope_sender(self.settings), recipient, message)
        except DeliveryRefused as refused:
            log.warning("%s mail to %s not sent: %s", what, recipient, refused)
        except Exception:
            log.exception("%s mail to %s not sent", what, recipient)
        finally:
            await transport.close()

    async def drain(self) -> None:
        while self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)
