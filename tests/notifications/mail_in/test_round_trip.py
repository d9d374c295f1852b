"""Compose → real SMTP → a reply with quoted history and a signature → mail-in → only the new
text reaches the plugin's handler, as the person who wrote it."""

from __future__ import annotations

from datetime import timedelta

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.notifications.mail.reply_address import TOKEN_LENGTH
from icn_graph.notifications.mail_in.receive import Outcome
from icn_graph.notifications.models import InboundOutcome
from tests.mail_helpers import T0
from tests.notifications.mail_in import reply_plugin
from tests.notifications.mail_in.helpers import (
    NEW_TEXT,
    REPLY_DOMAIN,
    check_ins,
    inbound,
    mailed,
    plain_text,
    quoted,
    receiver,
    refusals,
    reply,
    reply_settings,
)
from tests.smtp_server import SmtpServer


async def test_mail_about_a_subject_that_accepts_replies_has_a_signed_reply_to(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    mail = await mailed(db, reply_settings(settings, smtp), smtp)
    local, _, domain = mail.reply_to.partition("@")
    assert domain == REPLY_DOMAIN
    assert local.startswith("reply+")
    assert len(local) <= 64
    assert local == local.lower()
    assert len(local) == len("reply+") + TOKEN_LENGTH
    assert "Reply to this email to post in this goal" in plain_text(mail.message)


async def test_without_a_reply_domain_mail_has_no_reply_to(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    plain = reply_settings(settings, smtp).model_copy(update={"mail_reply_domain": ""})
    mail = await mailed(db, plain, smtp)
    assert mail.message["Reply-To"] is None
    assert "Reply to this email" not in plain_text(mail.message)


async def test_only_the_new_text_is_posted_as_the_person_who_replied(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    raw = reply(mail, headers={"Return-Path": f"<{mail.person.email}>"})

    outcome = await receiver(db, settings).receive(raw)

    assert outcome == Outcome(InboundOutcome.POSTED)
    assert await check_ins(db, mail.goal) == [(mail.person.id, NEW_TEXT)]
    [(viewer, received)] = reply_plugin.received
    assert viewer.person_id == mail.person.id
    assert received.subject_id == mail.subject_id
    assert received.message_id is not None
    assert received.received_at == T0 + timedelta(minutes=31)
    [row] = await inbound(db)
    assert (row.outcome, row.person_id, row.subject_id) == (
        InboundOutcome.POSTED,
        mail.person.id,
        mail.subject_id,
    )
    assert await refusals(db) == []


async def test_an_mta_that_folds_the_address_to_upper_case_still_reaches_the_thread(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    shouted = mail.reply_to.upper()
    outcome = await receiver(db, settings).receive(reply(mail, to=shouted), recipient=shouted)
    assert outcome.outcome == InboundOutcome.POSTED


async def test_the_same_message_delivered_twice_posts_once(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    raw = reply(mail)
    first = await receiver(db, settings).receive(raw)
    again = await receiver(db, settings).receive(raw)
    assert first.outcome == InboundOutcome.POSTED
    assert again.duplicate
    assert len(await check_ins(db, mail.goal)) == 1
    assert len(await inbound(db)) == 1


async def test_an_html_only_reply_is_posted_as_text_without_its_quote(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    html = (
        "<html><body><div dir='ltr'>I can <b>join</b> the panel.<br><br>"
        "<ul><li>night-time symptoms</li><li>school</li></ul></div><br>"
        "<div class='gmail_quote'><div class='gmail_attr'>On Tue, Mar 10, 2026 at 11:00 AM "
        "ImproveCareNow &lt;notifications@icn.example.org&gt; wrote:<br></div>"
        "<blockquote>Maria Lopez checked in on <i>Start a parent panel</i></blockquote></div>"
        "<script>alert(1)</script></body></html>"
    )
    outcome = await receiver(db, settings).receive(reply(mail, html=html))
    assert outcome.outcome == InboundOutcome.POSTED
    [(_, note)] = await check_ins(db, mail.goal)
    assert "I can join the panel." in note
    assert "night-time symptoms" in note
    assert "school" in note
    assert "<" not in note
    assert "alert" not in note
    assert "wrote:" not in note
    assert "Maria Lopez" not in note


async def test_text_written_below_the_quote_is_posted_without_the_quote(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    body = (
        "On Tue, Mar 10, 2026 at 11:00 AM Maria Lopez <maria@example.org> wrote:\n"
        f"{quoted(mail.message)}\n\nGreat news, see you then.\n"
    )
    outcome = await receiver(db, settings).receive(reply(mail, body=body))
    assert outcome.outcome == InboundOutcome.POSTED
    assert await check_ins(db, mail.goal) == [(mail.person.id, "Great news, see you then.")]


async def test_an_html_only_reply_keeps_where_its_links_point_as_markdown(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    html = (
        "<div>Please fill in <a href='https://example.org/x?a=1&amp;b=2'>the <b>survey</b></a>"
        " or write to <a href='mailto:priya@example.org'>Priya</a> at "
        "<a href='mailto:priya@example.org'>priya@example.org</a>.<br>"
        "Not <a href='javascript:alert(1)'>this one</a>, <a href=' java&#9;script:alert(2)'>"
        "nor this</a>, <a href='data:text/html,&lt;script&gt;'>nor that</a>, "
        "<a href='/relative'>nor here</a>. "
        "<a href='https://example.org/\"&gt;&lt;script&gt;x(1)&lt;/script&gt;'>Odd [one]</a>"
        "</div>"
    )
    outcome = await receiver(db, settings).receive(reply(mail, html=html))
    assert outcome.outcome == InboundOutcome.POSTED
    [(_, note)] = await check_ins(db, mail.goal)
    assert note == (
        "Please fill in [the survey](https://example.org/x?a=1&b=2) or write to "
        "[Priya](mailto:priya@example.org) at priya@example.org.\n"
        "Not this one, nor this, nor that, nor here. "
        "[Odd \\[one\\]](https://example.org/%22%3E%3Cscript%3Ex%281%29%3C/script%3E)"
    )
