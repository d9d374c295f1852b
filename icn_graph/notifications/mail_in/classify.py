"""Auto-replies and bounces: mail no person wrote, ignored without posting or answering.

Answering them is how mail loops start (a vacation reply to our refusal, our refusal to the
next vacation reply), so the check is generous: any sign of automation is enough.
"""

from __future__ import annotations

import re
import unicodedata
from email.message import EmailMessage

from icn_graph.notifications.mail_in.parse import header_addresses

_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_DAEMONS = frozenset({"mailer-daemon", "postmaster"})
# Vacation responders that set none of the headers below still say so in the subject, in the
# language of the mailbox (Outlook's "Automatic reply:", "Abwesenheitsnotiz:", "Réponse
# automatique :"; older Exchange's "Out of Office AutoReply:"; some just "Out of office").
# Every reply a person writes to our mail starts "Re:" (or "AW:", "RE :", ...), so matching the
# start of the subject, colon or not, costs no real reply.
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:"
    r"automatic reply|auto[- ]?reply|auto[- ]?response|auto(?=\s*:)"
    r"|out of (?:the )?office(?: autoreply)?"
    r"|abwesenheitsnotiz|automatische antwort|abwesend"
    r"|réponse automatique|absence|absent du bureau"
    r"|respuesta automática|respuesta automatica|fuera de (?:la )?oficina"
    r"|risposta automatica|fuori sede|fuori ufficio"
    r"|resposta automática|resposta automatica|fora do escritório|ausente"
    r"|automatisch antwoord|afwezig|niet aanwezig"
    r"|autosvar|automatisk svar|frånvaro|automatyczna odpowiedź|poza biurem"
    r"|自动回复|自動回覆|自動返信|自動応答|자동 회신|자동 응답"
    r")(?=$|[\s:\uff1a(\[-])",  # \uff1a: the full-width colon
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
    # Not X-Auto-Response-Suppress: it asks others not to answer automatically; Exchange and
    # Outlook set it (often to All) on mail people write, so it does not mark mail automatic.
    for name in ("Precedence", "X-Precedence"):
        precedence = _header(message, name)
        if precedence is not None and precedence.lower() in _BULK_PRECEDENCE:
            return f"an automatic message ({name}: {precedence[:20]})"
    # A list manager's copy: not the person's own reply (that one came directly, with the same
    # Message-ID), and a list subscribed to a reply address must not post into a thread.
    if message.get("List-Id") is not None:
        return "a mailing list's copy (List-Id)"
    subject = _header(message, "Subject")
    if subject is not None and _AUTO_SUBJECT.match(unicodedata.normalize("NFC", subject)):
        return f"an automatic message (Subject: {subject[:40]})"
    if message.get_content_type() == "multipart/report":
        return "a delivery or read report (multipart/report)"
    senders = [*header_addresses(message, "From"), *([envelope_sender] if envelope_sender else [])]
    if any(address.rpartition("@")[0].lower() in _DAEMONS for address in senders):
        return "a bounce (from a mailer daemon)"
    return None
