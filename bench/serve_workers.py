"""Benchmark: ``icn-graph serve --workers N`` under concurrent load, beside the raw app with as
many processes.

    ICN_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench \\
        .venv/bin/python bench/serve_workers.py [--clients 50] [--seconds 15] [--rounds 2]
        [--workers 1 2]

The database is emptied, migrated and loaded with the demo network, and the page is
http_center_page.py's center page (center, team, goals with key results). For each ``--workers``
count, ``icn-graph serve --workers N`` and the raw Starlette + asyncpg + orjson app
(bench/raw_center_app.py, uvicorn with N processes) take turns, ``--rounds`` times each: each is
started, warmed, and given ``--clients`` closed-loop keep-alive clients posting the page over
real HTTP for ``--seconds``, with one token (its cost budget lifted). It prints requests/s, p50,
p95 and errors of each turn. ``figures(quick)`` is ``make bench``'s row: ``--workers 2`` at 50
clients, p95 held to the absolute target of issue 16 (under 500 ms, no errors). The load runs in
this process, on the same machine: it takes some of the CPU it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
from collections.abc import Sequence

from figures import Figure
from http_center_page import (
    DEFAULT_URL,
    RAW_NAME,
    free_port,
    ours_command,
    page_request,
    raw_command,
    server,
)
from http_load import Load, closed_loop

P95_TARGET_MS = 500.0


async def turn(
    name: str,
    url: str,
    workers: int,
    body: bytes,
    headers: dict[str, str],
    clients: int,
    seconds: float,
) -> Load:
    port = free_port()
    command, env = (ours_command if name == "ours" else raw_command)(url, port, workers)
    async with server(command, env, port):
        await closed_loop(port, body, headers, 2 * workers, 1.0)  # warm every process
        load = await closed_loop(port, body, headers, clients, seconds)
    print(
        f"   {name:<5} --workers {workers}: {load.per_second:7.1f} requests/s, "
        f"p50 {load.p50_ms:6.0f} ms, p95 {load.p95_ms:6.0f} ms, errors {load.errors}",
        flush=True,
    )
    for reason in sorted(load.reasons)[:3]:
        print(f"     error: {reason}", flush=True)
    return load


async def measure(
    url: str, workers: Sequence[int], clients: int, seconds: float, rounds: int
) -> dict[tuple[str, int], list[Load]]:
    _, body, headers = await page_request(url, reuse=True)
    print(f"   {clients} clients, {seconds:g} s a turn, the center page a request", flush=True)
    loads: dict[tuple[str, int], list[Load]] = {}
    for _ in range(rounds):
        for count in workers:
            for name in ("ours", "raw"):
                load = await turn(name, url, count, body, headers, clients, seconds)
                loads.setdefault((name, count), []).append(load)
    return loads


def figures(quick: bool) -> list[Figure]:
    clients, seconds, rounds = (50, 10.0, 2) if quick else (50, 15.0, 3)
    url = os.environ.get("ICN_BENCH_POSTGRES_URL", DEFAULT_URL)
    loads = asyncio.run(measure(url, [2], clients, seconds, rounds))
    ours, raw = loads[("ours", 2)], loads[("raw", 2)]
    rate = statistics.median(load.per_second for load in ours)
    return [
        Figure(
            "center page p95, `serve --workers 2`, 50 clients",
            statistics.median(load.p95_ms for load in ours),
            statistics.median(load.p95_ms for load in raw),
            "ms",
            RAW_NAME + ", 2 processes",
            higher_is_better=False,
            target=None,
            absolute_target=P95_TARGET_MS,
            errors=sum(load.errors for load in ours),
            note=(
                f"ours {rate:.0f} req/s; median of {rounds} interleaved turns of {seconds:g} s; "
                "the load generator shares the 2 cores"
            ),
        )
    ]


def main(workers: Sequence[int], clients: int, seconds: float, rounds: int) -> None:
    url = os.environ.get("ICN_BENCH_POSTGRES_URL", DEFAULT_URL)
    asyncio.run(measure(url, workers, clients, seconds, rounds))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args()
    main(arguments.workers, arguments.clients, arguments.seconds, arguments.rounds)
