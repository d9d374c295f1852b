"""Hostile mail through the real paths (the CLI in process, the listener over a socket): each
test is an attack found in review, and what mail-in must do about it."""

from __future__ import annotations

import asyncio

import aiosmtplib
import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.notifications.mail_in.listener import COMMAND_LIMIT, start_listener
from icn_graph.notifications.mail_in.pipe import EX_OK
from icn_graph.notifications.mail_in.receive import Outcome
from icn_graph.notifications.models import InboundOutcome
from tests.notifications.mail_in.helpers import (
    Mailed,
    check_ins,
    inbound,
    mailed,
    receiver,
    refusals,
    reply,
    reply_settings,
)
from tests.notifications.mail_in.test_transports import (  # noqa: F401 (a fixture)
    mail_in_env,
    run_mail_in,
    with_reply_plugin,
)
from tests.smtp_server import SmtpServer, free_port


def nested_multiparts(mail: Mailed, depth: int) -> bytes:
    """A reply whose text sits inside ``depth`` multipart/mixed parts (about 70 bytes each)."""
    head, _, _ = reply(mail).partition(b"\r\n\r\n")
    head = b"\r\n".join(
        line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-")
    )
    body = b"Content-Type: text/plain\r\n\r\nI can join the panel.\r\n"
    for level in range(depth):
        boundary = b"b%d" % level
        body = (
            b"Content-Type: multipart/mixed; boundary="
            + boundary
            + b"\r\n\r\n--"
            + boundary
            + b"\r\n"
            + body
            + b"\r\n--"
            + boundary
            + b"--\r\n"
        )
    return head + b"\r\nMIME-Version: 1.0\r\n" + body


def unreadable(mail: Mailed) -> dict[str, bytes]:
    """Messages the email package fails on (not with a defect: with an exception)."""
    sam = mail.person.email.encode()
    comments = b"\r\n ".join([b"(" * 500] * 6 + [b")" * 500] * 6)  # folded: SMTP's 1000 a line
    return {
        "nested MIME": nested_multiparts(mail, 1_500),
        "nested comments in From": reply(mail).replace(
            b"From: ", b"From: " + sam + b" " + comments + b"\r\nX-Was: ", 1
        ),
        "a From the parser trips on": reply(mail).replace(
            b"From: ", b'From: ().<);"t\r\n \t.\r\nX-Was: ', 1
        ),
        "a To the parser trips on": reply(mail).replace(b"Subject: ", b"Cc: =<\r\nSubject: ", 1),
    }


# "nested MIME" is no longer parsed at all: more than 100 parts (see below).
UNREADABLE = [
    "nested comments in From",
    "a From the parser trips on",
    "a To the parser trips on",
]


@pytest.mark.parametrize("kind", UNREADABLE)
@pytest.mark.usefixtures("with_reply_plugin")
async def test_an_unreadable_message_is_recorded_and_exits_0_not_retried_for_days(
    db: Database, settings: Settings, smtp: SmtpServer, kind: str
) -> None:
    """Attack: a message that crashes the parser. Exit 75 made the MTA retry it for days, then
    bounce it to its (forgeable) envelope sender: backscatter on demand, from anyone."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    raw = unreadable(mail)[kind]
    result = await run_mail_in(mail_in_env(settings), raw, "--recipient", mail.reply_to)
    assert result.exit_code == EX_OK, result.output
    [row] = await inbound(db)
    assert (row.outcome, row.person_id, row.replied) == (InboundOutcome.REFUSED, None, False)
    assert row.reason is not None
    assert row.reason.startswith("unreadable:")
    assert await check_ins(db, mail.goal) == []
    assert await refusals(db) == []


async def test_the_listener_accepts_and_records_an_unreadable_message(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    port = free_port()
    server = await start_listener(receiver(db, settings), "127.0.0.1", port, lmtp=False)
    try:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, use_tls=False, start_tls=False)
        async with client:
            for raw in unreadable(mail).values():
                errors, answer = await client.sendmail(mail.person.email, [mail.reply_to], raw)
                assert (errors, answer) == ({}, "2.0.0 OK")
    finally:
        server.close()
        await server.wait_closed()
    assert [row.outcome for row in await inbound(db)] == [InboundOutcome.REFUSED] * 4
    assert await check_ins(db, mail.goal) == []


async def test_the_hourly_limit_holds_and_is_told_once_for_replies_arriving_at_once(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """Attack: a burst of replies delivered concurrently (an MTA runs up to 20 pipes or LMTP
    sessions at once) all read the count before any was written, and all posted."""
    settings = reply_settings(settings, smtp, mail_in_max_per_hour=2)
    mail = await mailed(db, settings, smtp)
    incoming = receiver(db, settings)
    outcomes = await asyncio.gather(
        *(incoming.receive(reply(mail, f"Burst {n}.")) for n in range(6)),
        return_exceptions=True,
    )
    assert (
        sorted(o.outcome for o in outcomes if isinstance(o, Outcome))
        == [InboundOutcome.POSTED] * 2 + [InboundOutcome.REFUSED] * 4
    )
    assert len(await check_ins(db, mail.goal)) == 2
    # ... and the refusals all read "not told yet": the sender got one mail per refusal.
    [told] = await refusals(db)
    assert told.to_address == mail.person.email


async def test_runs_of_whitespace_are_collapsed_before_the_quote_is_looked_for(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """Attack: mail-parser-reply's signature pattern (``\\s*^...``) is quadratic in a run of
    whitespace: a 1 MB reply of spaces (one line, thanks to quoted-printable soft breaks) or
    of blank lines held a CPU (and the listener's whole event loop) for hours."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    text = "Thanks." + " " * 40_000 + "I can join.\n" + "\n" * 40_000 + "See you then."
    outcome = await receiver(db, settings).receive(reply(mail, text))
    assert outcome.outcome == InboundOutcome.POSTED
    assert await check_ins(db, mail.goal) == [
        (mail.person.id, "Thanks. I can join.\n\nSee you then.")
    ]


@pytest.mark.parametrize(
    "subject",
    ["Automatic reply: {}", "Out of Office: {}", "Out of office AutoReply: {}", "AutoReply: {}"],
)
async def test_an_out_of_office_reply_without_the_standard_headers_posts_nothing(
    db: Database, settings: Settings, smtp: SmtpServer, subject: str
) -> None:
    """Attack (a loop, no attacker needed): vacation responders that set no Auto-Submitted,
    only their subject, answered the Reply-To: each one posted "I am away" to the subject,
    mailing everyone following it, whose own responders answered in turn."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    raw = reply(mail, "I am away until Monday.").replace(
        b"Subject: Re: ", b"Subject: " + subject.format("Re: ").encode(), 1
    )
    outcome = await receiver(db, settings).receive(raw)
    assert outcome.outcome == InboundOutcome.IGNORED
    assert await check_ins(db, mail.goal) == []
    assert await refusals(db) == []


async def greeting(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    return reader, writer, await asyncio.wait_for(reader.readline(), 10)


async def test_the_listener_answers_421_beyond_its_connection_limit(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """Attack: connections without end, each holding memory (a message up to the hard limit)
    and a task: the listener had no limit. Beyond ICN_MAIL_IN_MAX_CONNECTIONS it answers 421
    (the MTA tries again later) and closes; a slot freed is a slot taken again."""
    settings = reply_settings(settings, smtp, mail_in_max_connections=2)
    port = free_port()
    server = await start_listener(receiver(db, settings), "127.0.0.1", port, lmtp=False)
    writers: list[asyncio.StreamWriter] = []
    try:
        for _ in range(2):
            _reader, writer, line = await greeting(port)
            writers.append(writer)
            assert line.startswith(b"220 ")
        reader, writer, line = await greeting(port)
        assert line.startswith(b"421 4.3.2 ")
        assert await asyncio.wait_for(reader.read(), 10) == b""  # closed by the server
        writer.close()
        writers.pop().close()
        while True:  # the slot is freed once the server sees the close
            reader, writer, line = await greeting(port)
            writers.append(writer)
            if line.startswith(b"220 "):
                break
            writers.pop().close()
            await asyncio.sleep(0.01)
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_the_listener_closes_an_idle_connection(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """Attack: connections opened and left silent held their slot for aiosmtpd's default 300 s."""
    settings = reply_settings(settings, smtp)
    port = free_port()
    incoming = receiver(db, settings)
    server = await start_listener(incoming, "127.0.0.1", port, lmtp=False, idle_timeout=0.2)
    try:
        reader, writer, line = await greeting(port)
        assert line.startswith(b"220 ")
        assert await asyncio.wait_for(reader.read(), 10) == b""  # closed by the server
        writer.close()
    finally:
        server.close()
        await server.wait_closed()


async def test_the_listener_reads_at_most_twice_the_size_limit(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """Attack: each connection could make the listener buffer 32 MiB (to tell a verified sender
    their message was too big). Up to twice ICN_MAIL_IN_MAX_BYTES is read and answered; beyond,
    552 (the MTA tells the sender)."""
    settings = reply_settings(settings, smtp, mail_in_max_bytes=10_000)
    mail = await mailed(db, settings, smtp)
    port = free_port()
    server = await start_listener(receiver(db, settings), "127.0.0.1", port, lmtp=False)
    try:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, use_tls=False, start_tls=False)
        async with client:
            raw = reply(mail, "A long story. " * 1_000)
            assert 10_000 < len(raw) < 20_000
            assert await client.sendmail(mail.person.email, [mail.reply_to], raw) == (
                {},
                "2.0.0 OK",
            )
            with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
                await client.sendmail(
                    mail.person.email, [mail.reply_to], reply(mail, "A long story. " * 1_500)
                )
            assert refused.value.code == 552
    finally:
        server.close()
        await server.wait_closed()
    [row] = await inbound(db)
    assert (row.outcome, row.replied) == (InboundOutcome.REFUSED, True)


async def test_the_listener_limits_how_often_a_connection_repeats_a_command(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """Attack: one connection sending commands without end (NOOP, RSET, RCPT) kept its slot."""
    settings = reply_settings(settings, smtp)
    port = free_port()
    server = await start_listener(receiver(db, settings), "127.0.0.1", port, lmtp=False)
    try:
        reader, writer, _line = await greeting(port)
        answers = []
        for _ in range(COMMAND_LIMIT + 1):
            writer.write(b"NOOP\r\n")
            answers.append(await asyncio.wait_for(reader.readline(), 10))
        assert answers[:-1] == [b"250 OK\r\n"] * COMMAND_LIMIT
        assert answers[-1].startswith(b"421 ")
        writer.close()
    finally:
        server.close()
        await server.wait_closed()


def flat_parts(mail: Mailed, parts: int) -> bytes:
    """A reply with ``parts`` one-line text parts (about 36 bytes each)."""
    head, _, _ = reply(mail).partition(b"\r\n\r\n")
    head = b"\r\n".join(
        line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-")
    )
    body = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(parts))
    return (
        head
        + b"\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        + body
        + b"--b--\r\n"
    )


@pytest.mark.parametrize("parts", [101, 20_000, -1_500])
async def test_a_message_of_too_many_parts_is_refused_before_it_is_parsed(
    db: Database, settings: Settings, smtp: SmtpServer, parts: int
) -> None:
    """Attack: 720 KB of 20,000 MIME parts took the email package about 5 s to parse (and 7.6 s
    in all), on the listener's event loop, before the sender was even checked: every other
    connection waited. Past 100 parts only the headers are read; the verified sender is told,
    anyone else is not answered. (``parts`` < 0: that many nested parts.)"""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    incoming = receiver(db, settings)

    def many_parts(mail: Mailed, parts: int) -> bytes:
        return flat_parts(mail, parts) if parts > 0 else nested_multiparts(mail, -parts)

    outcome = await incoming.receive(many_parts(mail, parts))
    assert (outcome.outcome, outcome.replied) == (InboundOutcome.REFUSED, True)
    assert outcome.reason is not None
    assert "more than 100 parts" in outcome.reason
    forged = many_parts(mail, parts).replace(b"Sam.Carter@Example.org", b"eve@example.net")
    outcome = await incoming.receive(forged)
    assert (outcome.outcome, outcome.replied) == (InboundOutcome.REFUSED, False)
    assert outcome.reason is not None
    assert outcome.reason.startswith("unverified")
    assert len(await refusals(db)) == 1
    assert await check_ins(db, mail.goal) == []


@pytest.mark.parametrize("forgery", ["unverified", "automatic"])
async def test_a_forged_message_cannot_take_a_real_replys_message_id_first(
    db: Database, settings: Settings, smtp: SmtpServer, forgery: str
) -> None:
    """Attack: a forged message carrying the Message-ID the victim's reply will have, sent to
    their reply address first, was recorded under that key: the real reply then counted as a
    duplicate and was dropped. Only a verified delivery's row holds the plain key; an MTA's
    retry of either is still a duplicate."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    incoming = receiver(db, settings)
    message_id = "<future@mail.example.org>"
    headers = {"Auto-Submitted": "auto-replied"} if forgery == "automatic" else {}
    sender = "Sam Carter <attacker@evil.example>" if forgery == "unverified" else None
    forged = reply(mail, "Forged.", sender=sender, headers=headers, message_id=message_id)
    first = await incoming.receive(forged)
    assert first.outcome != InboundOutcome.POSTED
    assert (await incoming.receive(forged)).duplicate
    real = reply(mail, "The real one.", message_id=message_id)
    assert (await incoming.receive(real)).outcome == InboundOutcome.POSTED
    assert (await incoming.receive(real)).duplicate
    assert await check_ins(db, mail.goal) == [(mail.person.id, "The real one.")]


async def test_a_text_too_long_for_the_quote_stripper_is_refused_with_a_reason(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """Attack: mail-parser-reply's "On ... wrote:" pattern is quadratic in a line starting "On":
    1,000 such lines (900 KB) took 17 s, one 100,000-character line over 90 s. Text over
    100,000 characters is refused, told to the verified sender."""
    settings = reply_settings(settings, smtp, mail_in_max_bytes=2_000_000)
    mail = await mailed(db, settings, smtp)
    text = ("On " + "x " * 448 + "\n") * 1_000
    outcome = await receiver(db, settings).receive(reply(mail, text))
    assert (outcome.outcome, outcome.replied) == (InboundOutcome.REFUSED, True)
    assert outcome.reason is not None
    assert "more than the 100,000 a reply by email may be" in outcome.reason


async def test_a_long_line_starting_on_is_posted_whole(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """A line too long to be an "On ... wrote:" header is hidden from that pattern (which is
    quadratic in it), and posted as written."""
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    text = "On " + "second thought, " * 3_000 + "yes.\nOn Monday then."
    outcome = await receiver(db, settings).receive(reply(mail, text))
    assert outcome.outcome == InboundOutcome.POSTED
    assert await check_ins(db, mail.goal) == [(mail.person.id, text)]
