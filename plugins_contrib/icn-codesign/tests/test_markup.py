"""Markdown comes out as safe HTML: scripts, javascript: links, event handlers and styles are
inert, whether typed as HTML or smuggled through Markdown; the source is kept as written."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from codesign_helpers import cast, post, start
from icn_codesign.markup import render, sanitize

from icn_graph.plugin_api import Database
from icn_graph.testing import GraphQLClient

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<a href="https://ok.org" onclick="alert(1)" style="position:fixed">x</a>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<iframe src=https://evil.example></iframe>",
    "![pixel](https://tracker.example/p.gif)",
    "<svg onload=alert(1)>",
    "`<script>` in code is text",
]


class Elements(HTMLParser):
    """Every element of an HTML fragment with its attributes (text stays text)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_is_inert(source: str) -> None:
    for tag, attributes in Elements(render(source)).found:
        assert tag in {"p", "a", "code"}, (tag, source)
        assert set(attributes) <= {"href", "rel"}, (tag, attributes)
        href = attributes.get("href")
        assert href is None or href.startswith(("https:", "http:")), href


def test_what_markdown_means_survives() -> None:
    html = render("**Objectives** for the [panel](https://icn.example/panel):\n\n1. Listen\n2. Act")
    assert html == (
        "<p><strong>Objectives</strong> for the "
        '<a href="https://icn.example/panel" rel="noopener noreferrer nofollow">panel</a>:</p>\n'
        "<ol>\n<li>Listen</li>\n<li>Act</li>\n</ol>\n"
    )


def test_the_sanitizer_removes_what_a_renderer_bug_would_let_through() -> None:
    assert sanitize('<p onclick="x" style="y">hi<script>alert(1)</script></p>') == "<p>hi</p>"
    assert sanitize('<a href="javascript:alert(1)">x</a>') == (
        '<a rel="noopener noreferrer nofollow">x</a>'
    )


async def test_served_html_is_inert_and_source_is_kept(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    thread = await start(client, people.parent, audience="NETWORK")
    source = '<script>alert("hi")</script> [x](javascript:alert(1)) <b onmouseover=alert(1)>b</b>'
    message = await post(client, people.parent, thread["id"], source)
    assert message["body"] == source
    assert message["bodyHtml"] == (
        '<p>&lt;script&gt;alert("hi")&lt;/script&gt; [x](javascript:alert(1)) '
        "&lt;b onmouseover=alert(1)&gt;b&lt;/b&gt;</p>\n"
    )
