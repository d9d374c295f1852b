"""A reply never posts its reader's personal links (manage-email, mute, calendar feed, reply
address), even when the stripper does not see the quoted mail that carried them: an HTML reply
that quotes it in a plain <div>, or under a quote header in a language it does not know."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.notifications import (
    account_mail,
    invitation_mail,
    manage_page,
    sign_in_mail,
    unsubscribe_page,
)
from icn_graph.notifications.mail.reply_address import LOCAL_PREFIX
from icn_graph.notifications.mail_in.own_links import (
    ADDRESS_REMOVED,
    LINK_REMOVED,
    PERSONAL_PATHS,
    REPLY_LOCAL_PREFIX,
    PersonalLinks,
)
from icn_graph.notifications.models import InboundOutcome
from icn_graph.services.calendar_feeds import FEED_PATH
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
    links = PersonalLinks({"icn.example.org"}, REPLY_DOMAIN)
    text = (
        "> Start a parent panel\n\nYes, let's.\n\nMaria Lopez wrote:\n> Hello Sam,\n"
        "> Manage your email: https://icn.example.org/manage-email/2.17.Ehzy\n"
    )
    assert links.removed(text) == text.replace(
        "https://icn.example.org/manage-email/2.17.Ehzy", LINK_REMOVED
    )


def test_the_personal_paths_are_the_pages_that_take_a_token() -> None:
    pages = [
        manage_page.PATH,
        unsubscribe_page.PATH,
        sign_in_mail.PATH,
        invitation_mail.PATH,
        account_mail.CONFIRM_PATH,
        FEED_PATH,
    ]
    assert sorted(page.split("/")[1] for page in pages) == sorted(PERSONAL_PATHS)
    assert REPLY_LOCAL_PREFIX == LOCAL_PREFIX


def test_only_this_server_s_links_and_reply_addresses_are_taken_out() -> None:
    links = PersonalLinks({"icn.example.org", "app.example.org"}, REPLY_DOMAIN)
    token = "4.1802058774.EZMWnpAfe37BxFedAp_rduHrV2F48R68ijkMRmnr10M"
    text = (
        f"Mine: https://icn.example.org/manage-email/{token}, "
        f"https://ICN.example.org:8443/api/v1/calendar/s3cr3t/mine.ics and "
        f"<mailto:reply+ABCDEFGH234567@{REPLY_DOMAIN}>. Theirs: "
        f"https://zoom.example.com/invitation/{token} and reply+xyz@elsewhere.example.org."
    )
    assert links.removed(text) == (
        f"Mine: {LINK_REMOVED}, {LINK_REMOVED} and <{ADDRESS_REMOVED}>. Theirs: "
        f"https://zoom.example.com/invitation/{token} and reply+xyz@elsewhere.example.org."
    )


def test_without_a_reply_domain_or_hosts_nothing_is_taken_out() -> None:
    text = "See https://icn.example.org/manage-email/1.2.abc"
    assert PersonalLinks(set(), None).removed(text) == text
