"""Sending over real SMTP (aiosmtpd on loopback): connection reuse, retries, refusals, dead
letters, suppression, and the .eml folder."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select, update

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Person
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.sender import retry_delay, send_due_mail
from icn_graph.notifications.mail.status import delivery_status
from icn_graph.notifications.mail.transport import FolderTransport, SmtpTransport
from icn_graph.notifications.models import MailStatus, SuppressedAddress
from icn_graph.testing import make_person
from tests.mail_helpers import T0, all_mail, mail_settings, make_goal, notify
from tests.smtp_server import SmtpServer


def smtp_settings(settings: Settings, smtp: SmtpServer, **values: object) -> Settings:
    return mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port, **values)


async def queue_mail_for(db: Database, settings: Settings, *people: Person) -> None:
    owner = await make_person(db)
    goal = await make_goal(db, owner)
    for person in people:
        await notify(db, person, to_global_id("Goal", goal.id), actor=owner)
    assert await compose_due_mail(db, settings, now=T0) == len(people)


async def send(db: Database, settings: Settings, *, now: object = T0) -> int:
    transport = SmtpTransport(settings)
    try:
        return await send_due_mail(db, settings, transport, now=now, worker_id="test")  # type: ignore[arg-type]
    finally:
        await transport.close()


async def test_a_batch_goes_over_one_connection(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_settings(settings, smtp)
    people = [await make_person(db) for _ in range(5)]
    await queue_mail_for(db, settings, *people)

    assert await send(db, settings) == 5
    assert smtp.connections == 1
    mails = await all_mail(db)
    assert [(m.status, m.attempts, m.sent_at) for m in mails] == [(MailStatus.SENT, 1, T0)] * 5
    received = {r.message["Message-ID"]: r for r in smtp.received}
    assert set(received) == {m.message_id for m in mails}
    for mail in mails:
        got = received[mail.message_id]
        assert got.rcpt_tos == [mail.to_address]
        assert got.mail_from == "notifications@icn.example.org"
        assert got.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert await send(db, settings, now=T0 + timedelta(hours=1)) == 0


async def test_451_then_250_delivers_once_after_a_backoff(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_settings(settings, smtp)
    await queue_mail_for(db, settings, await make_person(db))
    smtp.data_script.append("451 4.3.0 Mailbox busy, try again later")

    assert await send(db, settings) == 1
    [mail] = await all_mail(db)
    assert (mail.status, mail.attempts) == (MailStatus.QUEUED, 1)
    assert mail.next_attempt_at == T0 + timedelta(seconds=60)
    assert mail.last_error is not None
    assert mail.last_error.startswith("451")
    assert smtp.received == []

    assert await send(db, settings, now=T0 + timedelta(seconds=59)) == 0
    assert await send(db, settings, now=T0 + timedelta(seconds=60)) == 1
    [mail] = await all_mail(db)
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 2)
    [received] = smtp.received
    assert received.message["Message-ID"] == mail.message_id


async def test_retries_back_off_exponentially_up_to_a_cap_then_dead_letter(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_settings(settings, smtp, mail_max_attempts=3)
    assert [retry_delay(settings, n).total_seconds() for n in (1, 2, 3, 4, 5, 9)] == [
        60,
        120,
        240,
        480,
        600,
        600,
    ]
    await queue_mail_for(db, settings, await make_person(db))
    smtp.data_script.extend(["451 4.7.1 Greylisted"] * 3)

    now = T0
    for expected_wait in (60, 120):
        assert await send(db, settings, now=now) == 1
        [mail] = await all_mail(db)
        assert mail.status == MailStatus.QUEUED
        assert mail.next_attempt_at == now + timedelta(seconds=expected_wait)
        now = mail.next_attempt_at
    assert await send(db, settings, now=now) == 1
    [mail] = await all_mail(db)
    assert (mail.status, mail.attempts) == (MailStatus.DEAD, 3)
    assert smtp.received == []
    status = await delivery_status(db, now=now)
    assert status.dead == 1
    assert status.dead_letters[0].last_error.startswith("451 4.7.1 Greylisted")
    assert await send(db, settings, now=now + timedelta(days=1)) == 0


async def test_550_fails_for_good_suppresses_until_the_address_changes(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_settings(settings, smtp)
    gone = await make_person(db, email="Gone@Example.org")
    fine, later = await make_person(db), await make_person(db)
    smtp.refuse["gone@example.org"] = "550 5.1.1 No such user here"
    await queue_mail_for(db, settings, fine, gone, later)

    assert await send(db, settings) == 3
    assert smtp.connections == 1  # the refusal did not cost the connection
    statuses = {m.to_address: (m.status, m.attempts) for m in await all_mail(db)}
    assert statuses == {
        fine.email: (MailStatus.SENT, 1),
        "Gone@Example.org": (MailStatus.FAILED, 1),
        later.email: (MailStatus.SENT, 1),
    }
    async with db.session() as session:
        [suppressed] = await session.scalars(select(SuppressedAddress))
    assert (suppressed.email_key, suppressed.smtp_code) == ("gone@example.org", 550)
    assert "No such user" in suppressed.reason

    # Later mail to the address is not attempted.
    await queue_mail_for(db, settings, gone)
    assert [m.status for m in await all_mail(db)][-1] == MailStatus.SUPPRESSED
    assert await send(db, settings, now=T0 + timedelta(hours=1)) == 0

    # A new address is mailed again.
    async with db.transaction() as session:
        await session.execute(
            update(Person)
            .where(Person.id == gone.id)
            .values(email="maria.new@example.org", email_key="maria.new@example.org")
        )
    await queue_mail_for(db, settings, gone)
    assert await send(db, settings, now=T0 + timedelta(hours=2)) == 1
    assert smtp.received[-1].rcpt_tos == ["maria.new@example.org"]
    assert (await all_mail(db))[-1].status == MailStatus.SENT


async def test_an_unreachable_server_is_a_temporary_failure(
    db: Database, settings: Settings
) -> None:
    with SmtpServer() as stopped:
        port = stopped.port
    settings = mail_settings(settings, smtp_host="127.0.0.1", smtp_port=port)
    await queue_mail_for(db, settings, await make_person(db))
    transport = SmtpTransport(settings)
    assert await send_due_mail(db, settings, transport, now=T0, worker_id="test") == 1
    [mail] = await all_mail(db)
    assert mail.status == MailStatus.QUEUED
    assert mail.last_error is not None
    assert mail.last_error.startswith("421")


async def test_without_smtp_each_message_is_an_eml_file(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    settings = mail_settings(settings, smtp_host="", mail_dir=str(tmp_path / "mail"))
    people = [await make_person(db) for _ in range(2)]
    await queue_mail_for(db, settings, *people)
    transport = FolderTransport(settings.mail_dir)
    assert await send_due_mail(db, settings, transport, now=T0, worker_id="test") == 2
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    written = {
        message_from_bytes(path.read_bytes(), policy=policy.default)["Message-ID"] for path in files
    }
    assert written == {m.message_id for m in await all_mail(db)}
    assert {m.status for m in await all_mail(db)} == {MailStatus.SENT}
    assert not list((tmp_path / "mail").glob(".*"))


async def test_two_workers_share_the_queue_and_send_each_message_once(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_settings(settings, smtp)
    owner = await make_person(db)
    goal = await make_goal(db, owner)
    for _ in range(12):
        await notify(db, await make_person(db), to_global_id("Goal", goal.id), actor=owner)
    composed = await asyncio.gather(
        compose_due_mail(db, settings, now=T0), compose_due_mail(db, settings, now=T0)
    )
    assert sum(composed) == 12
    assert len(await all_mail(db)) == 12

    transports = [SmtpTransport(settings), SmtpTransport(settings)]
    rounds = []
    try:
        for _ in range(2):
            rounds.append(
                await asyncio.gather(
                    *(
                        send_due_mail(db, settings, transport, now=T0, worker_id=f"w{n}", limit=8)
                        for n, transport in enumerate(transports)
                    )
                )
            )
    finally:
        for transport in transports:
            await transport.close()
    assert sum(map(sum, rounds)) == 12
    if db.dialect == "postgresql":
        # SKIP LOCKED: the second worker takes what the first one locked not.
        assert sorted(rounds[0]) == [4, 8]
    delivered = [received.message["Message-ID"] for received in smtp.received]
    assert sorted(delivered) == sorted(m.message_id for m in await all_mail(db))


async def test_a_kept_connection_the_server_dropped_is_replaced_without_a_failure(
    db: Database, settings: Settings
) -> None:
    first_server = SmtpServer()
    settings = mail_settings(settings, smtp_host="127.0.0.1", smtp_port=first_server.port)
    transport = SmtpTransport(settings)
    try:
        with first_server:
            await queue_mail_for(db, settings, await make_person(db))
            assert await send_due_mail(db, settings, transport, now=T0, worker_id="w") == 1
        # The server went away (a restart, an idle timeout) while the connection was kept.
        with SmtpServer(port=first_server.port) as second_server:
            await queue_mail_for(db, settings, await make_person(db))
            later = T0 + timedelta(minutes=1)
            assert await send_due_mail(db, settings, transport, now=later, worker_id="w") == 1
            assert len(second_server.received) == 1
    finally:
        await transport.close()
    assert [(m.status, m.attempts) for m in await all_mail(db)] == [(MailStatus.SENT, 1)] * 2
