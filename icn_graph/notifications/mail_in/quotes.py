"""Quoted history the stripper leaves in place: a reply that starts with the quoted mail, and
``>`` lines under an attribution it does not know.

The stripper cuts the history below an attribution it recognises ("On ... wrote:", Outlook's
"From: / Sent:" block), but when the mail starts with one (nothing written above the quote) it
returns the history itself as the reply. Then only text below a ``>`` quote is new (a reply
written under the quote); Outlook's history is not ``>``-quoted, so under its block nothing is.
Quoted lines at the end of a reply, with a short attribution just above them ("Priya Raman
wrote:"), are history too. Quotes between the sender's lines (answers written between the lines
of the question) are kept: they are what the answers answer.
"""

from __future__ import annotations

import re

# A short "Name wrote:" (at most four words and an address) or an "On ... wrote:" line: an
# attribution, not a sentence of the reply ("I agree with what Priya wrote:" is kept).
_ATTRIBUTION = re.compile(
    r"^(?:On\s.+|\S+(?:\s\S+){0,3}(?:\s<[^<>\s]+>)?)\s+(?:wrote|writes)\s*:?$", re.IGNORECASE
)


def is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def is_blank_or_quoted(line: str) -> bool:
    return not line.strip() or is_quoted(line)


def below_leading_quote(history: str) -> str:
    """What follows the ``>`` quote at the start of ``history`` (the text under an attribution
    that opens the mail); "" when it does not start with one."""
    lines = history.strip().split("\n")
    if not is_quoted(lines[0]):
        return ""
    start = 0
    while start < len(lines) and is_blank_or_quoted(lines[start]):
        start += 1
    return "\n".join(lines[start:]).strip()


def without_quoted_end(body: str) -> str:
    """``body`` without the quoted block at its end (and its attribution); "" when nothing but
    quoted lines is left."""
    lines = body.strip().split("\n")
    end = len(lines)
    while end > 0 and is_blank_or_quoted(lines[end - 1]):
        end -= 1
    if 0 < end < len(lines):
        end -= _attribution_lines(lines, end)
    kept = lines[:end]
    if all(is_blank_or_quoted(line) for line in kept):
        return ""
    return "\n".join(kept).strip()


# An address in an attribution, or where own_links took a reply address out of one.
_ADDRESS = re.compile(r"\S@\S|\[personal link removed\]")


def _attribution_lines(lines: list[str], end: int) -> int:
    """How many of the lines just above ``lines[end]`` (a trailing quote) attribute it: "Name
    wrote:" or "On ... wrote:", or in any language (Portuguese's "escreveu:", Russian's
    "написал:") a line that names an address and ends with ":", folded over two lines where
    the first ends with "<"."""
    line = lines[end - 1].strip()
    if _ATTRIBUTION.match(line):
        return 1
    if not (line.endswith(":") and _ADDRESS.search(line)):
        return 0
    return 2 if end >= 2 and lines[end - 2].rstrip().endswith("<") else 1
