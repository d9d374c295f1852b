"""Auto-replies and bounces: mail no person wrote, ignored without posting or answering.

Answering them is how mail loops start (a vacation reply to our refusal, our refusal to the
next vacation reply), so the check is generous: any sign of automation is enough.
"""

from __future__ import annotations

import re
from email.message import EmailMessage

from icn_graph.notifications.mail_in.parse import header_addresses

_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_DAEMONS = frozenset({"mailer-daemon", "postmaster"})
# Vacation responders that set none of the headers above still say so in the subject
# (Outlook's "Automatic reply:", older Exchange's "Out of Office AutoReply:"). A person's reply
# starts "Re:", so these cost no real reply.
_AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|out of office(?: autoreply)?|auto-?reply|auto response)\s*:",
    re.IGNORECASE,
)


def _header(message: EmailMessage, name: str) -> str | None:
    try:
        value = message.get(name)
    except (ValueError, IndexError):
        return "(unreadable)"
    return None if value is None else " ".join(str(value).split())


def automatic(message: EmailMessage, envelope_sender: str | None) -> str | None:
    """Why ``message`` is automatic (an auto-reply, a bounce), or None for a person's mail.

    ``envelope_sender``: the SMTP ``MAIL FROM`` if known ("" for the null sender ``<>``)."""
    if envelope_sender is not None and envelope_sender.strip("<> ") == "":
        return "a bounce or notice (empty envelope sender)"
    return_path = _header(message, "Return-Path")
    if envelope_sender is None and return_path is not None and return_path.strip("<> ") == "":
        return "a bounce or notice (empty Return-Path)"
    auto_submitted = _header(message, "Auto-Submitted")
    if auto_submitted is not None and auto_submitted.split(";")[0].strip().lower() != "no":
        return f"an automatic message (Auto-Submitted: {auto_submitted[:40]})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Failed-Recipients"):
        if message.get(name) is not None:
            return f"an automatic message ({name})"
    precedence = _header(message, "Precedence")
    if precedence is not None and precedence.lower() in _BULK_PRECEDENCE:
        return f"an automatic message (Precedence: {precedence[:20]})"
    subject = _header(message, "Subject")
    if subject is not None and _AUTO_SUBJECT.match(subject):
        return f"an automatic message (Subject: {subject[:40]})"
    if message.get_content_type() == "multipart/report":
        return "a delivery or read report (multipart/report)"
    senders = [*header_addresses(message, "From"), *([envelope_sender] if envelope_sender else [])]
    if any(address.rpartition("@")[0].lower() in _DAEMONS for address in senders):
        return "a bounce (from a mailer daemon)"
    return None
