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
# No reply a person writes has more parts; the email package takes seconds on thousands.
MAX_PARTS = 100


class Unreadable(Exception):
    """The email package fails on the message (not with a defect: with an exception)."""


@dataclass(frozen=True)
class ParsedMail:
    message: EmailMessage
    size: int  # of the whole message, even when only its headers were parsed
    complete: bool  # False: headers only (over the size limit, or too_many_parts)
    message_id: str | None  # as the sender set it, when well-formed
    key: str  # what deduplicates it: the Message-ID, or "<sha256:...>" of its bytes
    too_many_parts: bool = False  # more than MAX_PARTS MIME parts: headers only

    @property
    def subject(self) -> str:
        return " ".join(str(self.message.get("Subject", "")).split())[:200]


def parse(raw: bytes, *, size: int | None = None) -> ParsedMail:
    """``raw`` as a message; with ``size`` larger than ``raw`` (a message cut at the limit), its
    headers alone; :class:`Unreadable` when the email package fails on it."""
    total = len(raw) if size is None else size
    # Each part starts on a line "--boundary": more such lines than two a part (opening and
    # closing delimiters) and the body is not parsed at all, which bounds the parser's work.
    too_many = _dash_lines(raw) > 2 * MAX_PARTS
    complete = total <= len(raw) and not too_many
    try:
        message = _parsed(raw, complete)
        if complete and sum(1 for _ in message.walk()) > MAX_PARTS:
            too_many, complete = True, False
            message = _parsed(raw, complete)
        _read_every_header(message)
    except Exception as error:  # RecursionError, IndexError, TypeError, ...: the parser's bugs
        raise Unreadable(f"{type(error).__name__} while parsing") from error
    message_id = _message_id(message)
    key = message_id or _digest(raw)
    return ParsedMail(message, total, complete, message_id, key, too_many_parts=too_many)


def _parsed(raw: bytes, whole: bool) -> EmailMessage:
    parser = BytesParser if whole else BytesHeaderParser
    message = parser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def _dash_lines(raw: bytes) -> int:
    return raw.count(b"\n--") + raw.startswith(b"--")


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
