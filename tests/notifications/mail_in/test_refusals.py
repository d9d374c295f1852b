"""What mail-in refuses or ignores: nothing is posted, and only a verified sender is answered."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import update

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.models import Person
from icn_graph.notifications.mail.reply_address import reply_address
from icn_graph.notifications.mail_in.receive import Outcome
from icn_graph.notifications.models import InboundOutcome
from icn_graph.testing import make_person
from tests.mail_helpers import T0
from tests.notifications.mail_in.helpers import (
    NEW_TEXT,
    REPLY_DOMAIN,
    Mailed,
    check_ins,
    deliver_all,
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

FORGERIES = {
    "another address": "Sam Carter <attacker@evil.example>",
    "the address as a display name": '"Sam.Carter@Example.org" <attacker@evil.example>',
    "two mailboxes": "Sam.Carter@Example.org, attacker@evil.example",
    "an unparseable From": "Sam.Carter@Example.org)<attacker@evil.example>",
}


async def assert_nothing_posted_or_answered(db: Database, mail: Mailed) -> None:
    assert await check_ins(db, mail.goal) == []
    assert await refusals(db) == []


@pytest.mark.parametrize("sender", FORGERIES.values(), ids=FORGERIES.keys())
async def test_a_forged_from_is_refused_and_not_answered(
    db: Database, settings: Settings, smtp: SmtpServer, sender: str
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    outcome = await receiver(db, settings).receive(reply(mail, sender=sender))
    assert outcome.outcome == InboundOutcome.REFUSED
    assert not outcome.replied
    await assert_nothing_posted_or_answered(db, mail)
    [row] = await inbound(db)
    # Never counted against the person a forger names (their rate limit stays theirs).
    assert (row.outcome, row.person_id) == (InboundOutcome.REFUSED, None)
    assert row.reason is not None
    assert row.reason.startswith("unverified:")


async def test_a_deactivated_persons_reply_is_refused_and_not_answered(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """Their reply address still verifies, but like their tokens it no longer acts for them."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    async with db.transaction() as session:
        await session.execute(
            update(Person).where(Person.id == mail.person.id).values(deactivated_at=T0)
        )
    outcome = await receiver(db, settings).receive(reply(mail))
    assert outcome.outcome == InboundOutcome.REFUSED
    assert not outcome.replied
    await assert_nothing_posted_or_answered(db, mail)
    [row] = await inbound(db)
    assert row.reason == "unverified: the person's account is deactivated"


async def test_a_second_from_header_is_refused(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    raw = reply(mail).replace(b"From: ", b"From: attacker@evil.example\r\nFrom: ", 1)
    outcome = await receiver(db, settings).receive(raw)
    assert outcome.outcome == InboundOutcome.REFUSED
    await assert_nothing_posted_or_answered(db, mail)


@pytest.mark.parametrize(
    ("headers", "envelope"),
    [
        ({"Sender": "attacker@evil.example"}, None),
        ({}, "attacker@evil.example"),
        ({"Return-Path": "<attacker@evil.example>"}, None),
    ],
    ids=["Sender", "envelope sender", "Return-Path"],
)
async def test_someone_else_behind_the_right_from_is_refused(
    db: Database,
    settings: Settings,
    smtp: SmtpServer,
    headers: dict[str, str],
    envelope: str | None,
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    raw = reply(mail, headers=headers)
    outcome = await receiver(db, settings).receive(raw, envelope_sender=envelope)
    assert outcome.outcome == InboundOutcome.REFUSED
    await assert_nothing_posted_or_answered(db, mail)


async def test_a_reply_to_header_changes_nothing_about_who_is_answered(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp, mail_in_max_bytes=10_000)
    mail = await mailed(db, settings, smtp)
    raw = reply(mail, "x" * 20_000, headers={"Reply-To": "victim@elsewhere.example"})
    outcome = await receiver(db, settings).receive(raw)
    assert outcome.replied
    [refusal] = await refusals(db)
    assert refusal.to_address == mail.person.email


async def test_a_tampered_token_is_refused_and_not_answered(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    local, _, domain = mail.reply_to.partition("@")
    flipped = local[:-1] + ("a" if local[-1] != "a" else "b")
    for address in (f"{flipped}@{domain}", f"{local}@other.example", f"{local[:-2]}@{domain}"):
        outcome = await receiver(db, settings).receive(reply(mail, to=address), recipient=address)
        assert outcome.outcome == InboundOutcome.REFUSED
        assert outcome.reason is not None
        assert outcome.reason.startswith("bad_address")
    await assert_nothing_posted_or_answered(db, mail)


async def test_a_token_signed_with_another_key_is_refused(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    forged = reply_address("another-key", REPLY_DOMAIN, mail.person.id, mail.subject_id)
    outcome = await receiver(db, settings).receive(reply(mail, to=forged), recipient=forged)
    assert outcome.outcome == InboundOutcome.REFUSED
    await assert_nothing_posted_or_answered(db, mail)


async def test_someone_replying_with_another_persons_address_is_refused(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """A genuine address of Sam's, forwarded to Alex: Alex's reply does not post as Sam."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    alex = await make_person(db, display_name="Alex Kim")
    outcome = await receiver(db, settings).receive(reply(mail, sender=alex.email))
    assert outcome.outcome == InboundOutcome.REFUSED
    await assert_nothing_posted_or_answered(db, mail)


AUTOMATIC = {
    "Auto-Submitted": {"Auto-Submitted": "auto-replied"},
    "X-Autoreply": {"X-Autoreply": "yes"},
    "X-Autorespond": {"X-Autorespond": "Out of office"},
    "Precedence bulk": {"Precedence": "bulk"},
    "Precedence auto_reply": {"Precedence": "auto_reply"},
    "X-Failed-Recipients": {"X-Failed-Recipients": "sam.carter@example.org"},
    "Auto-Submitted auto-generated": {"Auto-Submitted": "auto-generated"},
    "Auto-Submitted auto-notified": {"Auto-Submitted": "auto-notified; owner-email=x@y.org"},
    "X-Precedence": {"X-Precedence": "auto_reply"},
    "Precedence junk": {"Precedence": "Junk"},
    "List-Id": {"List-Id": "Parent partners <partners.lists.example.org>"},
}


@pytest.mark.parametrize("headers", AUTOMATIC.values(), ids=AUTOMATIC.keys())
async def test_an_auto_reply_posts_nothing_and_gets_no_answer(
    db: Database, settings: Settings, smtp: SmtpServer, headers: dict[str, str]
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    outcome = await receiver(db, settings).receive(
        reply(mail, "I am out of office", headers=headers)
    )
    assert outcome.outcome == InboundOutcome.IGNORED
    await assert_nothing_posted_or_answered(db, mail)
    [row] = await inbound(db)
    assert row.reason is not None
    assert row.reason.startswith("automatic:")


AUTOMATIC_SUBJECTS = [
    "Abwesenheitsnotiz: [ImproveCareNow] Start a parent panel",
    "Out of office",
    "OUT OF OFFICE: back Monday",
    "Out of Office AutoReply: Start a parent panel",
    "Automatic reply: Start a parent panel",
    "Auto reply",
    "Autoreply: Start a parent panel",
    "Auto: away",
    "Automatische Antwort: Start a parent panel",
    "Réponse automatique : Start a parent panel",
    "Absence",
    "Respuesta automática: Start a parent panel",
    "Fuera de la oficina",
    "Risposta automatica: Start a parent panel",
    "Fora do escritório",
    "Afwezig",
    "Automatisch antwoord: Start a parent panel",
    "自动回复: Start a parent panel",
]


@pytest.mark.parametrize("subject", AUTOMATIC_SUBJECTS)
async def test_a_vacation_reply_known_by_its_subject_alone_is_ignored(
    db: Database, settings: Settings, smtp: SmtpServer, subject: str
) -> None:
    """Responders that set no header: what they say must not reach the thread."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    text = "I'm at the hospital with my son this week and not reading mail."
    outcome = await receiver(db, settings).receive(reply(mail, text, subject=subject))
    assert outcome.outcome == InboundOutcome.IGNORED
    await assert_nothing_posted_or_answered(db, mail)


PERSONS = {
    "a reply's subject": {"subject": "Re: Out of office hours for the panel?"},
    "a subject of their own": {"subject": "Automation in clinic visits"},
    "receipts suppressed": {"headers": {"X-Auto-Response-Suppress": "DR, RN, NRN"}},
    "vacation replies suppressed": {"headers": {"X-Auto-Response-Suppress": "OOF"}},
    # Exchange puts All on mail people write too: it asks for no automatic answer, nothing more.
    "all automatic answers suppressed": {"headers": {"X-Auto-Response-Suppress": "All"}},
}


@pytest.mark.parametrize("shape", PERSONS.values(), ids=PERSONS.keys())
async def test_mail_a_person_wrote_is_not_taken_for_an_auto_reply(
    db: Database, settings: Settings, smtp: SmtpServer, shape: dict[str, Any]
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    outcome = await receiver(db, settings).receive(reply(mail, **shape))
    assert outcome.outcome == InboundOutcome.POSTED


async def test_auto_submitted_no_is_a_person_writing(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    outcome = await receiver(db, settings).receive(reply(mail, headers={"Auto-Submitted": "no"}))
    assert outcome.outcome == InboundOutcome.POSTED


def bounce(mail: Mailed) -> bytes:
    """A delivery status notification (RFC 3464) from a mailer daemon, about our reply."""
    report = EmailMessage()
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.org>"
    report["To"] = mail.reply_to
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = "<bounce-1@mx.example.org>"
    report.set_content("This is the mail system at host mx.example.org. I'm sorry ...")
    status = EmailMessage()
    status.set_content("Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; x@y\n")
    report.make_mixed()
    report.attach(status)
    report.replace_header("Content-Type", 'multipart/report; report-type="delivery-status"')
    return report.as_bytes()


@pytest.mark.parametrize("envelope", ["", None], ids=["null sender", "unknown sender"])
async def test_a_bounce_posts_nothing_and_gets_no_answer(
    db: Database, settings: Settings, smtp: SmtpServer, envelope: str | None
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    outcome = await receiver(db, settings).receive(bounce(mail), envelope_sender=envelope)
    assert outcome.outcome == InboundOutcome.IGNORED
    await assert_nothing_posted_or_answered(db, mail)


async def test_an_oversize_reply_is_refused_and_the_sender_told_why_by_mail(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp, mail_in_max_bytes=10_000)
    mail = await mailed(db, settings, smtp)
    raw = reply(mail, "A long story. " * 2_000)
    outcome = await receiver(db, settings).receive(raw)
    assert outcome.outcome == InboundOutcome.REFUSED
    assert outcome.replied
    assert await check_ins(db, mail.goal) == []

    before = len(smtp.messages)
    assert await deliver_all(db, settings) == 1
    [answer] = smtp.messages[before:]
    assert answer["To"] == mail.person.email
    assert answer["Auto-Submitted"] == "auto-replied"
    assert answer["In-Reply-To"] is not None
    text = plain_text(answer)
    assert "was not posted" in text
    assert f"{len(raw):,} bytes, more than the 10,000" in text


async def test_a_reply_with_attachments_is_posted_without_them_and_the_sender_told_which(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    outcome = await receiver(db, settings).receive(reply(mail, attachment=b"%PDF-1.4 ..."))
    assert outcome.outcome == InboundOutcome.POSTED
    assert outcome.replied
    assert await check_ins(db, mail.goal) == [(mail.person.id, NEW_TEXT)]
    [row] = await inbound(db)
    assert (row.outcome, row.reason) == (InboundOutcome.POSTED, "files_not_kept: objectives.pdf")

    before = len(smtp.messages)
    assert await deliver_all(db, settings) == 1
    [notice] = smtp.messages[before:]
    assert notice["To"] == mail.person.email
    assert notice["Auto-Submitted"] == "auto-replied"
    assert notice["Subject"].startswith("Posted without attachments: Re: ")
    text = " ".join(plain_text(notice).split())
    assert "was posted, without its attachments (objectives.pdf)" in text
    assert "holds text only, so they were not kept." in text
    assert "in the app" not in text


async def test_a_reply_of_only_an_attachment_is_refused_naming_it(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    message = message_from_bytes(reply(mail), policy=policy.SMTP)
    assert isinstance(message, EmailMessage)
    message.clear_content()
    message.add_attachment(b"...", maintype="image", subtype="jpeg", filename="panel.jpg")
    outcome = await receiver(db, settings).receive(message.as_bytes())
    assert outcome.outcome == InboundOutcome.REFUSED
    assert outcome.replied
    assert outcome.reason == (
        "it has no text to post, only attachments (panel.jpg), and threads hold text."
    )


async def test_images_shown_inside_an_html_reply_are_not_attachments(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """A signature's logo in multipart/related, and one some clients mark as an attachment
    while the HTML shows it (cid:): nobody attached them, nobody is told."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    html = (
        "<p>I can join the panel.</p><p>-- <br>Sam<br><img src='cid:logo@example.org'>"
        "<img src='CID:badge@example.org'></p>"
    )
    message = message_from_bytes(reply(mail, html=html), policy=policy.SMTP)
    assert isinstance(message, EmailMessage)
    message.add_related(b"png", maintype="image", subtype="png", cid="<logo@example.org>")
    message.make_mixed()
    badge = EmailMessage()
    badge.set_content(b"png", maintype="image", subtype="png", disposition="attachment")
    badge["Content-ID"] = "<badge@example.org>"
    message.attach(badge)
    outcome = await receiver(db, settings).receive(message.as_bytes())
    assert outcome == Outcome(InboundOutcome.POSTED)
    assert [note for _, note in await check_ins(db, mail.goal)] == ["I can join the panel."]
    assert await refusals(db) == []


SIGNATURE_PARTS = {
    "S/MIME": ("application", "pkcs7-signature", "smime.p7s"),
    "OpenPGP": ("application", "pgp-signature", "signature.asc"),
    "Outlook's winmail.dat": ("application", "ms-tnef", "winmail.dat"),
}


@pytest.mark.parametrize("part", SIGNATURE_PARTS.values(), ids=SIGNATURE_PARTS.keys())
async def test_a_signed_reply_is_posted_with_no_notice(
    db: Database, settings: Settings, smtp: SmtpServer, part: tuple[str, str, str]
) -> None:
    """A signature or Outlook's envelope is the mail client's, not a file anyone attached."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    message = message_from_bytes(reply(mail), policy=policy.SMTP)
    assert isinstance(message, EmailMessage)
    maintype, subtype, filename = part
    message.add_attachment(b"...", maintype=maintype, subtype=subtype, filename=filename)
    outcome = await receiver(db, settings).receive(message.as_bytes())
    assert outcome == Outcome(InboundOutcome.POSTED)
    assert await check_ins(db, mail.goal) == [(mail.person.id, NEW_TEXT)]
    [row] = await inbound(db)
    assert row.reason is None


ON_WROTE = "On Tue, Dec 8, 2026 at 9:00 AM {name} <{address}> wrote:"
QUOTE_ONLY = {
    "attribution on one line": ON_WROTE + "\n\n{quote}",
    "attribution folded": ON_WROTE.replace("<", "<\n") + "\n{quote}",
    "a short attribution": "{name} wrote:\n{quote}",
    "only the quote": "{quote}",
    "Outlook's header block": (
        "From: {name} <{address}>\nSent: Tuesday, December 8, 2026 9:00 AM\n"
        "Subject: Re: Start a parent panel\n\n{plain}"
    ),
    "German attribution": "Am Di., 8. Dez. 2026 um 09:00 Uhr schrieb {name} <{address}>:\n{quote}",
    "French attribution": "Le mar. 8 déc. 2026 à 09:00, {name} <{address}> a écrit :\n{quote}",
    "German Outlook's header block": (
        "Von: {name} <{address}>\nGesendet: Dienstag, 8. Dezember 2026 09:00\n"
        "Betreff: Re: Start a parent panel\n\n{plain}"
    ),
}


@pytest.mark.parametrize("layout", QUOTE_ONLY.values(), ids=QUOTE_ONLY.keys())
async def test_a_reply_of_only_the_quoted_mail_is_refused_and_never_posted(
    db: Database, settings: Settings, smtp: SmtpServer, layout: str
) -> None:
    """Send pressed on a reply without writing anything: the quoted notification is not news."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    sender = mail.message["From"].addresses[0]
    body = layout.format(
        name=sender.display_name,
        address=sender.addr_spec,
        quote=quoted(mail.message),
        plain=plain_text(mail.message),
    )
    outcome = await receiver(db, settings).receive(reply(mail, body=body))
    assert outcome.outcome == InboundOutcome.REFUSED
    assert outcome.replied
    assert await check_ins(db, mail.goal) == []
    [refusal] = await refusals(db)
    assert "no new text was found above the quoted mail" in refusal.message


async def test_a_handler_that_refuses_rolls_back_what_it_wrote_and_the_sender_is_told(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    outcome = await receiver(db, settings).receive(reply(mail, "Yes, please refuse this."))
    assert outcome.outcome == InboundOutcome.REFUSED
    assert outcome.replied
    assert await check_ins(db, mail.goal) == []  # the handler's write is rolled back
    [refusal] = await refusals(db)
    assert "this goal is closed to new check-ins." in refusal.message
    [row] = await inbound(db)
    assert (row.outcome, row.person_id) == (InboundOutcome.REFUSED, mail.person.id)


async def test_a_handler_that_fails_posts_nothing_and_the_sender_is_told(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    outcome = await receiver(db, settings).receive(reply(mail, "Oh, please crash."))
    assert outcome.outcome == InboundOutcome.REFUSED
    assert outcome.replied
    assert await check_ins(db, mail.goal) == []


async def test_replies_beyond_the_hourly_limit_are_refused_and_told_once(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp, mail_in_max_per_hour=2)
    mail = await mailed(db, settings, smtp)
    outcomes = [
        await receiver(db, settings).receive(reply(mail, f"Reply number {n}.")) for n in range(4)
    ]
    assert [o.outcome for o in outcomes] == [
        InboundOutcome.POSTED,
        InboundOutcome.POSTED,
        InboundOutcome.REFUSED,
        InboundOutcome.REFUSED,
    ]
    assert [o.replied for o in outcomes[2:]] == [True, False]
    assert [note for _, note in await check_ins(db, mail.goal)] == [
        "Reply number 0.",
        "Reply number 1.",
    ]
    assert len(await refusals(db)) == 1
