"""The reader's personal links, never posted from a reply.

Every notification mail carries links made for its reader: "Manage your email" and "Mute" (each
a signed token that changes their mail without signing in), and in some mails their calendar
feed; its ``Reply-To`` is an address made for them. When the stripper does not see the quoted
mail (an HTML reply with the original in a plain ``<div>``, a quote header in a language it does
not know), the quote was posted with those links, to everyone in the thread, who could then
change the reader's mail or read their calendar.

So, before the stripper reads the text:

- when it starts with a ``>``-quoted block holding one of them, that is the mail quoted whole,
  with the reply written under it: the block goes (the quoted "--" above the mail's footer made
  the stripper read all below it as a signature, and refuse the reply as empty). Quotes further
  down are the stripper's to cut, with their "On ... wrote:" lines, in any of its languages;
- every one of them is taken out: a Markdown link (how HTML replies keep links) by its words, a
  bare link by ``[personal link removed]``, a reply address by ``[reply address removed]``.

``PERSONAL_PATHS`` are the API's pages that take a token in their path (tests check them against
the pages' own paths), at the hosts of ``ICN_PUBLIC_URL`` and ``ICN_APP_URL``; reply addresses
are those at ``ICN_MAIL_REPLY_DOMAIN``. A link to another site is kept, whatever its path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from icn_graph.config import Settings
from icn_graph.notifications.mail_in.quotes import is_blank_or_quoted, is_quoted

# manage_page, unsubscribe_page, sign_in_mail, invitation_mail, account_mail (confirm-email)
# and services.calendar_feeds: the first segment of each token-taking path.
PERSONAL_PATHS = (
    "manage-email",
    "unsubscribe",
    "sign-in",
    "invitation",
    "confirm-email",
    "calendar",
)
REPLY_LOCAL_PREFIX = "reply+"  # mail.reply_address.LOCAL_PREFIX, then its token

LINK_REMOVED = "[personal link removed]"
ADDRESS_REMOVED = "[reply address removed]"

# The rest of a link or address, up to what ends it in text (a full stop or comma after it is
# the sentence's).
_TAIL = r"[^\s<>()\[\]\"']*[^\s<>()\[\]\"'.,;:!?]"
_SEGMENT = r"[^\s<>()\[\]\"'/]+"


class PersonalLinks:
    """The personal links of this server's mail: its pages at ``hosts`` (any port, under any
    path prefix), and reply addresses at ``reply_domain``."""

    def __init__(self, hosts: Iterable[str], reply_domain: str | None) -> None:
        named = "|".join(re.escape(host) for host in sorted(set(hosts)) if host)
        paths = "|".join(re.escape(path) for path in PERSONAL_PATHS)
        patterns = []
        if named:
            patterns.append(rf"https?://(?:{named})(?::\d+)?(?:/{_SEGMENT})*?/(?:{paths})/{_TAIL}")
        if reply_domain:
            prefix = re.escape(REPLY_LOCAL_PREFIX)
            patterns.append(rf"(?:mailto:)?{prefix}[A-Za-z0-9]+@{re.escape(reply_domain)}\b")
        either = "|".join(patterns) or r"(?!)"
        self._personal = re.compile(either, re.IGNORECASE)
        # A Markdown link to one of them: ``[Manage your email](https://…/manage-email/…)``.
        self._markdown = re.compile(rf"\[([^\[\]\n]*)\]\(\s*<?(?:{either})>?\s*\)", re.IGNORECASE)

    @classmethod
    def of(cls, settings: Settings) -> PersonalLinks:
        hosts = {urlsplit(url).hostname or "" for url in (settings.public_url, settings.app_url)}
        return cls(hosts, settings.mail_reply_domain)

    def held_in(self, text: str) -> bool:
        return self._personal.search(text) is not None

    def removed(self, text: str) -> str:
        """``text`` (before the stripper reads it) without the whole quoted mail it starts
        with, if that carried personal links, and without any personal link left."""
        text = _without_leading_quoted_mail(text, self.held_in)
        text = self._markdown.sub(lambda match: match[1].strip() or LINK_REMOVED, text)
        return self._personal.sub(_placeholder, text)


def _placeholder(match: re.Match[str]) -> str:
    return ADDRESS_REMOVED if REPLY_LOCAL_PREFIX in match[0].lower() else LINK_REMOVED


def _without_leading_quoted_mail(text: str, personal: Callable[[str], bool]) -> str:
    lines = text.strip("\n").split("\n")
    if not is_quoted(lines[0]):
        return text
    end = 0
    while end < len(lines) and is_blank_or_quoted(lines[end]):
        end += 1
    if not personal("\n".join(lines[:end])):
        return text
    return "\n".join(lines[end:])
