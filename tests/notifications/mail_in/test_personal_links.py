"""A reply never posts its reader's personal links (manage-email, mute, reply address, calendar
feed), even when the stripper does not see the quoted mail that carried them (an HTML reply that
quotes it in a plain <div>, a quote header in a language it does not know), and whatever a mail
gateway or client did to the links (Safe Links, Proofpoint, percent-encoding, wrapping)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import quote

import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.notifications.mail.manage_tokens import make_link_token
from icn_graph.notifications.mail.reply_address import reply_address
from icn_graph.notifications.mail.tokens import make_token
from icn_graph.notifications.mail_in.own_links import LINK_REMOVED, without_personal_links
from icn_graph.notifications.models import InboundOutcome
from icn_graph.services.calendar_feeds import new_feed_secret
from tests.notifications.mail_in.helpers import (
    NEW_TEXT,
    REPLY_DOMAIN,
    SIGNATURE,
    Mailed,
    check_ins,
    mailed,
    plain_text,
    quoted,
    receiver,
    reply,
    reply_settings,
)
from tests.smtp_server import SmtpServer

# The mail's own signed links: its "Manage your email" and "Mute" pages.
SIGNED = re.compile(r"https?://\S+/(?:manage-email|unsubscribe)/\S+")


def personal_links_of(mail: Mailed) -> list[str]:
    links = SIGNED.findall(plain_text(mail.message))
    assert len(links) >= 2, plain_text(mail.message)  # the test needs them to be there
    return links


async def posted(db: Database, settings: Settings, mail: Mailed, raw: bytes) -> list[str]:
    outcome = await receiver(db, settings).receive(raw)
    assert outcome.outcome is InboundOutcome.POSTED, outcome
    return [text for _person, text in await check_ins(db, mail.goal)]


def html_of(mail: Mailed) -> str:
    html = mail.message.get_body(("html",))
    assert isinstance(html, EmailMessage)
    return str(html.get_content())


# How HTML replies quote a mail the stripper does not see as quoted: a client that puts the
# original in a plain <div> (some webmail and Android clients), and a quote header in a language
# it does not know (Italian with no colon).
QUOTED_HTML = {
    "div": "<div>{new}</div><div>{original}</div>",
    "italian": "<p>{new}</p><p>In data lun 8 dic 2026, Test Network ha scritto</p>{original}",
}


@pytest.mark.parametrize("shape", QUOTED_HTML.values(), ids=QUOTED_HTML.keys())
async def test_an_html_reply_posts_no_personal_link_of_the_mail_it_quotes(
    db: Database, settings: Settings, smtp: SmtpServer, shape: str
) -> None:
    """The quoted mail's "Mute", "Stop all notification mail" and "Manage your email" links
    were posted as Markdown links: anyone in the thread could then change Sam's mail."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    links = personal_links_of(mail)
    new = NEW_TEXT.split("\n")[0]
    other = '<a href="https://example.org/unsubscribe/how">how to unsubscribe elsewhere</a>'
    html = shape.format(new=f"{new} {other}", original=html_of(mail))
    [text] = await posted(db, settings, mail, reply(mail, html=html))
    assert text.startswith(f"{new} [how to unsubscribe elsewhere](https://example.org/")
    for link in links:
        assert link.rsplit("/", 1)[1] not in text
    assert "Manage your email" in text  # the words stay: what was there is clear


async def test_a_reply_written_under_the_whole_quoted_mail_posts_what_is_under_it(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """The mail quoted whole (its links in it) with no attribution line, the reply below: it was
    refused as having no new text (the quoted "--" above the mail's footer read as the start of
    a signature running to the end)."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    personal_links_of(mail)
    body = f"{quoted(mail.message)}\n\n{NEW_TEXT}\n\n{SIGNATURE}\n"
    assert await posted(db, settings, mail, reply(mail, body=body)) == [NEW_TEXT]


def test_a_quote_further_down_is_left_to_the_stripper_without_its_links() -> None:
    """Only a quoted mail the reply starts with goes here: further down, the stripper cuts the
    quote with its attribution (in its languages, folded or not); a link left is taken out."""
    text = (
        "> Start a parent panel\n\nYes, let's.\n\nMaria Lopez wrote:\n> Hello Sam,\n"
        f"> Manage your email: {MANAGE}\n"
    )
    assert without_personal_links(text) == text.replace(MANAGE, LINK_REMOVED)


def safe_links(url: str) -> str:
    """How Microsoft 365 (Safe Links) rewrites a link of a delivered mail."""
    return (
        "https://nam12.safelinks.protection.outlook.com/?url="
        f"{quote(url, safe='')}&data=05%7C02%7C%7Cabc&sdata=xyz&reserved=0"
    )


def proofpoint_v3(url: str) -> str:
    """Proofpoint URL Defense v3: the link kept as is between ``__`` and ``__;``."""
    return f"https://urldefense.com/v3/__{url}__;!!G2kpM7uM-TzIFchu!n9sT8hQ2xLwB3$"


def sophos(url: str) -> str:
    """Sophos time-of-click protection: the link base64-encoded in ``u``."""
    encoded = base64.b64encode(url.encode()).decode()
    return f"https://eu-west-1.protection.sophos.com?d=example.org&u={encoded}&i=NjM2&h=abc"


# How mail gateways rewrite every link of a delivered mail (hospitals run them).
GATEWAYS = {
    "safe links": safe_links,
    "proofpoint v3 in safe links": lambda url: safe_links(proofpoint_v3(url)),
    "sophos": sophos,
}


@pytest.mark.parametrize("rewrite", GATEWAYS.values(), ids=GATEWAYS.keys())
async def test_a_gateway_s_rewritten_links_in_the_quoted_mail_post_no_token(
    db: Database, settings: Settings, smtp: SmtpServer, rewrite: Callable[[str], str]
) -> None:
    """A hospital's mail gateway rewrote every link on delivery; the reply quoting that mail in
    a plain <div> posted the Mute, Stop all and Manage tokens inside the rewritten links."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    links = personal_links_of(mail)
    original = html_of(mail)
    for link in links:
        original = original.replace(f'href="{link}"', f'href="{rewrite(link)}"')
    html = f"<div>Thanks, I can join.</div><div>{original}</div>"
    [text] = await posted(db, settings, mail, reply(mail, html=html))
    assert text.startswith("Thanks, I can join.")
    assert [link for link in links if link.rsplit("/", 1)[1] in text] == []
    for encoded in re.findall(r"u=([A-Za-z0-9+/=]+)", text):  # nor inside Sophos's base64
        assert "/manage-email/" not in base64.b64decode(encoded).decode()


async def test_an_attribution_in_a_language_the_stripper_does_not_know_goes_with_its_quote(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """Portuguese Gmail, folded, naming the reply address: "... Test Network <" and
    "[personal link removed] escreveu:" were posted under the reply."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    wrote = f"Em ter., 10 de mar. de 2026 às 11:00, Test Network <\n{mail.reply_to}> escreveu:"
    body = f"{NEW_TEXT}\n\n{wrote}\n\n{quoted(mail.message)}\n"
    assert await posted(db, settings, mail, reply(mail, body=body)) == [NEW_TEXT]


NOW = datetime(2026, 12, 8, tzinfo=UTC)
# A manage-email token whose signature holds a "_" (about half do): Proofpoint v3's "__" after it.
SECRET, MANAGE_TOKEN = next(
    (secret, token)
    for secret in (f"test-secret-key-for-personal-links-{n}" for n in range(1000))
    if "_" in (token := make_link_token(secret, 2, "sam@example.org", now=NOW, days=90))[-43:]
)
MANAGE = f"https://icn.example.org/manage-email/{MANAGE_TOKEN}"
MUTE_TOKEN = make_token(SECRET, 2, "sam@example.org", "R29hbDox", now=NOW)
REPLY_ADDRESS = reply_address(SECRET, REPLY_DOMAIN, 2, "R29hbDox")
FEED_SECRET = new_feed_secret()
FEED = f"https://icn.example.org/calendar/{FEED_SECRET}/mine.ics"

# The same token in the shapes mail gateways and clients give a link.
CARRIERS = {
    "as sent": MANAGE,
    "safe links": safe_links(MANAGE),
    "proofpoint": "https://urldefense.proofpoint.com/v2/url?u=https-3A__icn.example.org_manage"
    f"-2Demail_{MANAGE_TOKEN.replace('-', '-2D').replace('_', '-5F')}&d=DwMF",
    "percent-encoded path": f"https://icn.example.org/manage%2Demail/{MANAGE_TOKEN}",
    "double slash": f"https://icn.example.org//manage-email/{MANAGE_TOKEN}",
    "no scheme": f"icn.example.org/manage-email/{MANAGE_TOKEN}",
    "wrapped after the host": f"https://icn.example.org/\nmanage-email/{MANAGE_TOKEN}",
    "zero-width space": f"https://icn.example.org/manage-email/\u200b{MANAGE_TOKEN}",
    "soft hyphen": f"{MANAGE[:30]}\u00ad{MANAGE[30:]}",
    "in angle brackets": f"<{MANAGE}>.",
    "markdown, brackets in its words": f"[Manage \\[your\\] email]({MANAGE})",
    "mute": f"https://icn.example.org/unsubscribe/{MUTE_TOKEN}",
    "reply address": f"write to {REPLY_ADDRESS}",
    "reply address, encoded": f"mailto:{quote(REPLY_ADDRESS)}",
    "reply address, quoted": f'"{REPLY_ADDRESS.split("@")[0]}"@{REPLY_DOMAIN}',
    "calendar feed": FEED,
    "proofpoint v3": proofpoint_v3(MANAGE),
    "proofpoint v3 in safe links": safe_links(proofpoint_v3(MANAGE)),
    "sophos": sophos(MANAGE),
    "wrapped at its last dot": MANAGE.replace(f".{MANAGE_TOKEN[-43:]}", f".\n{MANAGE_TOKEN[-43:]}"),
    "wrapped inside its signature": f"{MANAGE[:72]}\n{MANAGE[72:]}",
    "wrapped in a quote": f"> {MANAGE[:60]}\n> {MANAGE[60:]}",
    "an opaque redirect with the mail's words": (
        "[Manage your email](https://protect-eu.mimecast.com/s/AbCdEfGhIjKlMn?domain=icn)"
    ),
}


@pytest.mark.parametrize("carrier", CARRIERS.values(), ids=CARRIERS.keys())
def test_a_token_is_taken_out_whatever_carries_it(carrier: str) -> None:
    text = without_personal_links(f"See you Tuesday.\n\nOn Monday, someone said:\n{carrier}")
    assert text.startswith("See you Tuesday.")
    secrets = (MANAGE_TOKEN[-43:], MUTE_TOKEN[-43:], REPLY_ADDRESS[6:46], FEED_SECRET)
    for secret in secrets:  # nor a piece of one a reader could join to the next
        for piece in (secret[:20], secret[-20:]):
            assert piece.lower() not in text.lower()
    assert "mimecast" not in text
    for encoded in re.findall(r"u=([A-Za-z0-9+/=]+)", text):  # nor inside Sophos's base64
        assert MANAGE_TOKEN[-43:] not in base64.b64decode(encoded).decode()


def test_a_markdown_link_keeps_its_words() -> None:
    text = f"[Manage your email]({MANAGE}) · [Mute this goal]({safe_links(MANAGE)})"
    assert without_personal_links(text) == "Manage your email · Mute this goal"


LINKS_OF_ANOTHER_KIND = [
    "The spring session: https://icn.example.org/events/calendar/2026-spring",
    "https://zoom.example.com/invitation/8a5c.41e2 and https://example.org/unsubscribe/how",
    "[the survey](https://example.org/x?a=1&b=2) or reply+me@example.org",
    "Commit 4f1c2e9.1.0 and version 2.1778338800.tar",
    # Prose whose words, run together, would read as a token: only line breaks are joined.
    "I agree with point 3.2. Let me explain why the parent panel should include two teens",
    "Version 1.17.\nSee the attached notes for everything that changed since the last release",
]


@pytest.mark.parametrize("text", LINKS_OF_ANOTHER_KIND)
def test_links_that_carry_no_token_are_kept(text: str) -> None:
    assert without_personal_links(text) == text
