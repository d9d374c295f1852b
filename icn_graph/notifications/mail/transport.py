"""Where composed mail goes: an SMTP server (aiosmtplib, one connection reused for a batch) or,
without ICN_SMTP_HOST, a folder with one ``.eml`` file per message.

A transport raises :class:`DeliveryRefused` with the server's code: 4xx (and connection problems,
reported as 421) are temporary and retried later, 5xx are permanent.

An address that is not ASCII (``josé@exämple.com``) goes out with SMTPUTF8 when the server offers
it; otherwise the message is refused here, permanently but without suppressing the address
(553 5.6.7, RFC 6531), and the connection is reset for the next message.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import ssl
from datetime import UTC, datetime
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from icn_graph.config import Settings
from icn_graph.lazy import lazy_module

if TYPE_CHECKING:
    import aiosmtplib
else:
    aiosmtplib = lazy_module("aiosmtplib")  # loaded when mail first goes to an SMTP server

log = logging.getLogger(__name__)

# The code reported for a connection that failed or timed out: "service not available".
CONNECTION_PROBLEM = 421


# RFC 6531: "non-ASCII addresses not permitted for that sender/recipient".
NOT_SENDABLE = 553


class DeliveryRefused(Exception):
    def __init__(self, code: int, message: str, *, suppress: bool = True) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message
        # A permanent refusal by the server suppresses the address; one this worker made itself
        # (it cannot put the address into SMTP) does not.
        self.suppress = suppress

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600


class MailTransport(Protocol):
    async def send(self, sender: str, recipient: str, message: str) -> None:
        """Deliver ``message`` (a complete RFC 5322 message) or raise DeliveryRefused."""

    async def close(self) -> None: ...


class SmtpTransport:
    """One connection, opened on first use and kept for the following messages; a connection
    that broke is replaced once before a message counts as temporarily refused."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    def _new_client(self) -> aiosmtplib.SMTP:
        settings = self.settings
        return aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            use_tls=settings.smtp_tls == "tls",
            start_tls=settings.smtp_tls == "starttls",
            username=settings.smtp_user or None,
            password=settings.smtp_password.get_secret_value() or None,
            timeout=settings.smtp_timeout,
            tls_context=ssl.create_default_context() if settings.smtp_tls != "none" else None,
        )

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is None or not self._client.is_connected:
            await self.close()
            client = self._new_client()
            await client.connect()
            self._client = client
        return self._client

    async def send(self, sender: str, recipient: str, message: str) -> None:
        reused = self._client is not None and self._client.is_connected
        try:
            await self._send(sender, recipient, message)
        except (aiosmtplib.SMTPServerDisconnected, ConnectionError) as error:
            await self.close()
            if not reused:
                raise DeliveryRefused(CONNECTION_PROBLEM, f"connection lost: {error}") from error
            # The kept connection had gone stale (the server closed it while idle): once more.
            try:
                await self._send(sender, recipient, message)
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as again:
                await self.close()
                raise DeliveryRefused(CONNECTION_PROBLEM, f"connection problem: {again}") from again
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            await self.close()
            raise DeliveryRefused(CONNECTION_PROBLEM, f"connection problem: {error}") from error

    async def _send(self, sender: str, recipient: str, message: str) -> None:
        client = await self._connected()
        try:
            options, payload = await self._utf8_options(client, sender, recipient, message)
            errors, _response = await client.sendmail(
                sender, [recipient], payload, mail_options=options
            )
        except aiosmtplib.SMTPRecipientsRefused as refused:
            first = refused.recipients[0]
            await self._reset()
            raise DeliveryRefused(first.code, first.message) from refused
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
            raise
        except aiosmtplib.SMTPResponseException as error:
            await self._reset()
            raise DeliveryRefused(error.code, error.message) from error
        except ValueError as error:
            # An address (or message) that cannot be encoded for this server, possibly after
            # MAIL FROM went out: end that transaction before the next message.
            await self._reset()
            raise DeliveryRefused(
                NOT_SENDABLE,
                f"5.6.7 {recipient!r} cannot be sent: {error}",
                suppress=False,
            ) from error
        if errors:
            code, text = next(iter(errors.values()))
            raise DeliveryRefused(code, text)

    async def _utf8_options(
        self, client: aiosmtplib.SMTP, sender: str, recipient: str, message: str
    ) -> tuple[list[str], str | bytes]:
        """SMTPUTF8 (and the message as UTF-8 bytes) for a non-ASCII address, if the server
        offers it; DeliveryRefused (permanent, not suppressing) if it does not."""
        if sender.isascii() and recipient.isascii():
            return [], message
        if client.is_ehlo_or_helo_needed:
            with contextlib.suppress(aiosmtplib.SMTPHeloError):  # HELO only: no SMTPUTF8 either
                await client.ehlo()
        if not client.supports_extension("smtputf8"):
            address = recipient if not recipient.isascii() else sender
            raise DeliveryRefused(
                NOT_SENDABLE,
                f"5.6.7 address {address!r} cannot be sent without SMTPUTF8, "
                "which the mail server does not offer",
                suppress=False,
            )
        return ["SMTPUTF8"], message.encode("utf-8")

    async def _reset(self) -> None:
        """After a refusal the server may still be mid-transaction; RSET, or start afresh."""
        if self._client is None:
            return
        try:
            await self._client.rset()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            await self.close()

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if client.is_connected:
                # Briefly: a server stuck mid-message would otherwise hold a stopping worker.
                await client.quit(timeout=min(5.0, self.settings.smtp_timeout))
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class FolderTransport:
    """One ``<time>-<message id>.eml`` per message, written atomically (temp file, rename)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    async def send(self, sender: str, recipient: str, message: str) -> None:
        del sender, recipient  # the message's own headers say who it is for
        self.folder.mkdir(parents=True, exist_ok=True)
        message_id = ""
        for line in message.splitlines():
            if line.lower().startswith("message-id:"):
                message_id = line.split(":", 1)[1].strip().strip("<>")
                break
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{_UNSAFE.sub('_', message_id) or 'message'}.eml"
        temporary = self.folder / f".{name}.tmp"
        try:
            temporary.write_bytes(message.encode("utf-8"))
            os.replace(temporary, self.folder / name)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise DeliveryRefused(
                CONNECTION_PROBLEM, f"cannot write {self.folder}: {error}"
            ) from error

    async def close(self) -> None:
        return None


def envelope_sender(settings: Settings) -> str:
    return parseaddr(settings.mail_from)[1]


def transport_for(settings: Settings) -> MailTransport:
    if settings.smtp_host:
        return SmtpTransport(settings)
    return FolderTransport(settings.mail_dir)
