"""``icn-graph serve --worker`` (what ``make run`` starts) as a real process: the API answers,
due mail lands in the ``.eml`` folder, and SIGTERM stops both cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.notifications.models import MailStatus
from icn_graph.testing import make_person
from tests.mail_helpers import all_mail, make_goal, notify, start_cli
from tests.smtp_server import free_port


async def healthz(port: int) -> int:
    """The status of /healthz once the server listens (it may still be starting)."""
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                return (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    pytest.fail("the server never listened")


async def test_the_server_runs_a_worker_that_writes_mail_to_the_folder(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    owner = await make_person(db)
    follower = await make_person(db)
    goal = await make_goal(db, owner)
    now = datetime.now(UTC)
    await notify(db, follower, to_global_id("Goal", goal.id), actor=owner, created_at=now)

    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "ICN_DATABASE_URL": settings.database_url_value,
        "ICN_PLUGINS": "core",
        "ICN_PORT": str(port),
        "ICN_MAIL_DIR": str(tmp_path / "mail"),
        "ICN_WORKER_TICK_SECONDS": "0.2",
    }
    log = tmp_path / "serve.log"
    server = start_cli(env, tmp_path, log, "serve", "--worker")
    try:
        for _ in range(600):
            files = list((tmp_path / "mail").glob("*.eml"))
            if files:
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail(f"no mail was written:\n{log.read_text()}")
        assert await healthz(port) == 200
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0, log.read_text()
    finally:
        if server.poll() is None:
            server.kill()

    [written] = files
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    [mail] = await all_mail(db)
    assert mail.status == MailStatus.SENT
    assert message["Message-ID"] == mail.message_id
    assert message["To"].addresses[0].addr_spec == follower.email
    output = log.read_text()
    assert "mail goes to" in output
    assert "stopped" in output
