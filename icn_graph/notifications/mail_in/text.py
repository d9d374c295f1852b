"""Only the new text of a reply: the body chosen, HTML converted, quotes and signature cut.

- The body is the ``text/plain`` part, else the ``text/html`` one converted to text with
  ``inscriptis`` (a maintained HTML-to-text renderer that keeps paragraphs, lists and tables
  readable; no markup survives), its links kept as Markdown (see ``html_text``). A body in
  several parts (Apple Mail's text, photo, more text) is every text part in order, joined as
  paragraphs (see ``body``); quotes are then cut from the whole, wherever the quoted mail is.
- Quoted history ("On ... wrote:" in Gmail's, Apple Mail's and Thunderbird's wording, Outlook's
  "From: / Sent:" block, "-----Original Message-----", ``>`` lines) and signatures ("-- ",
  "Sent from my iPhone", "Best regards, ...") are cut with ``mail-parser-reply``; hyphen lists
  the person wrote are kept. ``>`` lines left at the edges are cut too (see ``quotes``): a
  reply that is only the quoted mail has no new text.
- Attached files are not kept (a thread holds text): the text is posted and the files named,
  for the sender to be told (see ``attachments``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage

from mailparser_reply import EmailMessage as ReplyText

from icn_graph.errors import BadInput
from icn_graph.notifications.mail_in.attachments import attached_files, file_names
from icn_graph.notifications.mail_in.body import text_parts
from icn_graph.notifications.mail_in.html_text import html_to_text
from icn_graph.notifications.mail_in.own_links import without_personal_links
from icn_graph.notifications.mail_in.quotes import below_leading_quote, without_quoted_end


class Unpostable(BadInput):
    """The mail holds nothing that can be posted (the message says why, for the sender)."""


@dataclass(frozen=True)
class NewText:
    text: str
    dropped_files: tuple[str, ...] = ()  # attached, not kept


# mail-parser-reply's patterns are quadratic in a run of whitespace (`\s*^`): a run of spaces
# becomes one, of blank lines one blank line (it trims every line anyway).
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n(?: ?\n)+")


# Characters handed to the stripper, whose time grows with them: no thread message may be
# this long (co-design's limit is 20,000), so with the quoted history it is plenty.
MAX_TEXT = 100_000
# Its "On ... wrote:" pattern is quadratic in the length of a line starting "On" (a 900 KB
# body of such lines took 17 s): a longer one cannot be that header, so its "O" is hidden from
# the stripper (as a control character, which no posted text keeps) and put back after.
_LONG_LINE = 300
_ON_LINE = re.compile(r"^((?:> ?)*)([Oo])(?=[Nn]\s)")
_HIDDEN = {"O": "\x00", "o": "\x01"}
_CONTROLS = re.compile(r"[\x00\x01]")


def _hide_long_on_line(line: str) -> str:
    if len(line) <= _LONG_LINE:
        return line
    return _ON_LINE.sub(lambda match: match[1] + _HIDDEN[match[2]], line, count=1)


def collapsed(text: str) -> str:
    """``text`` as the stripper is given it: runs of whitespace collapsed, no NUL or SOH."""
    return _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", _CONTROLS.sub("", text)))


def strip_reply(text: str) -> str:
    """``text`` without the quoted history and the sender's signature ("" when the sender wrote
    nothing of their own)."""
    text = "\n".join(_hide_long_on_line(line) for line in text.split("\n"))
    first = _first_reply(text)
    body = first.new_text
    if first.history is not None:  # the mail starts with the quoted mail: only text under it
        body = _first_reply(below_leading_quote(first.history)).new_text
    return body.replace("\x00", "O").replace("\x01", "o")


# The languages whose quote headers ("On ... wrote:", "Am ... schrieb ...:", Outlook's "Von:"
# block) and sign-offs are known: the parents and clinicians of a network write in theirs.
QUOTE_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "sv", "da", "cs", "ja", "ko", "zh"]


@dataclass(frozen=True)
class _FirstReply:
    new_text: str  # above the first quoted history, its signature cut
    history: str | None = None  # when the text starts with quoted history: it, and what follows


def _first_reply(text: str) -> _FirstReply:
    if not text.strip():
        return _FirstReply("")
    parsed = ReplyText(text=text, languages=QUOTE_LANGUAGES, keep_hyphen_lists=True).read()
    if not parsed.replies:
        return _FirstReply("")
    first = parsed.replies[0]
    if first.headers:
        return _FirstReply("", first.content.removeprefix(first.headers))
    return _FirstReply(without_quoted_end(first.body))


def new_text(message: EmailMessage) -> NewText:
    """The text to post, without the reader's personal links; :class:`Unpostable` saying why
    there is none."""
    files = tuple(attached_files(message))
    parts = text_parts(message)
    if not parts:
        only = f", only attachments ({file_names(files)}), and threads hold text" if files else ""
        raise Unpostable(f"it has no text to post{only}.", field="text")
    texts: list[str] = []
    unreadable: Exception | None = None
    for part in parts:
        try:
            content = part.get_content()
        except (LookupError, ValueError, UnicodeError) as error:
            unreadable = error  # a gateway's footer in a charset Python does not know: skipped
            continue
        html = part.get_content_type() == "text/html"
        texts.append(html_to_text(content) if html else content)
    if not texts:
        raise Unpostable(
            "its text cannot be read (unknown encoding).", field="text"
        ) from unreadable
    if len(texts) > 1:  # each part a paragraph: what separated them (a photo) stood alone
        texts = [text.strip("\n") for text in texts if text.strip()]
    full = collapsed("\n\n".join(texts))
    if len(full) > MAX_TEXT:
        raise Unpostable(
            f"its text is {len(full):,} characters long, more than the {MAX_TEXT:,} a reply "
            "by email may be (quoted mail included). Send only your reply, without the quoted "
            "mail below it.",
            field="text",
        )
    text = strip_reply(without_personal_links(full))
    if not text:
        raise Unpostable(
            "no new text was found above the quoted mail. Write your reply at the top.",
            field="text",
        )
    return NewText(text, files)
