"""The reader's personal links, never posted from a reply.

Every notification mail carries links made for its reader: "Mute this ...", "Stop all
notification mail" and "Manage your email", each a signed token that changes their mail without
signing in; its ``Reply-To`` is an address made for them. When the stripper does not see the
quoted mail (an HTML reply with the original in a plain ``<div>``, a quote header in a language
it does not know), the quote was posted with those links, to everyone in the thread, who could
then change the reader's mail.

What makes a link personal is its token, not its address: mail gateways rewrite every link of a
delivered mail (Microsoft's Safe Links percent-encodes it into a parameter, Proofpoint encodes
it into a path), mail clients wrap long lines, and a page answers however its path is spelled.
So the tokens themselves are looked for, in every word of the text, as it stands, percent-decoded
and Proofpoint-decoded, with invisible characters taken out (``TOKENS``: the shapes
``mail.manage_tokens``, ``mail.tokens`` and ``mail.reply_address`` make, and a calendar feed's
secret). Before the stripper reads the text:

- when it starts with a ``>``-quoted block holding one, that is the mail quoted whole, with the
  reply written under it: the block goes (the quoted "--" above the mail's footer made the
  stripper read all below it as a signature, and refuse the reply as empty). Quotes further
  down are the stripper's to cut, with their "On ... wrote:" lines, in any of its languages;
- every word holding one is taken out: a Markdown link (how HTML replies keep links) by its
  words, anything else by ``[personal link removed]``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from icn_graph.notifications.mail_in.quotes import is_blank_or_quoted, is_quoted

LINK_REMOVED = "[personal link removed]"

_B64 = "A-Za-z0-9_-"
_SIGNATURE = rf"[{_B64}]{{43}}"  # an HMAC-SHA256, base64url without padding
TOKENS = (
    rf"[1-9][0-9]{{0,9}}\.[0-9]{{1,12}}\.{_SIGNATURE}",  # manage-email: person.expires.sig
    rf"[1-9][0-9]{{0,9}}\.[{_B64}]{{1,100}}\.[0-9]{{1,12}}\.{_SIGNATURE}",  # unsubscribe
    r"reply\+[a-z2-7]{40}",  # a reply address's local part (base32)
    rf"icncal_[{_B64}]{{20,}}",  # a calendar feed's secret
)
_TOKEN = re.compile(rf"(?<![{_B64}])(?:{'|'.join(TOKENS)})(?![{_B64}])", re.IGNORECASE)
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
# Proofpoint URL Defense (v2): ``-XX`` is the byte XX, ``_`` a slash.
_PROOFPOINT_BYTE = re.compile(r"-([0-9A-F]{2})")
# A Markdown link, its words allowing escaped brackets: ``[Manage your email](https://...)``.
_MARKDOWN = re.compile(r"\[((?:\\.|[^\\\[\]\n])*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)")
_WORD = re.compile(r"\S+")


def holds_token(text: str) -> bool:
    """Whether ``text`` carries a personal token, however a link around it is encoded."""
    plain = _INVISIBLE.sub("", text)
    decoded = unquote(unquote(plain))
    slashed = plain.replace("_", "/")  # first: a ``_`` of the link itself is sent as ``-5F``
    proofpoint = _PROOFPOINT_BYTE.sub(lambda match: chr(int(match[1], 16)), slashed)
    return any(_TOKEN.search(form) for form in (plain, decoded, proofpoint))


def without_personal_links(text: str) -> str:
    """``text`` (before the stripper reads it) without the whole quoted mail it starts with, if
    that carried personal links, and without any personal link left."""
    text = _without_leading_quoted_mail(text)
    text = _MARKDOWN.sub(_markdown_link, text)
    return _WORD.sub(lambda match: LINK_REMOVED if holds_token(match[0]) else match[0], text)


def _markdown_link(match: re.Match[str]) -> str:
    if not holds_token(match[2]):
        return match[0]
    return match[1].strip() or LINK_REMOVED


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
