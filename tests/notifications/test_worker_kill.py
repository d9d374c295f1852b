"""``icn-graph worker`` as a real process: killed between claiming and sending, then restarted,
it delivers every message (at most one twice); SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.models import MailStatus
from icn_graph.testing import make_person
from tests.mail_helpers import all_mail, mail_settings, make_goal, notify, start_cli
from tests.smtp_server import STALL, SmtpServer

MESSAGES = 4


async def wait_for(check: Callable[[], Awaitable[bool]]) -> None:
    """Poll the database (another process writes it) for up to a minute."""
    for _ in range(600):
        if await check():
            return
        await asyncio.sleep(0.1)
    pytest.fail("the restarted worker did not deliver everything within a minute")


async def test_a_killed_worker_loses_nothing_and_a_restarted_one_delivers_everything(
    db: Database, settings: Settings, smtp: SmtpServer, tmp_path: Path
) -> None:
    settings = mail_settings(settings)
    owner = await make_person(db)
    goal = await make_goal(db, owner)
    for _ in range(MESSAGES):
        await notify(db, await make_person(db), to_global_id("Goal", goal.id), actor=owner)
    assert await compose_due_mail(db, settings, now=datetime.now(UTC)) == MESSAGES

    env = {
        "PATH": os.environ.get("PATH", ""),
        "ICN_DATABASE_URL": settings.database_url_value,
        "ICN_PLUGINS": "core",
        "ICN_LOG_LEVEL": "INFO",
        "ICN_MAIL_FROM": settings.mail_from,
        "ICN_WORKER_TICK_SECONDS": "0.2",
        "ICN_WORKER_LEASE_SECONDS": "2",
        "ICN_SMTP_TIMEOUT": "30",
        **smtp.settings_env(),
    }
    log = tmp_path / "worker.log"
    smtp.data_script.append(STALL)  # the first message's DATA is never answered
    first = start_cli(env, tmp_path, log, "worker")
    try:
        started = await asyncio.to_thread(smtp.handler.data_started.wait, 60)
        assert started, log.read_text()
        claimed = [m for m in await all_mail(db) if m.status == MailStatus.SENDING]
        assert claimed, "the worker had claimed its batch"
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=20) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
    smtp.release()

    second = start_cli(env, tmp_path, log, "worker")
    try:

        async def all_sent() -> bool:
            return all(m.status == MailStatus.SENT for m in await all_mail(db))

        await wait_for(all_sent)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0, log.read_text()
    finally:
        if second.poll() is None:
            second.kill()

    mails = await all_mail(db)
    delivered = Counter(received.message["Message-ID"] for received in smtp.received)
    assert set(delivered) == {mail.message_id for mail in mails}
    assert sum(delivered.values()) - len(delivered) <= 1
    assert all(mail.attempts >= 1 for mail in mails)
    output = log.read_text()
    assert "composed 0 messages, sent" in output  # one log line per batch
    assert "stopped" in output
    assert "Traceback" not in output


async def test_sigterm_during_a_stalled_send_stops_the_worker_and_loses_nothing(
    db: Database, settings: Settings, smtp: SmtpServer, tmp_path: Path
) -> None:
    settings = mail_settings(settings)
    owner = await make_person(db)
    goal = await make_goal(db, owner)
    await notify(db, await make_person(db), to_global_id("Goal", goal.id), actor=owner)
    assert await compose_due_mail(db, settings, now=datetime.now(UTC)) == 1
    env = {
        "PATH": os.environ.get("PATH", ""),
        "ICN_DATABASE_URL": settings.database_url_value,
        "ICN_PLUGINS": "core",
        "ICN_WORKER_TICK_SECONDS": "0.2",
        "ICN_SMTP_TIMEOUT": "300",  # longer than the test: only the stop grace can end the send
        **smtp.settings_env(),
    }
    log = tmp_path / "worker.log"
    smtp.data_script.append(STALL)
    worker = start_cli(env, tmp_path, log, "worker")
    try:
        assert await asyncio.to_thread(smtp.handler.data_started.wait, 60), log.read_text()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
    [mail] = await all_mail(db)
    assert mail.status == MailStatus.SENDING  # claimed, unsent: taken over when the lease lapses
    assert "stopped mid-step" in log.read_text()
