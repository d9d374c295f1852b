"""``icn-graph mail-in --listen``: an SMTP or LMTP server (aiosmtpd) for an MTA to relay to.

- ``RCPT TO`` a genuine reply address: 250; anything else: 550 (the MTA bounces it at once,
  nothing is stored).
- ``DATA``: each recipient's copy goes through :class:`MailReceiver`; 250 when it was handled,
  ignored or refused (a refusal is answered by mail, to the verified sender only), 451 when it
  failed for now (the MTA keeps the message and tries again). LMTP answers once per recipient;
  SMTP once for all (451 if any failed: the ones that did not are recorded, so the retry skips
  them).
- Messages up to ``hard_limit`` bytes (twice ICN_MAIL_IN_MAX_BYTES) are read; a message over
  ICN_MAIL_IN_MAX_BYTES is still read (up to the hard limit) so its verified sender can be told
  why it was refused. Beyond the hard limit the server answers 552 and the MTA tells the sender.
- Resources are bounded: ICN_MAIL_IN_MAX_CONNECTIONS connections at once (more are answered
  421 and closed), each closed after ``IDLE_TIMEOUT`` seconds without a command (or to finish
  its DATA), each command at most ``COMMAND_LIMIT`` times a connection (then 421: the MTA
  opens a new one). Memory is then at most about twice the hard limit per connection.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session

from icn_graph.notifications.mail_in.receive import MailReceiver, TemporaryFailure

log = logging.getLogger(__name__)

OK = "250 2.0.0 OK"
TRY_LATER = "451 4.3.0 Temporary failure, try again later"
NO_SUCH_ADDRESS = "550 5.1.1 No such reply address"
BUSY = b"421 4.3.2 Too many connections, try again later\r\n"
IDLE_TIMEOUT = 60.0
COMMAND_LIMIT = 100


def hard_limit(max_bytes: int) -> int:
    return 2 * max_bytes


class _Slots:
    """The connections being served, against the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.taken = 0


class _Busy(asyncio.Protocol):
    """A connection beyond the limit: told so, and closed."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(BUSY)
        transport.close()


class _Counted(SMTP):
    slots: _Slots

    def connection_lost(self, error: Exception | None) -> None:
        self.slots.taken -= 1
        super().connection_lost(error)


class _CountedSMTP(_Counted):
    pass


class _CountedLMTP(_Counted, LMTP):
    pass


class ReplyHandler:
    """aiosmtpd's handler: checks recipients, hands each message to the receiver."""

    def __init__(self, receiver: MailReceiver, *, lmtp: bool) -> None:
        self.receiver = receiver
        self.lmtp = lmtp

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.receiver.target_of(address) is None:
            log.info("mail-in: RCPT %r refused: not a valid reply address", address[:100])
            return NO_SUCH_ADDRESS
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        sender = envelope.mail_from or ""
        answers = [await self._deliver(raw, recipient, sender) for recipient in envelope.rcpt_tos]
        if self.lmtp:
            return "\r\n".join(answers)
        return TRY_LATER if TRY_LATER in answers else OK

    async def _deliver(self, raw: bytes, recipient: str, sender: str) -> str:
        try:
            await self.receiver.receive(raw, recipient=recipient, envelope_sender=sender)
        except TemporaryFailure as error:
            log.warning("mail-in: %s for now: %s", recipient, error)
            return TRY_LATER
        except Exception:
            log.exception("mail-in: failed on a message to %s", recipient)
            return TRY_LATER
        return OK


async def start_listener(
    receiver: MailReceiver,
    host: str,
    port: int,
    *,
    lmtp: bool,
    idle_timeout: float = IDLE_TIMEOUT,
) -> asyncio.Server:
    """A listening server on this loop; ``close()`` it (and ``wait_closed()``) to stop."""
    handler = ReplyHandler(receiver, lmtp=lmtp)
    slots = _Slots(receiver.settings.mail_in_max_connections)
    protocol: type[_Counted] = _CountedLMTP if lmtp else _CountedSMTP
    options: dict[str, Any] = {
        "data_size_limit": hard_limit(receiver.settings.mail_in_max_bytes),
        "enable_SMTPUTF8": True,
        "decode_data": False,
        "hostname": receiver.domain,
        "timeout": idle_timeout,
        "command_call_limit": COMMAND_LIMIT,
    }

    def connection() -> asyncio.Protocol:
        if slots.taken >= slots.limit:
            log.warning("mail-in: %d connections already: answered 421", slots.taken)
            return _Busy()
        slots.taken += 1
        served = protocol(handler, **options)
        served.slots = slots
        return served

    loop = asyncio.get_running_loop()
    return await loop.create_server(connection, host=host, port=port)
