"""Is the mail from the person its reply address is bound to?

Only the address on file counts: exactly one ``From`` header holding exactly one mailbox whose
address (not its display name: ``"maria@example.org" <someone@else.net>`` is someone else) is
the person's, case-insensitively; a ``Sender`` header, if any, naming the same address; and the
envelope sender (``MAIL FROM`` or ``Return-Path``), if known, the same again. ``Reply-To`` is
never read: answers about the reply go to the address on file, never to one the mail names.

This proves less than a signature would: the MTA in front should reject mail failing DMARC for
the sender's domain (see docs/operations.md), and a reply still has to pass the handler's own
authorization as that person.
"""

from __future__ import annotations

import re
from email.errors import ObsoleteHeaderDefect
from email.headerregistry import Address
from email.message import EmailMessage

_PLAIN_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\\\[\]]+@[^@\s<>(),;:\"\\\[\]]+$")


def _mailboxes(message: EmailMessage, name: str) -> list[str] | None:
    """The addresses of every mailbox in every ``name`` header; None if one cannot be read."""
    found: list[str] = []
    for header in message.get_all(name, []) or []:
        try:
            addresses: tuple[Address, ...] = header.addresses
            defects = header.defects
        except (AttributeError, ValueError, IndexError):
            return None
        # The parser recovers from a malformed list by guessing (``a@b)<c@d>`` reads as a@b):
        # any defect but an obsolete-syntax one (``Dr. Jones <...>``) means it guessed.
        if any(not isinstance(defect, ObsoleteHeaderDefect) for defect in defects):
            return None
        for address in addresses:
            spec = address.addr_spec
            if not _PLAIN_ADDRESS.match(spec):
                return None
            found.append(spec.lower())
    return found


def from_address(message: EmailMessage) -> str | None:
    """The single From address, lower case; None when there is not exactly one."""
    found = _mailboxes(message, "From")
    if found is None or len(found) != 1 or len(message.get_all("From", [])) != 1:
        return None
    return found[0]


def unverified(message: EmailMessage, envelope_sender: str | None, email_key: str) -> str | None:
    """Why the mail is not provably from ``email_key`` (the person's lower-cased address), or
    None when it is."""
    sender = from_address(message)
    if sender is None:
        return "the From header does not hold exactly one address"
    if sender != email_key:
        return f"From {sender} is not the address of the person the reply address belongs to"
    on_behalf = _mailboxes(message, "Sender")
    if on_behalf is None or any(address != email_key for address in on_behalf):
        return "the Sender header names someone else"
    if envelope_sender and envelope_sender.strip("<> ").lower() != email_key:
        return "the envelope sender is another address"
    return None
