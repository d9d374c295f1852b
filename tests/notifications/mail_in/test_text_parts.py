"""Which parts of a reply are its text, beside Apple Mail's text, photo, text
(test_apple_mail.py): text parts side by side are one body, and a part that cannot be read does
not refuse a reply whose text can."""

from __future__ import annotations

import pytest

from icn_graph.notifications.mail_in.parse import parse
from icn_graph.notifications.mail_in.text import Unpostable, new_text

HEAD = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: Re: x\r\nMIME-Version: 1.0\r\n"
PLAIN = b"Content-Type: text/plain; charset=utf-8\r\n\r\nI can come Tuesday."
PHOTO = (
    b"Content-Type: image/jpeg\r\nContent-Disposition: inline\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ"
)


def mixed(*parts: bytes) -> bytes:
    body = b"".join(b"--B\r\n" + part + b"\r\n" for part in parts) + b"--B--\r\n"
    return HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + body


def text_of(raw: bytes) -> str:
    return new_text(parse(raw).message).text


def test_a_plain_and_an_html_rendering_side_by_side_are_posted_once() -> None:
    """Clients that do not wrap their two renderings in multipart/alternative."""
    html = b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>I can come Tuesday.</p>"
    assert text_of(mixed(PLAIN, html)) == "I can come Tuesday."


def test_an_html_page_attached_without_a_name_is_not_posted() -> None:
    page = (
        b"Content-Type: text/html; charset=utf-8\r\nContent-Disposition: inline\r\n\r\n"
        b"<h1>Patient list</h1><p>MRN 12345 Jane Doe</p>"
    )
    assert text_of(mixed(PLAIN, page)) == "I can come Tuesday."


def test_text_parts_with_a_photo_between_them_are_all_posted() -> None:
    after = b"Content-Type: text/plain; charset=utf-8\r\n\r\nAnd Dana too."
    assert text_of(mixed(PLAIN, PHOTO, after)) == "I can come Tuesday.\n\nAnd Dana too."


def test_a_part_in_an_unknown_charset_is_skipped_when_another_can_be_read() -> None:
    footer = b"Content-Type: text/plain; charset=x-unknown-8\r\n\r\nDisclaimer."
    assert text_of(mixed(PLAIN, PHOTO, footer)) == "I can come Tuesday."


def test_a_reply_whose_text_cannot_be_read_is_refused_with_a_reason() -> None:
    unknown = b"Content-Type: text/plain; charset=x-unknown-8\r\n\r\nI can come."
    with pytest.raises(Unpostable, match="unknown encoding"):
        text_of(mixed(unknown))
