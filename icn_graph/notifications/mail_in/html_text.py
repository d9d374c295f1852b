"""HTML-only mail as text: rendered by ``inscriptis``, its links kept as Markdown.

The text loses every tag, so a link would keep only its words ("the survey") and lose where it
points. Each link to an http(s) or mailto address becomes ``[the survey](https://...)``, which
handlers rendering Markdown (co-design's messages) show as a link and others show as readable
text; links to anything else (``javascript:``, ``data:``, relative paths) keep only their words.
A link whose words are its address stays as written. The address is percent-encoded where
Markdown or HTML would read a character as syntax (spaces, ``<>()"'`` and backslashes), and ``[``,
``]`` and backslashes in the words are escaped, so a link cannot end early or carry markup: the
handler's renderer and sanitizer still judge the result, as for any text.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from inscriptis.html_engine import Inscriptis
from lxml.etree import ParserError
from lxml.html import HtmlElement, document_fromstring

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Kept as they are in an address; everything else (spaces, <>()"'\`, controls, non-ASCII) is
# percent-encoded.
_URL_SAFE = "".join(
    c for c in map(chr, range(33, 127)) if c not in "<>()\"'\\`" and not c.isalnum()
)
_MARKDOWN_TEXT = re.compile(r"([\\\[\]])")
_XML_DECLARATION = re.compile(r"^<\?xml [^>]+?\?>")


def html_to_text(html: str) -> str:
    tree = _tree(html)
    if tree is None:
        return ""
    for anchor in list(tree.iter("a")):
        _spell_out(anchor)
    return str(Inscriptis(tree).get_text())


def _tree(html: str) -> HtmlElement | None:
    """The document as inscriptis's ``get_text`` parses it."""
    html = _XML_DECLARATION.sub("", html.strip(), count=1)
    if not html:
        return None
    try:
        return document_fromstring(html)
    except ParserError:
        return document_fromstring(f"<pre>{html}</pre>")


def link_address(href: str | None) -> str | None:
    """``href`` as an http(s) or mailto address safe to write in Markdown; None otherwise."""
    if not href:
        return None
    try:
        parts = urlsplit(href.strip())  # drops tabs and line breaks, as browsers do
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in LINK_SCHEMES or (scheme != "mailto" and not parts.netloc):
        return None
    return quote(parts.geturl(), safe=_URL_SAFE)


def markdown_link(words: str, address: str) -> str:
    shown = address.removeprefix("mailto:")
    if words in (address, shown):
        return words
    escaped = _MARKDOWN_TEXT.sub(r"\\\1", words)
    return f"[{escaped}]({address})"


def _spell_out(anchor: HtmlElement) -> None:
    """The link's words, followed by where it points (in place of its content)."""
    address = link_address(anchor.get("href"))
    words = " ".join(anchor.text_content().split())
    if address is None or not words:
        return
    for child in list(anchor):
        anchor.remove(child)
    anchor.text = markdown_link(words, address)
