"""``threadActivity`` across API processes on PostgreSQL: a message posted through one
``icn-graph serve`` process reaches a subscriber of another (this test's app), which committed
nothing, over LISTEN/NOTIFY (core's live topics)."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from codesign_helpers import cast
from starlette.applications import Starlette
from test_activity import TIMEOUT, _Client, registered, serving, subscribed

from icn_graph.plugin_api import Database, Settings

START_TIMEOUT = 60.0  # generous: a cold interpreter importing everything on a busy machine


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def api_process(settings: Settings, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Another API process, ``icn-graph serve`` with core and icn-codesign on the test's
    database; yields its base URL and the process."""
    port = free_port()
    env = {
        **os.environ,
        "ICN_DATABASE_URL": settings.database_url_value,
        "ICN_PLUGINS": "icn-codesign",
        "ICN_LOG_LEVEL": "WARNING",
        "ICN_DEMO": "false",
        "ICN_SECRET_KEY": secrets.token_urlsafe(48),
        "ICN_PATIENT_KEY_SECRET": secrets.token_urlsafe(48),
    }
    command = [sys.executable, "-m", "icn_graph", "serve", "--host", "127.0.0.1"]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603  # our own interpreter and module
            [*command, "--port", str(port)], env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield f"http://127.0.0.1:{port}", process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=START_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def wait_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=5) as http:
        for _ in range(int(START_TIMEOUT / 0.1)):
            if process.poll() is not None:
                output = await asyncio.to_thread(log.read_text, errors="replace")
                pytest.fail(f"the API process exited: {output}")
            try:
                if (await http.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    pytest.fail(f"the API process at {base_url} never became ready")


async def test_a_subscriber_hears_a_message_posted_through_another_process(
    db: Database, app: Starlette, settings: Settings, tmp_path: Path
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("on SQLite only the committing process's subscribers hear (documented)")
    people = await cast(db)
    log = tmp_path / "other.log"
    async with serving(app) as here:
        thread = await _Client(here).start(people.parent, [people.participant.id])
        await app.state.dispatcher.drain()
        with api_process(settings, log) as (there, process):
            await wait_ready(there, process, log)
            async with subscribed(here, people.parent, thread) as parent:
                await registered(app, thread)
                await _Client(there).post(people.participant, thread, "Posted over there")
                async with asyncio.timeout(TIMEOUT):
                    got = await parent.receive()
                assert got["payload"]["data"]["threadActivity"] == {
                    "kind": "MESSAGE_POSTED",
                    "subject": {"body": "Posted over there", "hidden": False, "hiddenReason": None},
                    "thread": {"title": "Parent panel"},
                }
