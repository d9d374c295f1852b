"""The files attached to a reply: named for the sender, never kept.

A thread holds text, so a reply's files are dropped and its text posted; the sender is told
which files were not kept. Images the HTML shows inline (a signature's logo, a ``cid:`` part,
anything inside ``multipart/related``) are part of the HTML, dropped with it, and not named:
nobody attached them. A photo Apple Mail places between the lines of a plain-text reply
(``multipart/mixed``: text, ``image/jpeg`` inline, text; no HTML shows it) is a file someone
attached, and named; so is a text part with a file name inside a multipart (a ``notes.txt``
attached inline), whose text is not posted (see ``body``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.message import EmailMessage, Message

from icn_graph.notifications.mail.headers import one_line
from icn_graph.notifications.mail_in.body import named_text

_CID = re.compile(r"""cid:([^\s"'<>()]+)""", re.IGNORECASE)
# Parts a mail client adds, not files a person attached: a signed reply's signature (S/MIME,
# OpenPGP) and Outlook's rich-text envelope (winmail.dat). Naming them would send every signed
# reply a notice.
_NOT_FILES = frozenset(
    {
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
        "application/pgp-signature",
        "application/ms-tnef",
        "application/vnd.ms-tnef",
    }
)


def attached_files(message: EmailMessage) -> list[str]:
    """A name for each attached file (the parts a reader would see as a file)."""
    shown = _shown_inline(message)
    found: list[str] = []

    def visit(part: Message, related: bool) -> None:
        if _content_id(part) in shown or part.get_content_type() in _NOT_FILES:
            return
        if part.get_content_disposition() == "attachment":
            found.append(_name(part))
            return
        if part.is_multipart():
            inside = related or part.get_content_type() == "multipart/related"
            for child in part.get_payload():
                assert isinstance(child, Message)
                visit(child, inside)
            return
        if related:
            return
        if part.get_content_maintype() != "text" or (part is not message and named_text(part)):
            found.append(_name(part))

    visit(message, False)
    return found


def file_names(files: Sequence[str], shown: int = 5) -> str:
    """``files`` for a sentence: "a.pdf, b.jpg and 3 more"."""
    names = ", ".join(files[:shown])
    return f"{names} and {len(files) - shown} more" if len(files) > shown else names


def _name(part: Message) -> str:
    return one_line(part.get_filename() or part.get_content_type(), 60)


def _content_id(part: Message) -> str | None:
    value = part.get("Content-ID")
    return None if value is None else str(value).strip().strip("<>").lower()


def _shown_inline(message: EmailMessage) -> set[str]:
    """The Content-IDs the message's HTML shows (``<img src="cid:...">``), lower case."""
    shown: set[str] = set()
    for part in message.walk():
        if part.get_content_type() != "text/html" or part.get_content_disposition() == "attachment":
            continue
        assert isinstance(part, EmailMessage)
        try:
            html = str(part.get_content())
        except (LookupError, ValueError, UnicodeError):
            continue
        shown.update(match.lower() for match in _CID.findall(html))
    return shown
