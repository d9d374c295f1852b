"""The reader's personal links, never posted from a reply.

Every notification mail carries links made for its reader: "Mute this ...", "Stop all
notification mail" and "Manage your email", each a signed token that changes their mail without
signing in; its ``Reply-To`` is an address made for them. When the stripper does not see the
quoted mail (an HTML reply with the original in a plain ``<div>``, a quote header in a language
it does not know), the quote was posted with those links, to everyone in the thread, who could
then change the reader's mail.

What makes a link personal is its token, not its address: mail gateways rewrite every link of a
delivered mail (Microsoft's Safe Links percent-encodes it into a parameter, Proofpoint v2
encodes it into a path and v3 keeps it between ``__`` marks, Sophos base64-encodes it), mail
clients wrap long lines, and a page answers however its path is spelled. So the tokens
themselves are looked for (``TOKENS``: the shapes ``mail.manage_tokens``, ``mail.tokens`` and
``mail.reply_address`` make, and a calendar feed's secret): in every word of the text as it
stands, percent-decoded, Proofpoint-decoded and with its base64 runs decoded, invisible
characters taken out, and across line breaks and quote marks. A gateway's redirect that keeps
no trace of the link (Mimecast's) is known by the mail's own words for it (``LABELS``).
Before the stripper reads the text:

- when it starts with a ``>``-quoted block holding one, that is the mail quoted whole, with the
  reply written under it: the block goes (the quoted "--" above the mail's footer made the
  stripper read all below it as a signature, and refuse the reply as empty). Quotes further
  down are the stripper's to cut, with their "On ... wrote:" lines, in any of its languages;
- every one is taken out: a Markdown link (how HTML replies keep links) holding one, or with
  the mail's words for one, by its words; a link on a plain line starting with those words, a
  word (or the words a wrapped one runs across) holding one, by ``[personal link removed]``.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

from icn_graph.notifications.mail.reply_address import LOCAL_PREFIX, TOKEN_LENGTH
from icn_graph.notifications.mail_in.quotes import is_blank_or_quoted, is_quoted
from icn_graph.services.calendar_feeds import FEED_PREFIX

LINK_REMOVED = "[personal link removed]"

_B64 = "A-Za-z0-9_-"
_SIGNATURE = rf"[{_B64}]{{43}}"  # an HMAC-SHA256, base64url without padding
TOKENS = (
    rf"[1-9][0-9]{{0,9}}\.[0-9]{{1,12}}\.{_SIGNATURE}",  # manage-email: person.expires.sig
    rf"[1-9][0-9]{{0,9}}\.[{_B64}]{{1,100}}\.[0-9]{{1,12}}\.{_SIGNATURE}",  # unsubscribe
    rf"{re.escape(LOCAL_PREFIX)}[a-z2-7]{{{TOKEN_LENGTH}}}",  # a reply address's (base32)
    rf"{re.escape(FEED_PREFIX)}[{_B64}]{{20,}}",  # a calendar feed's secret
)
# The manage-email and unsubscribe shapes are those ``mail.manage_tokens._LINK_SHAPE`` and
# ``mail.tokens._SHAPE`` read, without their groups (test_personal_links makes real ones).
# Nothing is asked of what follows a token: a gateway may run text on (Proofpoint v3 closes the
# link it keeps with ``__;``).
_TOKEN = re.compile(rf"(?<![0-9])(?:{'|'.join(TOKENS)})", re.IGNORECASE)
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
# Proofpoint URL Defense v2: ``-XX`` is the byte XX, ``_`` a slash (v3 keeps the link as is).
_PROOFPOINT_BYTE = re.compile(r"-([0-9A-F]{2})")
# A URL (or anything) a gateway carries base64-encoded in a parameter (Sophos's ``u=``).
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{40,}={0,2}")
# A Markdown link, its words allowing escaped brackets: ``[Manage your email](https://...)``.
_MARKDOWN = re.compile(r"\[((?:\\.|[^\\\[\]\n])*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)")
_WORD = re.compile(r"\S+")
# The words of the mail's own personal links (mail/templates): whatever a link with them points
# to is theirs, even a gateway's redirect that keeps no trace of it (Mimecast's).
LABELS = ("Mute this", "Stop all notification mail", "Manage your email")
_LABELLED_LINE = re.compile(
    rf"^[> \t]*(?:{'|'.join(re.escape(label) for label in LABELS)})\b.*$", re.MULTILINE
)
_URL = re.compile(r"https?://\S+")
# Where a wrapped token's pieces meet: a line break, with the spaces and quote marks around it.
# Only there: words on one line stay apart (prose run together would read as a token).
# (Tried only where a run of spaces begins: from inside one, each try would scan to its end.)
_LINE_BREAK = re.compile(r"(?<![ \t\r])[ \t\r]*\n[ \t>]*")


def holds_token(text: str) -> bool:
    """Whether ``text`` carries a personal token, however a link around it is encoded."""
    return any(_TOKEN.search(form) for form in _forms(_INVISIBLE.sub("", text)))


def _forms(text: str) -> list[str]:
    """``text`` as it stands and as each gateway's encoding, undone, would read."""
    decoded = unquote(unquote(text))
    forms = [text, decoded]
    for form in (text, decoded):
        # First ``_`` to ``/``: an underscore of the link itself is sent as ``-5F``.
        slashed = form.replace("_", "/")
        forms.append(_PROOFPOINT_BYTE.sub(lambda match: chr(int(match[1], 16)), slashed))
        forms.extend(_unbase64(run) for run in _BASE64_RUN.findall(form))
    return forms


def _unbase64(run: str) -> str:
    padded = run.rstrip("=") + "=" * (-len(run.rstrip("=")) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"))
    except ValueError:
        return ""
    return raw.decode("utf-8", "ignore")


def without_personal_links(text: str) -> str:
    """``text`` (before the stripper reads it) without the whole quoted mail it starts with, if
    that carried personal links, and without any personal link left."""
    text = _without_leading_quoted_mail(text)
    text = _without_wrapped_tokens(text)
    text = _MARKDOWN.sub(_markdown_link, text)
    text = _LABELLED_LINE.sub(lambda line: _URL.sub(LINK_REMOVED, line[0]), text)
    return _WORD.sub(lambda match: LINK_REMOVED if holds_token(match[0]) else match[0], text)


def _markdown_link(match: re.Match[str]) -> str:
    words = match[1].strip()
    if not (holds_token(match[2]) or words.startswith(LABELS)):
        return match[0]
    return words or LINK_REMOVED


def _without_wrapped_tokens(text: str) -> str:
    """``text`` without the words a token runs across, broken over lines (a client that breaks
    long words, ``format=flowed``, a ``<br>``), quoted or not."""
    skipped = {index for brk in _LINE_BREAK.finditer(text) for index in range(*brk.span())}
    kept = [index for index in range(len(text)) if index not in skipped]
    joined = "".join(text[index] for index in kept)
    spans = [(kept[m.start()], kept[m.end() - 1] + 1) for m in _TOKEN.finditer(joined)]
    for start, end in reversed(spans):
        if not any(char.isspace() for char in text[start:end]):
            continue  # in one word: the word pass takes it
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        text = f"{text[:start]}{LINK_REMOVED}{text[end:]}"
    return text


def _without_leading_quoted_mail(text: str) -> str:
    lines = text.strip("\n").split("\n")
    if not is_quoted(lines[0]):
        return text
    end = 0
    while end < len(lines) and is_blank_or_quoted(lines[end]):
        end += 1
    if not holds_token("\n".join(lines[:end])):
        return text
    return "\n".join(lines[end:])
