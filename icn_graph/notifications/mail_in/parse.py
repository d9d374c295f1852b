"""A received message: parsed, named (Message-ID or a digest) and addressed (its reply address)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser

from icn_graph.notifications.mail.reply_address import split_reply_address

# Where an MTA or the sender's client puts the address a message was delivered to, most
# trustworthy first: the headers MTAs add at delivery, then the ones the sender wrote.
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
_MESSAGE_ID = re.compile(r"^<[^<>\s]{1,240}>$")
_ADDRESS = re.compile(r"[^\s<>,;:\"'()]+@[^\s<>,;:\"'()]+")


class Unreadable(Exception):
    """The email package fails on the message (not with a defect: with an exception)."""


@dataclass(frozen=True)
class ParsedMail:
    message: EmailMessage
    size: int  # of the whole message, even when only its headers were parsed
    complete: bool  # False: headers only (the message was over the size limit)
    message_id: str | None  # as the sender set it, when well-formed
    key: str  # what deduplicates it: the Message-ID, or "<sha256:...>" of its bytes

    @property
    def subject(self) -> str:
        return " ".join(str(self.message.get("Subject", "")).split())[:200]


def parse(raw: bytes, *, size: int | None = None) -> ParsedMail:
    """``raw`` as a message; with ``size`` larger than ``raw`` (a message cut at the limit), its
    headers alone; :class:`Unreadable` when the email package fails on it."""
    total = len(raw) if size is None else size
    complete = total <= len(raw)
    try:
        if complete:
            message = BytesParser(policy=policy.default).parsebytes(raw)
        else:
            message = BytesHeaderParser(policy=policy.default).parsebytes(raw)
        _read_every_header(message)
    except Exception as error:  # RecursionError, IndexError, TypeError, ...: the parser's bugs
        raise Unreadable(f"{type(error).__name__} while parsing") from error
    assert isinstance(message, EmailMessage)
    message_id = _message_id(message)
    return ParsedMail(message, total, complete, message_id, message_id or _digest(raw))


def unparsed(raw: bytes, size: int) -> ParsedMail:
    """An :class:`Unreadable` message, as recorded: its digest, no headers."""
    return ParsedMail(EmailMessage(), size, False, None, _digest(raw))


def _digest(raw: bytes) -> str:
    return f"<sha256:{hashlib.sha256(raw).hexdigest()}>"


def _read_every_header(message: EmailMessage) -> None:
    """Headers are parsed when read, and some (deeply nested comments, some stray quotes and
    brackets) crash the parser rather than leave a defect: read each once here, so that a
    message which would crash a later check is refused as a whole, deterministically (an
    exception later would make the MTA retry it for days, then bounce it to a forgeable
    sender)."""
    for part in message.walk():
        for value in part.values():
            str(value)


def _message_id(message: EmailMessage) -> str | None:
    try:
        value = str(message.get("Message-ID", "")).strip()
    except (ValueError, IndexError):  # a header the email package cannot read
        return None
    return value if _MESSAGE_ID.match(value) else None


def header_addresses(message: EmailMessage, name: str) -> list[str]:
    """Every address-looking word of every ``name`` header, raw (display names are not read)."""
    found: list[str] = []
    for value in message.get_all(name, []) or []:
        try:
            text = str(value)
        except (ValueError, IndexError):
            continue
        found.extend(_ADDRESS.findall(text))
    return found


def reply_address_in(message: EmailMessage, domain: str) -> str | None:
    """The first reply address (``reply+<token>@domain``) among the delivery headers."""
    for name in _RECIPIENT_HEADERS:
        for address in header_addresses(message, name):
            if split_reply_address(address, domain) is not None:
                return address.lower()
    return None
