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
most 0.5 s, idle RSS at most 120 MB). Linux only (``/proc``). ``figures(quick)`` gives the
same as rows of ``make bench`` (bench/run.py).
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

from figures import Figure

ICN_GRAPH = str(Path(sys.executable).with_name("icn-graph"))
HELP_TARGET_SECONDS = 0.5
RSS_TARGET_MB = 120.0
HELP = "icn-graph --help"
CONFIG = "icn-graph config"
HELLO_EXIT = "anchor: hello app built, exit"
SERVE = "icn-graph serve (empty SQLite)"
HELLO_SERVE = "anchor: hello app on uvicorn"

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


def measure(
    rounds: int, serve_rounds: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """(start-up seconds, idle RSS MB) of each command, interleaved rounds."""
    env = {**os.environ, "ICN_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory() as folder:
        env["ICN_DATABASE_URL"] = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        env["ICN_MAIL_DIR"] = str(Path(folder) / "mail")
        subprocess.run([ICN_GRAPH, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603

        # Start-up: one warm-up each (disk caches), then interleaved rounds.
        commands = {
            HELP: [ICN_GRAPH, "--help"],
            CONFIG: [ICN_GRAPH, "config"],
            HELLO_EXIT: [sys.executable, "-c", HELLO_APP],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():
            seconds_to_run(command, env)
        for _ in range(rounds):
            for name, command in commands.items():
                times[name].append(seconds_to_run(command, env))

        # The port is the last argument of each (`serve --port N`; the hello script's argv[1]).
        servers = {
            SERVE: [ICN_GRAPH, "serve", "--port"],
            HELLO_SERVE: [sys.executable, "-c", SERVE_HELLO],
        }
        rss: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(serve_rounds):
            for name, command in servers.items():
                port = free_port()
                rss[name].append(idle_rss([*command, str(port)], port, env))
    return times, rss


def figures(quick: bool) -> list[Figure]:
    """``make bench``: ``--help`` and ``config`` start-up, idle RSS; absolute targets."""
    rounds, serve_rounds = (3, 1) if quick else (7, 3)
    times, rss = measure(rounds, serve_rounds)
    median = statistics.median
    anchor_time = median(times[HELLO_EXIT])
    size = f"median of {rounds} interleaved rounds, process start to exit"
    return [
        Figure(
            "`icn-graph --help`",
            median(times[HELP]),
            anchor_time,
            "s",
            "bare Strawberry hello app: build, exit",
            higher_is_better=False,
            target=None,
            absolute_target=HELP_TARGET_SECONDS,
            note=size,
        ),
        Figure(
            "`icn-graph config`",
            median(times[CONFIG]),
            anchor_time,
            "s",
            "bare Strawberry hello app: build, exit",
            higher_is_better=False,
            target=None,
            note=size,
        ),
        Figure(
            "idle RSS, `icn-graph serve`",
            median(rss[SERVE]),
            median(rss[HELLO_SERVE]),
            "MB",
            "bare Strawberry hello app on uvicorn",
            higher_is_better=False,
            target=None,
            absolute_target=RSS_TARGET_MB,
            note="empty migrated SQLite, installed plugins; "
            + (f"median of {serve_rounds} rounds" if serve_rounds > 1 else "one round"),
        ),
    ]


def main(rounds: int, serve_rounds: int) -> None:
    times, rss = measure(rounds, serve_rounds)
    anchor_time = statistics.median(times[HELLO_EXIT])
    print(f"start-up, {rounds} interleaved rounds (seconds, process start to exit):")
    for name, values in times.items():
        print("  " + median_line(name, values, "s"))
    for name in (HELP, CONFIG):
        print(f"  ratio {name} / anchor: {statistics.median(times[name]) / anchor_time:.2f}x")
    anchor_rss = statistics.median(rss[HELLO_SERVE])
    ours_rss = statistics.median(rss[SERVE])
    print(f"idle RSS, {serve_rounds} interleaved rounds (MB, after /healthz and 1 s idle):")
    for name, values in rss.items():
        print("  " + median_line(name, values, "MB"))
    print(f"  ratio icn-graph serve / anchor: {ours_rss / anchor_rss:.2f}x")
    help_seconds = statistics.median(times[HELP])
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
