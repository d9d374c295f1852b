"""Reply by email, end to end with real SMTP both ways: the worker mails a thread's participants
through an aiosmtpd server, and their replies reach ``icn-graph mail-in --listen`` (aiosmtpd
too) as an MTA would relay them. Only what the person newly wrote is posted; forged, automatic,
bounced and oversize mail posts nothing."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import aiosmtplib
import pytest
from codesign_helpers import Cast, Member, cast, post, start

from icn_graph.plugin_api import Database, PluginHost, Settings
from icn_graph.testing import (
    GraphQLClient,
    SmtpServer,
    deliver_mail,
    mail_in_listener,
    snapshot,
)

REPLY_DOMAIN = "reply.icn.example.org"
PREFERENCES = """mutation {
  updateNotificationPreferences(input: {delivery: IMMEDIATE, quietHoursStart: null,
                                        quietHoursEnd: null}) { userErrors { field } } }"""
MESSAGES = """query($id: ID!) { node(id: $id) { ... on Thread {
  messages(order: OLDEST_FIRST) { nodes { body source author { displayName } } } } } }"""
NEW_TEXT = "Yes, I can speak on the panel.\n\nShould we ask about *school days* too?"
SIGNATURE = "-- \nJamie Rivera\nParent partner, Cincinnati Children's"


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


def reply_to(mail: EmailMessage, who: Member, text: str = NEW_TEXT, **headers: str) -> bytes:
    """A reply as Gmail writes one: new text, a signature, "On ... wrote:" and the quote."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in text_of(mail).splitlines())
    wrote = f"On Tue, Jan 14, 2014 at 11:02 PM {mail['From'].addresses[0].display_name} wrote:"
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = headers.pop("From", f"{who.person.display_name} <{who.person.email}>")
    message["To"] = mail["Reply-To"].addresses[0].addr_spec
    message["Subject"] = f"Re: {mail['Subject']}"
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = f"<{secrets.token_hex(8)}@mail.example.org>"
    message["In-Reply-To"] = str(mail["Message-ID"])
    message["References"] = f"{mail['References']} {mail['Message-ID']}"
    for name, value in headers.items():
        message[name] = value
    message.set_content(f"{text}\n\n{SIGNATURE}\n\n{wrote}\n\n{quoted}\n")
    return message.as_bytes()


def delivery_report(to: str, failed: str, original: str) -> bytes:
    """A bounce (RFC 3464) as an MTA sends one, with the null envelope sender."""
    return (
        "From: Mail Delivery Subsystem <mailer-daemon@example.org>\r\n"
        f"To: {to}\r\n"
        "Subject: Delivery Status Notification (Failure)\r\n"
        f"Message-ID: <{secrets.token_hex(8)}@example.org>\r\n"
        f"In-Reply-To: {original}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n--b1\r\nContent-Type: text/plain\r\n\r\n"
        f"Delivery to {failed} failed permanently.\r\n"
        "\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "\r\n--b1--\r\n"
    ).encode()


async def relay(port: int, sender: str, recipient: str, raw: bytes) -> None:
    """What an MTA does with mail to the reply domain: hand it to mail-in over SMTP."""
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False) as client:
        await client.sendmail(sender, [recipient], raw)


async def thread_messages(client: GraphQLClient, who: Member, thread_id: str) -> list[object]:
    data = await client.data(MESSAGES, {"id": thread_id}, token=who.token)
    nodes: list[object] = data["node"]["messages"]["nodes"]
    return nodes


async def test_a_reply_by_email_posts_only_the_new_text_and_forged_or_automatic_mail_nothing(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings).model_copy(
        update={"mail_reply_domain": REPLY_DOMAIN, "mail_in_max_bytes": 20_000}
    )
    people = await cast(db)
    a, b = people.participant, people.parent  # a clinician and a parent partner
    for who in (a, b):
        await client.data(PREFERENCES, token=who.token)
    thread = await start(
        client, a, audience="PARTICIPANTS", personIds=[b.id], title="Spring 2014 parent panel"
    )
    await post(client, a, thread["id"], "Would you speak on the **parent panel**?")
    await client.settle()
    clock = datetime.now(UTC) + timedelta(minutes=10)

    # B receives threaded mail: the thread's title as subject, a root it refers to, a Reply-To.
    assert await deliver_mail(db, settings, plugin_host, now=clock) == 1
    [received] = smtp.received
    assert received.rcpt_tos == [b.person.email]
    mail = received.message
    assert mail["Subject"] == "[Test Network] Spring 2014 parent panel"
    root = mail["In-Reply-To"]
    assert root.startswith("<thread-")
    assert mail["References"].split()[0] == root
    assert mail["Message-ID"] != root
    address = mail["Reply-To"].addresses[0].addr_spec
    assert address.startswith("reply+")
    assert address.endswith(f"@{REPLY_DOMAIN}")
    assert "Would you speak on the **parent panel**?" in text_of(mail)

    async with mail_in_listener(db, settings) as port:
        # B replies from their mail client: only the new text is posted, as B, from email.
        await relay(port, b.person.email, address, reply_to(mail, b))
        await client.settle()
        messages = await thread_messages(client, a, thread["id"])
        assert messages[-1] == {
            "body": NEW_TEXT,
            "source": "EMAIL",
            "author": {"displayName": "Jamie Rivera"},
        }
        assert len(messages) == 2

        # A is told, in A's own mail thread, with B's words and nothing quoted.
        clock += timedelta(hours=1)
        assert await deliver_mail(db, settings, plugin_host, now=clock) == 1
        told = smtp.received[-1]
        assert told.rcpt_tos == [a.person.email]
        text = text_of(told.message)
        assert "Jamie Rivera wrote (" in text
        assert "Should we ask about *school days* too?" in text
        assert "Parent partner, Cincinnati Children's" not in text
        assert "wrote:" not in text
        assert told.message["Subject"] == "[Test Network] Spring 2014 parent panel"
        assert told.message["In-Reply-To"].startswith("<thread-")

        before = await snapshot(db)
        posted = await thread_messages(client, a, thread["id"])
        sent = len(smtp.received)
        forged = reply_to(
            mail, b, "Cancel the panel.", From=f"Dr. Lee Park <{people.outsider.person.email}>"
        )
        await relay(port, people.outsider.person.email, address, forged)
        auto_reply = reply_to(
            mail, b, "I am out of the office.", **{"Auto-Submitted": "auto-replied"}
        )
        await relay(port, b.person.email, address, auto_reply)
        bounce = delivery_report(address, b.person.email, str(mail["Message-ID"]))
        await relay(port, "", address, bounce)
        await client.settle()
        assert await thread_messages(client, a, thread["id"]) == posted
        # Nothing posted, nothing changed in the thread's tables; nobody else was mailed.
        after = await snapshot(db)
        for table in ("codesign_messages", "codesign_mentions", "codesign_participants"):
            assert after[table] == before[table], table
        # Each for its own reason (inbound_mail: ..., outcome, reason, replied, received_at).
        recorded = [(str(row[-4]), str(row[-3]).split(":")[0]) for row in after["inbound_mail"]]
        assert recorded[1:] == [
            ("REFUSED", "unverified"),
            ("IGNORED", "automatic"),
            ("IGNORED", "automatic"),
        ]
        clock += timedelta(hours=1)
        assert await deliver_mail(db, settings, plugin_host, now=clock) == 0
        assert len(smtp.received) == sent

        # An oversized reply is refused, and B (only B, at the address on file) is told why.
        huge = reply_to(mail, b, "All the objectives, again. " * 1_000)
        await relay(port, b.person.email, address, huge)
        await client.settle()
        assert await thread_messages(client, a, thread["id"]) == posted
        clock += timedelta(hours=1)
        assert await deliver_mail(db, settings, plugin_host, now=clock) == 1
        refusal = smtp.received[-1]
        assert refusal.rcpt_tos == [b.person.email]
        assert refusal.message["Subject"].startswith("Not posted: Re: [Test Network] Spring 2014")
        assert refusal.message["Auto-Submitted"] == "auto-replied"
        reason = text_of(refusal.message)
        assert "was not posted" in reason
        assert "more than the 20,000" in reason
        assert "Nothing from it was posted." in reason


LEAVE = """mutation($id: ID!) { leaveThread(input: {id: $id}) { userErrors { field } } }"""
HOW_TO_COME_BACK = {
    "PARTICIPANTS": "To take part again, ask someone in it (Dr. Sami Reyes started it) to invite "
    "you back.",
    "NETWORK": "To take part again, open it in the app and post there.",
}


async def mailed_to_b(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
    people: Cast,
    body: str,
    *,
    now: datetime,
    audience: str = "PARTICIPANTS",
) -> tuple[dict[str, Any], EmailMessage]:
    """A (the participant) starts a thread "Parent panel" with B (the parent, who takes mail at
    once) and posts ``body``; delivered at ``now``, B's is the only mail. The thread and it."""
    a, b = people.participant, people.parent
    await client.data(PREFERENCES, token=b.token)
    thread = await start(client, a, audience=audience, personIds=[b.id], title="Parent panel")
    await post(client, a, thread["id"], body)
    await client.settle()
    assert await deliver_mail(db, settings, plugin_host, now=now) == 1
    return thread, smtp.received[-1].message


@pytest.mark.parametrize("audience", HOW_TO_COME_BACK.keys())
async def test_a_reply_after_leaving_is_refused_saying_they_left_and_how_to_come_back(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
    audience: str,
) -> None:
    settings = smtp.settings_for(settings).model_copy(update={"mail_reply_domain": REPLY_DOMAIN})
    people = await cast(db)
    a, b = people.participant, people.parent
    clock = datetime.now(UTC) + timedelta(minutes=10)
    body = "Now that we are accepted, shall we meet?"
    thread, mail = await mailed_to_b(
        db, client, settings, plugin_host, smtp, people, body, now=clock, audience=audience
    )
    address = mail["Reply-To"].addresses[0].addr_spec
    left = await client.data(LEAVE, {"id": thread["id"]}, token=b.token)
    assert left["leaveThread"]["userErrors"] == []
    posted = await thread_messages(client, a, thread["id"])

    async with mail_in_listener(db, settings) as port:
        await relay(port, b.person.email, address, reply_to(mail, b, "Count me in after all."))
    await client.settle()

    assert await thread_messages(client, a, thread["id"]) == posted
    clock += timedelta(hours=1)
    sent = len(smtp.received)
    await deliver_mail(db, settings, plugin_host, now=clock)  # and A hears that B left
    [refusal] = [mail for mail in smtp.received[sent:] if mail.rcpt_tos == [b.person.email]]
    assert refusal.message["Subject"].startswith("Not posted: ")
    text = " ".join(text_of(refusal.message).split())
    assert "was not posted: you left this conversation, so replies to its mail no longer" in text
    assert HOW_TO_COME_BACK[audience] in text
    assert "ID" not in text


RENDERED = """query($id: ID!) { node(id: $id) { ... on Thread {
  messages(order: OLDEST_FIRST) { nodes { body bodyHtml } } } } }"""


def html_reply_to(mail: EmailMessage, who: Member, html: str) -> bytes:
    """A reply from a client that sends HTML only, as Gmail's HTML part is written."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = f"{who.person.display_name} <{who.person.email}>"
    message["To"] = mail["Reply-To"].addresses[0].addr_spec
    message["Subject"] = f"Re: {mail['Subject']}"
    message["Message-ID"] = f"<{secrets.token_hex(8)}@mail.example.org>"
    message["In-Reply-To"] = str(mail["Message-ID"])
    message.set_content(html, subtype="html")
    return message.as_bytes()


async def test_a_link_in_an_html_reply_is_posted_as_a_link_and_nothing_else_is(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings).model_copy(update={"mail_reply_domain": REPLY_DOMAIN})
    people = await cast(db)
    a, b = people.participant, people.parent
    later = datetime.now(UTC) + timedelta(1)
    body = "Could you look at the survey?"
    thread, mail = await mailed_to_b(
        db, client, settings, plugin_host, smtp, people, body, now=later
    )
    html = (
        "<div>Done: <a href='https://example.org/x?a=1&amp;b=2'>the survey</a>, not "
        "<a href='javascript:alert(1)'>this</a> <b onclick='x()'>&lt;img src=x onerror=y&gt;</b>"
        "</div><div class='gmail_quote'>On Tue, Dec 8, 2026 at 9:00 AM Dr. Sami Reyes &lt;"
        "<a href='mailto:notifications@icn.example.org'>notifications@icn.example.org</a>&gt; "
        "wrote:<br><blockquote>Could you look at the survey?</blockquote></div>"
    )
    async with mail_in_listener(db, settings) as port:
        address = mail["Reply-To"].addresses[0].addr_spec
        await relay(port, b.person.email, address, html_reply_to(mail, b, html))
    await client.settle()

    data = await client.data(RENDERED, {"id": thread["id"]}, token=a.token)
    posted = data["node"]["messages"]["nodes"][-1]
    assert posted["body"] == (
        "Done: [the survey](https://example.org/x?a=1&b=2), not this <img src=x onerror=y>"
    )
    assert posted["bodyHtml"] == (
        '<p>Done: <a href="https://example.org/x?a=1&amp;b=2" rel="noopener noreferrer '
        'nofollow">the survey</a>, not this &lt;img src=x onerror=y&gt;</p>\n'
    )
