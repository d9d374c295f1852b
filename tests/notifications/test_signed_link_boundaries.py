"""The edges of the signed links in mail: unsubscribe tokens, manage-your-email links and form
tokens, reply addresses. Each is valid up to the second it expires and not one second later,
refused one second past the longest lifetime it can be issued with, and refused (never
mis-read) when any part of what it names is out of range, even under a genuine signature."""

from __future__ import annotations

import base64
import struct
from datetime import UTC, datetime, timedelta

import pytest

from icn_graph.errors import BadInput
from icn_graph.ids import MAX_ROW_ID, to_global_id
from icn_graph.notifications.mail import manage_tokens, reply_address, tokens
from icn_graph.notifications.reply_handlers import (
    ReplyHandler,
    ReplyHandlerRegistry,
    type_tag,
)

SECRET = "a-test-secret-that-is-long-enough-0123456789"
EMAIL = "pat@example.org"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GOAL = to_global_id("Goal", 7)


# Unsubscribe tokens --------------------------------------------------------------------------


def _unsubscribe_token(expires: int, scope: str = "all", person: int = 3) -> str:
    signature = tokens._signature(SECRET, person, EMAIL, scope, expires)
    return f"{person}.{scope}.{expires}.{signature}"


def test_an_unsubscribe_token_works_until_the_second_it_expires() -> None:
    token = tokens.make_token(SECRET, 3, EMAIL, None, now=NOW)
    expires = NOW + timedelta(days=tokens.LINK_DAYS)
    assert tokens.read_token(SECRET, token, EMAIL, now=expires).person_id == 3
    with pytest.raises(tokens.ExpiredToken) as expired:
        tokens.read_token(SECRET, token, EMAIL, now=expires + timedelta(seconds=1))
    assert expired.value.field == "token"
    assert "has expired" in str(expired.value)
    assert "change your notification preferences after signing in." in str(expired.value)


def test_an_unsubscribe_token_may_live_no_longer_than_a_link_is_issued_for() -> None:
    longest = int(NOW.timestamp()) + tokens.LINK_DAYS * 86400 + tokens.SLACK_SECONDS
    assert tokens.read_token(SECRET, _unsubscribe_token(longest), EMAIL, now=NOW).subject_id is None
    with pytest.raises(tokens.InvalidToken) as refused:
        tokens.read_token(SECRET, _unsubscribe_token(longest + 1), EMAIL, now=NOW)
    assert refused.value.field == "token"


def test_an_unsubscribe_token_for_a_subject_names_it() -> None:
    token = tokens.make_token(SECRET, 3, EMAIL, GOAL, now=NOW)
    assert tokens.read_token(SECRET, token, EMAIL, now=NOW) == tokens.UnsubscribeScope(3, GOAL)


def test_a_signed_scope_that_is_no_global_id_is_an_invalid_token() -> None:
    expires = int(NOW.timestamp()) + 60
    with pytest.raises(tokens.InvalidToken) as refused:
        tokens.read_token(SECRET, _unsubscribe_token(expires, scope="nonsense"), EMAIL, now=NOW)
    assert refused.value.field == "token"
    assert str(refused.value) == str(tokens.invalid_token())


def test_the_invalid_unsubscribe_token_message() -> None:
    error = tokens.invalid_token()
    assert error.field == "token"
    assert str(error) == (
        "This unsubscribe link is not valid: it may have been altered or cut short, or your "
        "email address has changed since it was sent. Use the link from the most recent email, "
        "or change your notification preferences after signing in."
    )


# Manage-your-email links and their form tokens -----------------------------------------------

DAYS = 30


def _link(expires: int, person: int = 3) -> str:
    signature = manage_tokens._sign(SECRET, manage_tokens._LINK, f"{person}:{EMAIL}:{expires}")
    return f"{person}.{expires}.{signature}"


def test_a_manage_link_works_until_the_second_it_expires() -> None:
    token = manage_tokens.make_link_token(SECRET, 3, EMAIL, now=NOW, days=DAYS)
    expires = NOW + timedelta(days=DAYS)
    link = manage_tokens.read_link_token(SECRET, token, EMAIL, now=expires, days=DAYS)
    assert link == manage_tokens.ManageLink(3, int(expires.timestamp()))
    later = expires + timedelta(seconds=1)
    with pytest.raises(manage_tokens.ExpiredLink) as expired:
        manage_tokens.read_link_token(SECRET, token, EMAIL, now=later, days=DAYS)
    assert expired.value.field == "token"
    assert str(expired.value) == (
        "This link has expired. Every notification email has a fresh one: use the link in "
        "your most recent notification email."
    )


def test_a_manage_link_may_live_no_longer_than_links_are_issued_for() -> None:
    longest = int(NOW.timestamp()) + DAYS * 86400 + manage_tokens.SLACK_SECONDS
    link = manage_tokens.read_link_token(SECRET, _link(longest), EMAIL, now=NOW, days=DAYS)
    assert link.expires == longest
    with pytest.raises(manage_tokens.InvalidLink) as refused:
        manage_tokens.read_link_token(SECRET, _link(longest + 1), EMAIL, now=NOW, days=DAYS)
    assert refused.value.field == "token"


def test_the_invalid_manage_link_message() -> None:
    error = manage_tokens.invalid_link()
    assert error.field == "token"
    assert isinstance(error, BadInput)
    assert str(error) == (
        "This link does not work: it may have been altered or cut short, or your email address "
        "has changed since it was sent. Use the link in your most recent notification email."
    )


def test_a_form_token_works_until_the_second_it_expires() -> None:
    link = manage_tokens.ManageLink(3, int(NOW.timestamp()) + 3600)
    form = manage_tokens.make_form_token(SECRET, link, now=NOW)
    end = NOW + timedelta(seconds=manage_tokens.FORM_SECONDS)
    assert manage_tokens.form_token_valid(SECRET, link, form, now=end)
    assert not manage_tokens.form_token_valid(SECRET, link, form, now=end + timedelta(seconds=1))


# Reply addresses -----------------------------------------------------------------------------


async def _post(*_: object) -> None:
    return None


def _registry() -> ReplyHandlerRegistry:
    handler = ReplyHandler("Goal", _post)
    return ReplyHandlerRegistry.build([("core.goals", [handler])])


def _reply_token(version: int, person: int, pk: int) -> str:
    """A token whose signature is genuine for exactly what it says, however odd that is."""
    subject = to_global_id("Goal", pk)
    head = reply_address._LAYOUT.pack(version, person, type_tag("Goal"), pk)
    raw = head + reply_address._mac(SECRET, version, person, subject)
    return base64.b32encode(raw).decode().lower()


def test_a_reply_token_names_its_reader_and_subject() -> None:
    token = reply_address.reply_token(SECRET, 3, GOAL)
    target = reply_address.read_reply_token(SECRET, token, _registry())
    assert target == reply_address.ReplyTarget(3, GOAL)
    assert _reply_token(1, 3, 7) == token


def test_the_largest_row_id_is_a_subject() -> None:
    token = _reply_token(1, 3, MAX_ROW_ID)
    target = reply_address.read_reply_token(SECRET, token, _registry())
    assert target == reply_address.ReplyTarget(3, to_global_id("Goal", MAX_ROW_ID))


@pytest.mark.parametrize(
    ("version", "person", "pk"),
    [(2, 3, 7), (0, 3, 7), (1, 0, 7), (1, 3, 0), (1, 3, MAX_ROW_ID + 1)],
    ids=["later version", "version 0", "person 0", "row 0", "row past the largest id"],
)
def test_a_genuinely_signed_token_naming_nothing_valid_is_refused(
    version: int, person: int, pk: int
) -> None:
    token = _reply_token(version, person, pk)
    assert reply_address.read_reply_token(SECRET, token, _registry()) is None


def test_a_token_for_a_type_that_takes_no_replies_is_refused() -> None:
    token = reply_address.reply_token(SECRET, 3, GOAL)
    assert reply_address.read_reply_token(SECRET, token, ReplyHandlerRegistry()) is None


def test_layout_of_a_reply_token() -> None:
    raw = base64.b32decode(reply_address.reply_token(SECRET, 3, GOAL).upper())
    assert len(raw) == 25
    assert struct.unpack(">BI4sI", raw[:13]) == (1, 3, type_tag("Goal"), 7)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("reply+{token}@reply.example.org", "{token}"),
        ("Xreply+{token}@reply.example.org", None),
        ("reply+{at}@@reply.example.org", None),
        ("<REPLY+{upper}@Reply.Example.ORG>", "{token}"),
        ("  reply+{token}@reply.example.org  ", "{token}"),
        ("reply+{token}@other.example.org", None),
        ("reply+{token}", None),
        ("noreply+{token}@reply.example.org", None),
        ("reply-{token}@reply.example.org", None),
        ("reply+{token}x@reply.example.org", None),
        ("reply+@reply.example.org", None),
        ("reply+{short}@reply.example.org", None),
    ],
)
def test_the_token_of_a_reply_address(address: str, expected: str | None) -> None:
    token = reply_address.reply_token(SECRET, 3, GOAL)
    fill = {"token": token, "upper": token.upper(), "short": token[:-1], "at": token[:39] + "@"}
    found = reply_address.split_reply_address(address.format(**fill), "reply.example.org")
    assert found == (expected.format(**fill) if expected is not None else None)


def test_a_reply_address_round_trip() -> None:
    address = reply_address.reply_address(SECRET, "reply.example.org", 3, GOAL)
    assert address.startswith("reply+")
    assert address.endswith("@reply.example.org")
    assert len(address.partition("@")[0]) == 46
    target = reply_address.read_reply_address(SECRET, address, "reply.example.org", _registry())
    assert target == reply_address.ReplyTarget(3, GOAL)
    assert (
        reply_address.read_reply_address(SECRET, "x@y.org", "reply.example.org", _registry())
        is None
    )
    other = reply_address.read_reply_address(
        "another-secret-0123456789", address, "reply.example.org", _registry()
    )
    assert other is None


@pytest.mark.parametrize(
    "token",
    ["", "a" * 39, "a" * 41, "1" * 40, "!" * 40],
    ids=["empty", "short", "long", "not base32", "punctuation"],
)
def test_tokens_that_are_no_reply_tokens_are_refused(token: str) -> None:
    assert reply_address.read_reply_token(SECRET, token, _registry()) is None


def test_links_in_mail_already_sent_keep_working() -> None:
    """Known answers: a change to how links are signed would break every link in sent mail."""
    assert reply_address.reply_token(SECRET, 3, GOAL) == "aeaaaaadzw7ws5iaaaaapgltml776arjkpr2bouo"
    assert tokens.make_token(SECRET, 3, EMAIL, GOAL, now=NOW) == (
        "3.R29hbDo3.1803902400.RTR6NwI-fqu-xaFDKidROWAe5Mej_rUHMC1fDxFRBQM"
    )
    assert manage_tokens.make_link_token(SECRET, 3, EMAIL, now=NOW, days=DAYS) == (
        "3.1774958400.DC4I1QsO0sYS15tzFbiLX3AtSTleZzOwPnKuwgQhhT8"
    )
    link = manage_tokens.ManageLink(3, int(NOW.timestamp()) + 3600)
    assert manage_tokens.make_form_token(SECRET, link, now=NOW) == (
        "1772373600.BXv1IHVU5U2rQ2Z7JxSh-yfrATfQmzb5soechxgqsQA"
    )


def test_a_reply_token_needs_a_global_id() -> None:
    with pytest.raises(BadInput) as refused:
        reply_address.reply_token(SECRET, 3, "not-a-global-id")
    assert refused.value.field == "subject_id"


def test_the_first_person_can_reply() -> None:
    target = reply_address.read_reply_token(SECRET, _reply_token(1, 1, 7), _registry())
    assert target == reply_address.ReplyTarget(1, GOAL)


def test_the_first_row_is_a_subject() -> None:
    target = reply_address.read_reply_token(SECRET, _reply_token(1, 3, 1), _registry())
    assert target == reply_address.ReplyTarget(3, to_global_id("Goal", 1))
