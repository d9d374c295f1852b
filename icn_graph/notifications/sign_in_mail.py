"""Mailing sign-in links: at once, through the notification mail transport (SMTP, or the mail
folder without ICN_SMTP_HOST), never through digests or quiet hours.

The message is sent from a background task, not queued in ``outgoing_mail``: the link's secret
is never written to the database (only its hash is), and the request that asked for it answers
before any SMTP conversation, taking the same time whether the email belongs to someone or not.
A link that could not be sent is logged (without the link) and is simply asked for again.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from icn_graph.config import Settings
from icn_graph.db.types import utcnow
from icn_graph.notifications.mail.headers import Sender, one_line
from icn_graph.notifications.mail.transport import (
    DeliveryRefused,
    MailTransport,
    envelope_sender,
    transport_for,
)
from icn_graph.services.sign_in.links import IssuedLink

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
    sender = Sender.parse(settings.mail_from)
    context = {
        "name": link.display_name,
        "network_name": settings.network_name,
        "url": sign_in_url(settings, link.secret),
        "expires": link.expires_at.strftime("%Y-%m-%d %H:%M"),
        "minutes": settings.sign_in_link_minutes,
    }
    message = EmailMessage(policy=_POLICY)
    message["From"] = settings.mail_from
    message["To"] = formataddr((one_line(link.display_name), link.email))
    message["Subject"] = one_line(f"Sign in to {settings.network_name}", 250)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = f"<sign-in.{secrets.token_hex(12)}@{sender.domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(_TEMPLATES.get_template("sign_in.txt").render(context))
    message.add_alternative(_TEMPLATES.get_template("sign_in.html").render(context), subtype="html")
    return message.as_string()


class SignInMail:
    """Sends each link from its own task; :meth:`drain` waits for those under way (the app's
    shutdown, and tests before they read the SMTP server)."""

    def __init__(
        self,
        settings: Settings,
        transport: Callable[[Settings], MailTransport] = transport_for,
    ) -> None:
        self.settings = settings
        self._transport = transport
        self._sending: set[asyncio.Task[None]] = set()

    def send(self, link: IssuedLink) -> None:
        task = asyncio.get_running_loop().create_task(self._send(link))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, link: IssuedLink) -> None:
        transport = self._transport(self.settings)
        try:
            message = sign_in_message(self.settings, link)
            await transport.send(envelope_sender(self.settings), link.email, message)
        except DeliveryRefused as refused:
            log.warning("sign-in mail to %s not sent: %s", link.email, refused)
        except Exception:
            log.exception("sign-in mail to %s not sent", link.email)
        finally:
            await transport.close()

    async def drain(self) -> None:
        while self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)
