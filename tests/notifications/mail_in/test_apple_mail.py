"""Replies as Apple Mail (iPhone, Mac) writes them when a photo is placed between the lines:
the text is in several parts, around the image, and all of it is posted, in order, without the
quoted mail (whichever part it is in) or "Sent from my iPhone"."""

from __future__ import annotations

import base64
import quopri
from collections.abc import Callable

import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.notifications.mail_in.receive import Outcome
from icn_graph.notifications.models import InboundOutcome
from tests.notifications.mail_in.helpers import (
    Mailed,
    check_ins,
    inbound,
    mailed,
    quoted,
    receiver,
    refusals,
    reply,
    reply_settings,
)
from tests.smtp_server import SmtpServer

# iPhone's smart punctuation: curly apostrophes, sent quoted-printable in UTF-8.
BEFORE = "Here is the flyer Maria asked about, from the clinic\u2019s waiting room."
AFTER = "Could we put it up in the school nurse\u2019s office too? It\u2019s where parents wait."
POSTED = f"{BEFORE}\n\n{AFTER}"
ATTRIBUTION = "On 8 Dec 2026, at 09:12, Priya Raman <priya.raman@example.org> wrote:"
BOUNDARY = "Apple-Mail-6C3F0A52-7D1B-4E0F-9A51-2B8C4D6E1F30"
INNER = "Apple-Mail-0E5D2C7A-91B4-4F63-8C2D-7A1E3B5F9D42"
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00H\x00H\x00\x00" + bytes(range(256)) * 8
CID = "3B1E7F0C-2A4D-4C8E-B6F1-9D0A5E2C7B14"


def apple_reply(mail: Mailed, content_type: str, body: str) -> bytes:
    """The headers of a reply from iPhone Mail (``X-Mailer``, ``Mime-Version: 1.0 (1.0)``), then
    ``body``, the MIME parts as Apple Mail lays them out."""
    head, _, _ = reply(mail).partition(b"\r\n\r\n")
    kept = [
        line for line in head.split(b"\r\n") if not line.lower().startswith((b"content-", b"mime-"))
    ]
    apple = (
        f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: 7bit\r\n"
        "Mime-Version: 1.0 (1.0)\r\nX-Mailer: iPhone Mail (22B91)\r\n\r\n"
    )
    return b"\r\n".join(kept) + b"\r\n" + apple.encode() + body.replace("\n", "\r\n").encode()


def plain_part(text: str) -> str:
    """A text/plain part, quoted-printable as Apple Mail sends text with curly quotes."""
    encoded = quopri.encodestring(text.encode(), quotetabs=False).decode()
    return (
        "Content-Type: text/plain;\n\tcharset=utf-8\n"
        f"Content-Transfer-Encoding: quoted-printable\n\n{encoded}"
    )


def html_part(html: str) -> str:
    encoded = quopri.encodestring(html.encode()).decode()
    return (
        "Content-Type: text/html;\n\tcharset=utf-8\n"
        f"Content-Transfer-Encoding: quoted-printable\n\n{encoded}"
    )


def photo_part(*, cid: bool = False) -> str:
    """The photo, ``inline`` as Apple Mail marks it (with a Content-Id when HTML shows it)."""
    data = base64.encodebytes(PHOTO).decode()
    content_id = f"Content-Id: <{CID}>\n" if cid else ""
    return (
        "Content-Type: image/jpeg;\n\tname=IMG_0412.jpeg;\n"
        "\tx-apple-part-url=5B2C0A1E-8F3D-4B7A-9E6C-1D4F2A8B3C5E\n"
        "Content-Disposition: inline;\n\tfilename=IMG_0412.jpeg\n"
        f"{content_id}Content-Transfer-Encoding: base64\n\n{data}"
    )


def multipart(boundary: str, *parts: str) -> str:
    return "".join(f"--{boundary}\n{part}\n" for part in parts) + f"--{boundary}--\n"


def plain_quote(mail: Mailed) -> str:
    """iPhone Mail's quote: its attribution inside the ``>`` lines, under the signature."""
    return f"Sent from my iPhone\n\n> {ATTRIBUTION}\n> \n{quoted(mail.message)}\n"


def html_quote(mail: Mailed) -> str:
    lines = "<br>".join(line.removeprefix(">").strip() for line in quoted(mail.message).split("\n"))
    return (
        '<div dir="ltr"><br><div dir="ltr">Sent from my iPhone</div><div dir="ltr"><br>'
        f'<blockquote type="cite">{ATTRIBUTION.replace("<", "&lt;").replace(">", "&gt;")}'
        '<br><br></blockquote></div><blockquote type="cite"><div dir="ltr">'
        f"{lines}</div></blockquote></div>"
    )


HTML_HEAD = (
    '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
    '<body dir="auto">'
)


def html_whole(mail: Mailed) -> str:
    """The rich-text alternative in one document, the photo shown by ``cid:``."""
    return (
        f'{HTML_HEAD}<div dir="ltr">{BEFORE}</div><div dir="ltr"><br></div>'
        f'<div dir="ltr"><img src="cid:{CID}" alt="IMG_0412.jpeg"></div>'
        f'<div dir="ltr"><br></div><div dir="ltr">{AFTER}</div>{html_quote(mail)}</body></html>'
    )


def html_fragments(mail: Mailed) -> tuple[str, str]:
    """The rich text Apple Mail on a Mac cuts around an attached photo: a document before it,
    one after."""
    first = f'{HTML_HEAD}<div dir="ltr">{BEFORE}</div><div dir="ltr"></div></body></html>'
    second = (
        f'{HTML_HEAD}<div dir="ltr"></div><div dir="ltr"><br></div>'
        f'<div dir="ltr">{AFTER}</div>{html_quote(mail)}</body></html>'
    )
    return first, second


def plain_whole(mail: Mailed) -> str:
    return f"{BEFORE}\n\n{AFTER}\n\n{plain_quote(mail)}"


def ios_plain(mail: Mailed) -> bytes:
    """iPhone Mail, plain text: multipart/mixed of text, the photo, the rest of the text with
    the quote."""
    body = multipart(
        BOUNDARY,
        plain_part(f"{BEFORE}\n"),
        photo_part(),
        plain_part(f"\n{AFTER}\n\n{plain_quote(mail)}"),
    )
    return apple_reply(mail, f'multipart/mixed;\r\n\tboundary="{BOUNDARY}"', body)


def alternative_related(mail: Mailed) -> bytes:
    """Rich text: the plain alternative whole, the HTML with the photo in multipart/related."""
    related = multipart(INNER, html_part(html_whole(mail)), photo_part(cid=True))
    body = multipart(
        BOUNDARY,
        plain_part(plain_whole(mail)),
        f'Content-Type: multipart/related;\n\ttype="text/html";\n\tboundary="{INNER}"\n\n{related}',
    )
    return apple_reply(mail, f'multipart/alternative;\r\n\tboundary="{BOUNDARY}"', body)


def related_only(mail: Mailed) -> bytes:
    """The same HTML with no plain alternative: only the HTML can be read."""
    body = multipart(BOUNDARY, html_part(html_whole(mail)), photo_part(cid=True))
    return apple_reply(
        mail, f'multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{BOUNDARY}"', body
    )


def alternative_mixed(mail: Mailed) -> bytes:
    """Mail on a Mac: the plain alternative whole, the HTML cut around the photo in
    multipart/mixed."""
    first, second = html_fragments(mail)
    mixed = multipart(INNER, html_part(first), photo_part(), html_part(second))
    body = multipart(
        BOUNDARY,
        plain_part(plain_whole(mail)),
        f'Content-Type: multipart/mixed;\n\tboundary="{INNER}"\n\n{mixed}',
    )
    return apple_reply(mail, f'multipart/alternative;\r\n\tboundary="{BOUNDARY}"', body)


def mixed_html(mail: Mailed) -> bytes:
    """The HTML cut around the photo with no plain alternative: only the HTML can be read."""
    first, second = html_fragments(mail)
    body = multipart(BOUNDARY, html_part(first), photo_part(), html_part(second))
    return apple_reply(mail, f'multipart/mixed;\r\n\tboundary="{BOUNDARY}"', body)


async def test_an_iphone_reply_with_a_photo_between_its_lines_posts_all_its_text(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """The text after the photo was lost (only the first text part was read); the photo, which
    the person placed there and no HTML shows, is named as not kept."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    outcome = await receiver(db, settings).receive(ios_plain(mail))
    assert (outcome.outcome, outcome.replied) == (InboundOutcome.POSTED, True)
    assert await check_ins(db, mail.goal) == [(mail.person.id, POSTED)]
    [row] = await inbound(db)
    assert row.reason == "files_not_kept: IMG_0412.jpeg"


# Whether the photo is named: as for any image, when it is beside the HTML that shows it
# (multipart/related, or its cid: in the HTML) it is the HTML's and not named; cut between
# HTML fragments, no HTML shows it, and it is.
SHAPES: dict[str, tuple[Callable[[Mailed], bytes], str | None]] = {
    "alternative: plain, related (html, photo)": (alternative_related, None),
    "related (html, photo), no plain": (related_only, None),
    "alternative: plain, mixed (html, photo, html)": (alternative_mixed, "IMG_0412.jpeg"),
    "mixed (html, photo, html), no plain": (mixed_html, "IMG_0412.jpeg"),
}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
async def test_an_apple_rich_text_reply_posts_the_same_text_by_either_alternative(
    db: Database,
    settings: Settings,
    smtp: SmtpServer,
    shape: tuple[Callable[[Mailed], bytes], str | None],
) -> None:
    """The HTML's quote (a blockquote under "On ..., Priya Raman <...> wrote:") is cut as the
    plain text's is, and text after the photo is kept whichever alternative is read."""
    write, named = shape
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    outcome = await receiver(db, settings).receive(write(mail))
    assert outcome.outcome == InboundOutcome.POSTED
    assert await check_ins(db, mail.goal) == [(mail.person.id, POSTED)]
    [row] = await inbound(db)
    assert row.reason == (None if named is None else f"files_not_kept: {named}")


async def test_an_iphone_reply_in_one_plain_part_is_posted_as_before(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    raw = apple_reply(
        mail,
        "text/plain;\r\n\tcharset=utf-8",
        f"{BEFORE}\n\n{plain_quote(mail)}",
    )
    outcome = await receiver(db, settings).receive(raw)
    assert outcome == Outcome(InboundOutcome.POSTED)
    assert await check_ins(db, mail.goal) == [(mail.person.id, BEFORE)]
    assert await refusals(db) == []


async def test_a_text_file_attached_inline_is_named_not_posted(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """Apple Mail attaches a text file ``inline``: its name makes it a file, not the reply."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    notes = (
        "Content-Type: text/plain;\n\tname=notes.txt;\n\tcharset=us-ascii\n"
        "Content-Disposition: inline;\n\tfilename=notes.txt\n"
        "Content-Transfer-Encoding: 7bit\n\nminutes of the last meeting\n"
    )
    body = multipart(BOUNDARY, plain_part(f"{BEFORE}\n"), notes, plain_part(plain_quote(mail)))
    raw = apple_reply(mail, f'multipart/mixed;\r\n\tboundary="{BOUNDARY}"', body)
    outcome = await receiver(db, settings).receive(raw)
    assert outcome.outcome == InboundOutcome.POSTED
    assert await check_ins(db, mail.goal) == [(mail.person.id, BEFORE)]
    [row] = await inbound(db)
    assert row.reason == "files_not_kept: notes.txt"


DOT = (
    "Content-Type: image/png\nContent-Disposition: inline; filename=dot.png\n"
    "Content-Transfer-Encoding: base64\n\niVBORw0KGgo="
)


def tiny_parts(mail: Mailed, texts: list[str]) -> bytes:
    """``texts`` as text parts with a tiny image between each two (text parts side by side are
    one body: the first is read)."""
    parts = [f"Content-Type: text/plain\n\n{text}" for text in texts]
    apart = [part for text in parts for part in (DOT, text)][1:]
    return apple_reply(
        mail, f'multipart/mixed;\r\n\tboundary="{BOUNDARY}"', multipart(BOUNDARY, *apart)
    )


async def test_the_most_text_parts_a_message_may_have_are_all_posted_in_order(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """99 parts (50 texts, 49 images between them), and the message itself: the most
    (``MAX_PARTS``, 100) that is still parsed (more are refused unread, see test_hostile)."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    texts = [f"Point {n}." for n in range(1, 51)]
    outcome = await receiver(db, settings).receive(tiny_parts(mail, texts))
    assert outcome.outcome == InboundOutcome.POSTED
    assert await check_ins(db, mail.goal) == [(mail.person.id, "\n\n".join(texts))]


async def test_text_parts_longer_together_than_a_reply_may_be_are_refused_with_a_reason(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """The 100,000 characters a reply's text may be hold for its parts together."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    texts = ["Long story. " * 175] * 50  # 2,100 characters each: 105,000 and more in all
    outcome = await receiver(db, settings).receive(tiny_parts(mail, texts))
    assert (outcome.outcome, outcome.replied) == (InboundOutcome.REFUSED, True)
    assert outcome.reason is not None
    assert "more than the 100,000 a reply by email may be" in outcome.reason
    assert await check_ins(db, mail.goal) == []
