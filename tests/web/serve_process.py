"""``icn-graph`` as a real process for the operator-facing tests: its output in a log file that
can be waited on, and a TCP relay that plays a database server going down and coming back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from icn_graph.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SECRETS = {
    "ICN_SECRET_KEY": secrets.token_urlsafe(48),
    "ICN_PATIENT_KEY_SECRET": secrets.token_urlsafe(48),
}


def cli_env(**values: str) -> dict[str, str]:
    """The environment of a CLI process: this one's without any ICN_* setting, plus ``values``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ICN_")}
    return env | {"ICN_PLUGINS": "core"} | PRODUCTION_SECRETS | values


def run_cli(env: dict[str, str], *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "icn_graph", *args], env, cwd)


def printed_json(code: str, env: dict[str, str]) -> Any:
    """Run ``code`` in a fresh interpreter with ``env``; the JSON of its last printed line."""
    done = _run([sys.executable, "-c", code], env, ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=180, check=False
    )


class Running:
    """A long-running ``icn-graph`` command, stdout and stderr into one log file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str, own_group: bool = False) -> None:
        """``own_group``: in a process group of its own, as a terminal's foreground command is
        (see ``interrupt``)."""
        self.log = log
        self.own_group = own_group
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "icn_graph", *args],
                env=env,
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=own_group,
            )

    def interrupt(self) -> None:
        """Ctrl-C in a terminal: SIGINT to every process of the group (``own_group`` only)."""
        assert self.own_group
        os.killpg(self.process.pid, signal.SIGINT)

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def wait_for_output(self, text: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.output:
            if self.process.poll() is not None:
                raise AssertionError(f"exited ({self.process.returncode}):\n{self.output}")
            if time.monotonic() > deadline:
                raise AssertionError(f"never said {text!r}:\n{self.output}")
            await asyncio.sleep(0.1)

    def stop(self) -> None:
        if self.own_group:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@contextlib.asynccontextmanager
async def draining_server(
    url: str, log: Path, *args: str, own_group: bool = False
) -> AsyncIterator[tuple[Running, int]]:
    """``icn-graph serve *args`` on the migrated database ``url``, ready (200 on ``/readyz``), and
    its port; the network is called "Drain Network" and has 120 s of grace at shutdown, so that
    requests finish when a test says so. Killed on the way out."""
    port = free_port()
    env = cli_env(
        ICN_DATABASE_URL=url,
        ICN_PORT=str(port),
        ICN_NETWORK_NAME="Drain Network",
        ICN_SHUTDOWN_GRACE_SECONDS="120",
    )
    server = Running(env, log, "serve", *args, own_group=own_group)
    try:
        await wait_until_listening(f"http://127.0.0.1:{port}", server)
        await wait_for_readyz(f"http://127.0.0.1:{port}", 200, server)
        yield server, port
    finally:
        server.stop()


async def wait_until_listening(base: str, server: Running, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        while True:
            try:
                await http.get("/healthz")
                return
            except httpx.TransportError:
                if server.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"never listened:\n{server.output}") from None
                await asyncio.sleep(0.1)


async def readyz(base: str) -> tuple[int, dict[str, object]]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        response = await http.get("/readyz")
        return response.status_code, response.json()


async def wait_for_readyz(
    base: str, status: int, server: Running, seconds: float = 120
) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while True:
        got, body = await readyz(base)
        if got == status:
            return body
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"/readyz stayed {got} {body}:\n{server.output}")
        await asyncio.sleep(0.2)


class Relay:
    """A TCP port that refuses connections until ``open``, then relays them to a real server:
    a database server that is down, then back."""

    def __init__(self, port: int, target_host: str, target_port: int) -> None:
        self.port = port
        self.target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task

    async def _relay(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        server_in, server_out = await asyncio.open_connection(*self.target)

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            finally:
                writer.close()

        tasks = [
            asyncio.create_task(pipe(client_in, server_out)),
            asyncio.create_task(pipe(server_in, client_out)),
        ]
        self._tasks.update(tasks)
        with contextlib.suppress(OSError, asyncio.CancelledError):
            await asyncio.gather(*tasks)
        self._tasks.difference_update(tasks)
