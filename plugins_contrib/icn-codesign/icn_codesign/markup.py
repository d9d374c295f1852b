"""Messages are Markdown: rendered by markdown-it-py, then sanitized by nh3 (an allow-list).

Raw HTML in the source is shown as text (markdown-it's ``html`` option is off) and whatever the
renderer emits goes through nh3 anyway: only the tags and attributes below survive, links only
to http(s) and mailto, with ``rel="noopener noreferrer nofollow"``. Images are not rendered
(``![alt](url)`` stays text), so no message can make a reader's mail client fetch anything.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

TAGS = frozenset(
    {
        "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
        "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# markdown-it's work per character grows with the nesting it allows (100 by default): a text of
# nothing but "[" took seconds. Deeper quotes and lists than this stay text.
MAX_NESTING = 20

# CommonMark plus tables and strikethrough; raw HTML off, no images.
_markdown = MarkdownIt("js-default", {"maxNesting": MAX_NESTING}).disable("image")


def render(source: str) -> str:
    """``source`` (Markdown) as safe HTML."""
    return sanitize(_markdown.render(source))


def sanitize(html: str) -> str:
    """``html`` with everything outside the allow-list removed (scripts with their content)."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
