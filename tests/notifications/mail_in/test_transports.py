"""mail-in as an MTA reaches it: ``icn-graph mail-in`` reading stdin (the CLI, in process) and
the SMTP and LMTP listeners over a real socket."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator, Sequence

import aiosmtplib
import pytest
from click.testing import CliRunner, Result

from icn_graph import cli, host
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.notifications.mail.reply_address import reply_address
from icn_graph.notifications.mail_in.listener import start_listener
from icn_graph.notifications.mail_in.pipe import EX_OK, EX_TEMPFAIL
from icn_graph.notifications.mail_in.receive import MailReceiver
from icn_graph.notifications.models import InboundOutcome
from icn_graph.plugins.manager import PluginHost
from tests.notifications.mail_in import reply_plugin
from tests.notifications.mail_in.helpers import (
    NEW_TEXT,
    PRODUCTION_LIKE_PATIENT_KEY_SECRET,
    REPLY_DOMAIN,
    check_ins,
    inbound,
    mailed,
    receiver,
    refusals,
    reply,
    reply_settings,
)
from tests.smtp_server import SmtpServer, free_port


@pytest.fixture
def with_reply_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI loads core and the test's reply plugin (instead of the installed plugins): its
    commands import ``load_plugins`` from ``icn_graph.host`` when they run."""

    def plugins(settings: Settings) -> PluginHost:
        return load_plugins(settings, extra=[("reply-test", reply_plugin)], discover=False)

    monkeypatch.setattr(host, "load_plugins", plugins)


def mail_in_env(settings: Settings, **values: str) -> dict[str, str]:
    """The environment of an ``icn-graph mail-in`` run by an MTA for ``settings``' database.
    Production-like: ``mail-in`` refuses the development secrets on PostgreSQL, so the reply
    address is verified with ``settings``' secret key passed as a real one would be."""
    return {
        "ICN_DATABASE_URL": settings.database_url_value,
        "ICN_SECRET_KEY": settings.secret_key.get_secret_value(),
        "ICN_PATIENT_KEY_SECRET": PRODUCTION_LIKE_PATIENT_KEY_SECRET,
        "ICN_MAIL_REPLY_DOMAIN": REPLY_DOMAIN,
        "ICN_MAIL_FROM": settings.mail_from,
        "ICN_LOG_LEVEL": "WARNING",
        **values,
    }


async def run_mail_in(env: dict[str, str], raw: bytes, *args: str) -> Result:
    """``icn-graph mail-in`` in process (in a thread: it runs its own event loop)."""
    return await asyncio.to_thread(CliRunner().invoke, cli.main, ["mail-in", *args], raw, env)


@pytest.mark.usefixtures("with_reply_plugin")
async def test_stdin_posts_the_new_text_and_exits_0(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    raw = reply(mail)
    args = ("--sender", mail.person.email, "--recipient", mail.reply_to)

    result = await run_mail_in(mail_in_env(settings), raw, *args)

    assert result.exit_code == EX_OK, result.output
    assert await check_ins(db, mail.goal) == [(mail.person.id, NEW_TEXT)]
    again = await run_mail_in(mail_in_env(settings), raw, *args)  # the MTA retries
    assert again.exit_code == EX_OK
    assert len(await check_ins(db, mail.goal)) == 1


@pytest.mark.usefixtures("with_reply_plugin")
async def test_stdin_finds_the_reply_address_in_the_headers(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    raw = (
        b"Delivered-To: "
        + mail.reply_to.encode()
        + b"\r\n"
        + reply(mail, to="Sam's list <x@y.org>")
    )
    result = await run_mail_in(mail_in_env(settings), raw)
    assert result.exit_code == EX_OK, result.output
    assert len(await check_ins(db, mail.goal)) == 1


@pytest.mark.usefixtures("with_reply_plugin")
async def test_stdin_refusals_and_auto_replies_exit_0_so_the_mta_sends_no_bounce(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    env = mail_in_env(settings)
    forged = await run_mail_in(env, reply(mail, sender="attacker@evil.example"))
    robot = await run_mail_in(env, reply(mail, headers={"Auto-Submitted": "auto-replied"}))
    assert (forged.exit_code, robot.exit_code) == (EX_OK, EX_OK)
    assert [row.outcome for row in await inbound(db)] == [
        InboundOutcome.REFUSED,
        InboundOutcome.IGNORED,
    ]
    assert await check_ins(db, mail.goal) == []


@pytest.mark.usefixtures("with_reply_plugin")
async def test_stdin_an_oversize_message_is_read_whole_and_refused_with_a_reason(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = reply_settings(settings, smtp)
    mail = await mailed(db, settings, smtp)
    raw = reply(mail, "All of it. " * 10_000)
    result = await run_mail_in(mail_in_env(settings, ICN_MAIL_IN_MAX_BYTES="20000"), raw)
    assert result.exit_code == EX_OK, result.output
    [refusal] = await refusals(db)
    assert "more than the 20,000" in refusal.message


async def test_stdin_exits_75_when_the_database_is_unreachable(
    settings: Settings, with_reply_plugin: None
) -> None:
    unreachable = "postgresql+asyncpg://icn@127.0.0.1:9/nowhere"
    env = mail_in_env(settings, ICN_DATABASE_URL=unreachable)
    result = await run_mail_in(env, b"From: a@b.org\r\nTo: x@y.org\r\n\r\nhi\r\n")
    assert result.exit_code == EX_TEMPFAIL
    assert "temporary failure" in result.output


async def test_stdin_exits_75_without_a_reply_domain(
    settings: Settings, with_reply_plugin: None
) -> None:
    env = mail_in_env(settings, ICN_MAIL_REPLY_DOMAIN="")
    result = await run_mail_in(env, b"From: a@b.org\r\n\r\nhi\r\n")
    assert result.exit_code == EX_TEMPFAIL


@pytest.fixture
async def listening(
    db: Database, settings: Settings, smtp: SmtpServer, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[int, Settings]]:
    settings = reply_settings(settings, smtp)
    port = free_port()
    server = await start_listener(receiver(db, settings), "127.0.0.1", port, lmtp=request.param)
    try:
        yield port, settings
    finally:
        server.close()
        await server.wait_closed()


def lmtp_send(port: int, sender: str, recipients: Sequence[str], raw: bytes) -> dict[str, object]:
    with smtplib.LMTP("127.0.0.1", port) as client:
        return dict(client.sendmail(sender, list(recipients), raw))


@pytest.mark.parametrize("listening", [True], indirect=True, ids=["lmtp"])
async def test_lmtp_posts_a_reply_and_refuses_unknown_addresses_at_rcpt(
    db: Database, smtp: SmtpServer, listening: tuple[int, Settings]
) -> None:
    port, settings = listening
    mail = await mailed(db, settings, smtp)
    raw = reply(mail)
    refused = await asyncio.to_thread(
        lmtp_send, port, mail.person.email, [mail.reply_to, f"reply+{'a' * 40}@{REPLY_DOMAIN}"], raw
    )
    assert list(refused) == [f"reply+{'a' * 40}@{REPLY_DOMAIN}"]
    assert await check_ins(db, mail.goal) == [(mail.person.id, NEW_TEXT)]

    with pytest.raises(smtplib.SMTPRecipientsRefused) as error:
        await asyncio.to_thread(lmtp_send, port, mail.person.email, ["sam@example.org"], raw)
    assert error.value.recipients["sam@example.org"][0] == 550


@pytest.mark.parametrize("listening", [False], indirect=True, ids=["smtp"])
async def test_smtp_posts_a_reply_and_ignores_a_bounce(
    db: Database, smtp: SmtpServer, listening: tuple[int, Settings]
) -> None:
    port, settings = listening
    mail = await mailed(db, settings, smtp)
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, use_tls=False, start_tls=False)
    async with client:
        await client.sendmail(mail.person.email, [mail.reply_to], reply(mail))
        await client.sendmail("", [mail.reply_to], reply(mail, "Delivery failed"))
    assert await check_ins(db, mail.goal) == [(mail.person.id, NEW_TEXT)]
    assert [row.outcome for row in await inbound(db)] == [
        InboundOutcome.POSTED,
        InboundOutcome.IGNORED,
    ]


async def test_the_listener_answers_451_when_the_database_is_unreachable(
    settings: Settings, with_reply_plugin: None
) -> None:
    settings = reply_settings(settings)
    load_plugins(settings, extra=[("reply-test", reply_plugin)], discover=False)
    unreachable = Database.from_url("postgresql+asyncpg://icn@127.0.0.1:9/nowhere")
    port = free_port()
    server = await start_listener(
        MailReceiver(unreachable, settings), "127.0.0.1", port, lmtp=False
    )
    try:
        address = reply_address(settings.secret_key.get_secret_value(), REPLY_DOMAIN, 1, "R29hbDox")
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, use_tls=False, start_tls=False)
        async with client:
            with pytest.raises(aiosmtplib.SMTPDataError) as error:
                await client.sendmail("a@b.org", [address], b"From: a@b.org\r\n\r\nhi\r\n")
        assert error.value.code == 451
    finally:
        server.close()
        await server.wait_closed()
        await unreachable.dispose()
