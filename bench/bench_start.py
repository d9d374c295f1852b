"""Benchmark: start-up time of the CLI and idle RSS of the server vs a bare Strawberry hello app.

    .venv/bin/python bench/bench_start.py [--rounds 7] [--serve-rounds 3]

Two comparisons, each interleaved (ours, anchor, ours, anchor, ...) in the same run:

- **CLI start-up**: wall time of ``icn-graph --help`` and of ``icn-graph config`` (a process
  start to exit) vs a process that imports Strawberry and Starlette, builds a one-field hello
  schema and its ASGI app, and exits.
- **Idle RSS**: ``icn-graph serve`` on a migrated, empty SQLite file (installed plugins loaded)
  vs the hello app served by uvicorn; each is read from ``/proc/<pid>/status`` (VmRSS) once it
  answers ``/healthz`` and has been idle for a second.

It prints the medians, their ratios and the targets of issue 16 ("Lean start": ``--help`` at
most 0.5 s, idle RSS at most 120 MB). Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ICN_GRAPH = str(Path(sys.executable).with_name("icn-graph"))
HELP_TARGET_SECONDS = 0.5
RSS_TARGET_MB = 120.0

HELLO_APP = """
import strawberry
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


app = Starlette(
    routes=[
        Route("/graphql", GraphQL(strawberry.Schema(query=Query))),
        Route("/healthz", lambda request: PlainTextResponse("ok")),
    ]
)
"""

SERVE_HELLO = (
    HELLO_APP + "\nimport sys, uvicorn\n"
    "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[1]), log_level='warning')\n"
)


def seconds_to_run(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def idle_rss(command: list[str], port: int, env: dict[str, str]) -> float:
    """Start a server, wait until /healthz answers, let it settle, read its RSS, stop it."""
    server = subprocess.Popen(  # noqa: S603
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    _, errors = server.communicate()
                    raise RuntimeError(f"{command[0]} did not start: {errors}") from None
                time.sleep(0.1)
        time.sleep(1.0)
        return rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def median_line(name: str, values: list[float], unit: str) -> str:
    shown = ", ".join(f"{value:.2f}" for value in values)
    return f"{name:<38} median {statistics.median(values):7.2f} {unit}  ({shown})"


def main(rounds: int, serve_rounds: int) -> None:
    env = {**os.environ, "ICN_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory() as folder:
        env["ICN_DATABASE_URL"] = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        env["ICN_MAIL_DIR"] = str(Path(folder) / "mail")
        subprocess.run([ICN_GRAPH, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603

        # Start-up: one warm-up each (disk caches), then interleaved rounds.
        commands = {
            "icn-graph --help": [ICN_GRAPH, "--help"],
            "icn-graph config": [ICN_GRAPH, "config"],
            "anchor: hello app built, exit": [sys.executable, "-c", HELLO_APP],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():
            seconds_to_run(command, env)
        for _ in range(rounds):
            for name, command in commands.items():
                times[name].append(seconds_to_run(command, env))

        # The port is the last argument of each (`serve --port N`; the hello script's argv[1]).
        servers = {
            "icn-graph serve (empty SQLite)": [ICN_GRAPH, "serve", "--port"],
            "anchor: hello app on uvicorn": [sys.executable, "-c", SERVE_HELLO],
        }
        rss: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(serve_rounds):
            for name, command in servers.items():
                port = free_port()
                rss[name].append(idle_rss([*command, str(port)], port, env))

    anchor_time = statistics.median(times["anchor: hello app built, exit"])
    print(f"start-up, {rounds} interleaved rounds (seconds, process start to exit):")
    for name, values in times.items():
        print("  " + median_line(name, values, "s"))
    for name in ("icn-graph --help", "icn-graph config"):
        print(f"  ratio {name} / anchor: {statistics.median(times[name]) / anchor_time:.2f}x")
    anchor_rss = statistics.median(rss["anchor: hello app on uvicorn"])
    ours_rss = statistics.median(rss["icn-graph serve (empty SQLite)"])
    print(f"idle RSS, {serve_rounds} interleaved rounds (MB, after /healthz and 1 s idle):")
    for name, values in rss.items():
        print("  " + median_line(name, values, "MB"))
    print(f"  ratio icn-graph serve / anchor: {ours_rss / anchor_rss:.2f}x")
    help_seconds = statistics.median(times["icn-graph --help"])
    print(
        f"targets: --help {help_seconds:.2f} s (<= {HELP_TARGET_SECONDS} s: "
        f"{'met' if help_seconds <= HELP_TARGET_SECONDS else 'NOT met'}); idle RSS "
        f"{ours_rss:.0f} MB (<= {RSS_TARGET_MB:.0f} MB: "
        f"{'met' if ours_rss <= RSS_TARGET_MB else 'NOT met'})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="start-up rounds")
    parser.add_argument("--serve-rounds", type=int, default=3, help="idle RSS rounds")
    arguments = parser.parse_args()
    main(arguments.rounds, arguments.serve_rounds)
