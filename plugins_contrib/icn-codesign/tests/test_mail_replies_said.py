"""Whether a thread's mail takes replies, said in the mail itself, to a real SMTP server: the
immediate mail (with its Reply-To) says how to reply; a digest (no Reply-To) says replies are
not read and how to get mail that takes them, and the manage page it links says the same;
without a reply domain, neither offers replies."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from codesign_helpers import Member, cast, post, start
from test_mail import PREFERENCES, parts

from icn_graph.plugin_api import Database, PluginHost, Settings
from icn_graph.testing import GraphQLClient, SmtpServer, deliver_mail

REPLY_DOMAIN = "reply.icn.example.org"
DIGEST = """mutation {
  updateNotificationPreferences(input: {delivery: DAILY_DIGEST, digestHour: 7,
                                        quietHoursStart: null, quietHoursEnd: null}) {
    userErrors { field } } }"""
NOT_READ = "Replies to this email are not read."
MANAGE_LINK = re.compile(r"https://[^/\s]+(/manage-email/[^\s<>\"]+)")
PAGE_SAYS = "Only email sent right away can be answered by email"
RIGHT_AWAY = 'To reply by email to a conversation, choose "Right away" under "How email comes"'


@pytest.fixture
def reply_domain() -> str | None:
    return None


@pytest.fixture
def settings(settings: Settings, reply_domain: str | None) -> Settings:
    """The API's and the worker's: both read ``ICN_MAIL_REPLY_DOMAIN``."""
    return settings.model_copy(update={"mail_reply_domain": reply_domain})


def mail_settings(smtp: SmtpServer, settings: Settings) -> Settings:
    """The worker's settings. Mail goes out two days on (simulated) while the manage page
    reads the real clock, which refuses a link that outlives the page's ``manage_link_days``:
    the mail's links are issued for three days fewer, so as sent they fit."""
    days = settings.manage_link_days - 3
    return smtp.settings_for(settings).model_copy(update={"manage_link_days": days})


def flat(text: str) -> str:
    return " ".join(text.split())


async def mailed_at_once_and_in_a_digest(
    db: Database, client: GraphQLClient, settings: Settings, plugin_host: PluginHost
) -> tuple[Member, Member]:
    """Staff post in a thread with a clinician who takes mail at once and a parent who takes a
    daily digest; both mails are delivered (two days on). The clinician and the parent."""
    people = await cast(db)
    clinician, parent = people.participant, people.parent
    await client.data(PREFERENCES, token=clinician.token)
    await client.data(DIGEST, token=parent.token)
    thread = await start(
        client, people.staff, audience="PARTICIPANTS", personIds=[clinician.id, parent.id]
    )
    await post(client, people.staff, thread["id"], "Who can speak on the panel?")
    await client.settle()
    assert await deliver_mail(db, settings, plugin_host, now=datetime.now(UTC) + timedelta(days=2))
    return clinician, parent


@pytest.mark.parametrize("reply_domain", [REPLY_DOMAIN])
async def test_a_digest_says_replies_are_not_read_and_immediate_thread_mail_how_to_reply(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = mail_settings(smtp, settings)
    clinician, parent = await mailed_at_once_and_in_a_digest(db, client, settings, plugin_host)

    by_person = {m.rcpt_tos[0]: m.message for m in smtp.received}
    immediate = by_person[clinician.person.email]
    assert immediate["Reply-To"] is not None
    text, html = parts(immediate)
    assert "Reply to this email to post in this" in text
    assert NOT_READ not in text
    assert NOT_READ not in html

    digest = by_person[parent.person.email]
    assert digest["Reply-To"] is None
    text, html = parts(digest)
    assert "Reply to this email to post" not in text
    assert f"{NOT_READ} {RIGHT_AWAY} on the Manage your email page: https://" in flat(text)
    assert NOT_READ in html
    assert "Right away" in html

    # The page the digest links to says the same, with this plugin's replies installed.
    link = MANAGE_LINK.search(text)
    assert link is not None, text
    page = await client.http.get(link.group(1))
    assert page.status_code == 200
    assert PAGE_SAYS in page.text


async def test_without_a_reply_domain_no_mail_offers_replies(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = mail_settings(smtp, settings)
    await mailed_at_once_and_in_a_digest(db, client, settings, plugin_host)

    assert len(smtp.received) == 2
    for received in smtp.received:
        assert received.message["Reply-To"] is None
        text, _html = parts(received.message)
        assert NOT_READ in text
        assert "Right away" not in text
        assert "Reply to this email" not in text
        link = MANAGE_LINK.search(text)
        assert link is not None, text
        page = await client.http.get(link.group(1))
        assert page.status_code == 200
        assert PAGE_SAYS not in page.text
