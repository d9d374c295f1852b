"""Benchmark: what one API process serves, and two (``serve --workers 2``), under concurrent load.

    ICN_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench \\
        .venv/bin/python bench/serve_workers.py [--clients 50] [--seconds 15] [--rounds 2]

The database is emptied, migrated and loaded with the demo network (as bench_centers.py does).
Then ``icn-graph serve --workers 1`` and ``--workers 2`` take turns, ``--rounds`` times each,
alternating: each is started, warmed with a few requests, and given ``--clients`` clients that
each post the page of 50 centers with their teams (bench_centers.py's query) over real HTTP,
one request after another, for ``--seconds``, with one token (its cost budget lifted). It prints
requests/s, p50, p95 and errors of each turn. The load runs in this process, on the same
machine: it takes some of the CPU it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import httpx
from bench_centers import QUERY, prepare

START_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def output(log: Path) -> str:
    return log.read_text(errors="replace")


def start_serve(command: list[str], env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


async def started(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"serve exited:\n{await asyncio.to_thread(output, log)}")
            try:
                if (await http.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"serve never became ready:\n{await asyncio.to_thread(output, log)}")


async def load(base: str, token: str, clients: int, seconds: float) -> tuple[int, list[float], int]:
    """(requests answered, their latencies, errors) of ``clients`` closed-loop clients."""
    latencies: list[float] = []
    errors = 0
    reasons: set[str] = set()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        for _ in range(5):  # warm: imports, caches and pools of each process
            await http.post("/graphql", json={"query": QUERY}, headers=headers)
        end = time.monotonic() + seconds

        async def client() -> None:
            nonlocal errors
            while time.monotonic() < end:
                start = time.perf_counter()
                try:
                    response = await http.post("/graphql", json={"query": QUERY}, headers=headers)
                    ok = response.status_code == 200 and "errors" not in response.json()
                    if not ok:
                        reasons.add(f"{response.status_code} {response.text[:200]}")
                except httpx.HTTPError as error:
                    ok = False
                    reasons.add(repr(error))
                if ok:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1

        await asyncio.gather(*(client() for _ in range(clients)))
    for reason in sorted(reasons)[:3]:
        print(f"  error: {reason}")
    return len(latencies), latencies, errors


async def turn(url: str, token: str, workers: int, clients: int, seconds: float) -> str:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("ICN_")}
    env |= {
        "ICN_DATABASE_URL": url,
        "ICN_PLUGINS": "core",
        "ICN_LOG_LEVEL": "WARNING",
        # One client makes all the load here: its cost budget would throttle it.
        "ICN_COST_RESTORE_RATE": "1000000000",
        "ICN_SECRET_KEY": secrets.token_urlsafe(48),
        "ICN_PATIENT_KEY_SECRET": secrets.token_urlsafe(48),
    }
    command = [sys.executable, "-m", "icn_graph", "serve", "--port", str(port)]
    with tempfile.NamedTemporaryFile(suffix=".log") as log_file:
        log = Path(log_file.name)
        process = await asyncio.to_thread(
            start_serve, [*command, "--workers", str(workers)], env, log_file
        )
        try:
            base = f"http://127.0.0.1:{port}"
            await started(base, process, log)
            count, latencies, errors = await load(base, token, clients, seconds)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(process.wait, START_SECONDS)
    cuts = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else [0.0] * 19
    return (
        f"--workers {workers}: {count / seconds:6.1f} requests/s, "
        f"p50 {statistics.median(latencies or [0.0]) * 1000:6.0f} ms, "
        f"p95 {cuts[18] * 1000:6.0f} ms, errors {errors}"
    )


async def main(clients: int, seconds: float, rounds: int) -> None:
    url = os.environ.get(
        "ICN_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench"
    )
    token = await prepare(url)
    print(f"{clients} clients, {seconds:.0f} s a turn, 50 centers with their teams a request")
    for _ in range(rounds):
        for workers in (1, 2):
            print(await turn(url, token, workers, clients, seconds), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.clients, arguments.seconds, arguments.rounds))
