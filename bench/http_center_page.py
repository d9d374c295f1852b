"""Benchmark: a center page (center, team, goals with key results) over real HTTP from one
``icn-graph serve`` process vs raw Starlette + asyncpg + orjson serving the same JSON
(bench/raw_center_app.py), and beside them a bare Strawberry app serving the same page from
memory (bench/strawberry_center_app.py: the floor of our stack, with no database, auth or
limits) and PostGraphile serving the same PostgreSQL tables for an equivalent query ("what a
user would pick instead"; npm, bench only).

    ICN_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench \\
        .venv/bin/python bench/http_center_page.py [--clients 10] [--seconds 5] [--rounds 3]

The database is emptied, migrated and loaded with the demo network (few registry visits: the
page reads none); the page is the center with the most goals. The servers run side by side,
each one process; the answers of ours, the raw app and bare Strawberry are checked equal, then
each takes its turn of ``--clients`` closed-loop keep-alive clients for ``--seconds`` (ours, raw,
PostGraphile, bare Strawberry, ours, raw, ...) and the median requests/s of each is compared.
PostGraphile (bench/postgraphile/package.json) is installed with ``npm ci`` on first use; without
node and npm, or when the install fails, it is skipped with a message. The load runs in this
process, on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import IO, Any

import asyncpg  # type: ignore[import-untyped]
import orjson
from figures import Figure
from http_load import Load, closed_loop, post
from scratch_database import migrated_database
from sqlalchemy import make_url, text

from icn_graph.db.database import Database
from icn_graph.demo import SMALL_VISIT_SCALE, load_demo
from icn_graph.host import core_host
from icn_graph.ids import to_global_id
from icn_graph.services.tokens import issue_token

BENCH = Path(__file__).resolve().parent
POSTGRAPHILE = BENCH / "postgraphile"
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench"
START_SECONDS = 120.0
TARGET = 0.25  # issue 16: at least a quarter of the raw app's requests/s
RAW_NAME = "raw Starlette + asyncpg + orjson"

QUERY = """query CenterPage($id: ID!) { node(id: $id) { ... on Center {
  name shortCode city region country status
  members { role person { displayName kind } }
  goals(first: 20) { edges { node { title status confidence startsOn dueOn
    keyResults { title unit startValue targetValue } } } } } } }"""

# The same page from PostGraphile's generated schema (same tables, order and page size).
POSTGRAPHILE_QUERY = """query CenterPage($id: Int!) { centerById(id: $id) {
  name shortCode city region country status
  membershipsByCenterId(orderBy: [SINCE_ASC, ID_ASC]) {
    nodes { role personByPersonId { displayName kind } } }
  goalsByCenterId(first: 20, orderBy: [DUE_ON_ASC, ID_ASC], condition: {archivedAt: null}) {
    nodes { title status confidence startsOn dueOn
      keyResultsByGoalId(orderBy: [POSITION_ASC, ID_ASC]) {
        nodes { title unit startValue targetValue } } } } } }"""

BUSIEST_CENTER = """SELECT g.center_id FROM goals g
  WHERE g.center_id IS NOT NULL AND g.archived_at IS NULL
  GROUP BY g.center_id ORDER BY count(*) DESC, g.center_id LIMIT 1"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def dsn(url: str) -> str:
    """The libpq form of an SQLAlchemy URL (for asyncpg and node)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def ours_command(url: str, port: int, workers: int) -> tuple[list[str], dict[str, str]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ICN_")}
    env |= {
        "ICN_DATABASE_URL": url,
        "ICN_PLUGINS": "core",
        "ICN_LOG_LEVEL": "WARNING",
        # One token makes all the load here: its cost budget would throttle it.
        "ICN_COST_RESTORE_RATE": "1000000000",
        "ICN_SECRET_KEY": secrets.token_urlsafe(48),
        "ICN_PATIENT_KEY_SECRET": secrets.token_urlsafe(48),
    }
    command = [sys.executable, "-m", "icn_graph", "serve", "--port", str(port)]
    return [*command, "--workers", str(workers)], env


def raw_command(url: str, port: int, workers: int) -> tuple[list[str], dict[str, str]]:
    command = [sys.executable, str(BENCH / "raw_center_app.py"), str(port), dsn(url)]
    return [*command, str(workers)], dict(os.environ)


async def ready(
    name: str, port: int, process: subprocess.Popen[bytes], log: IO[bytes], path: str
) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            answer = await reader.read()
            writer.close()
            if answer.startswith(b"HTTP/1.1 200" if path == "/readyz" else b"HTTP/1.1 "):
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    log.flush()
    log.seek(0)
    text = log.read().decode(errors="replace")[-3000:]
    raise RuntimeError(f"{name} did not start:\n{text}")


@asynccontextmanager
async def server(
    command: list[str], env: dict[str, str], port: int, ready_path: str = "/readyz"
) -> AsyncIterator[int]:
    """A server process, ready, stopped (SIGTERM, then SIGKILL) on the way out."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603, ASYNC220 (started once, before any load)
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            await ready(command[0], port, process, log, ready_path)
            yield port
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, 30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                await asyncio.to_thread(process.wait, 30)


def strawberry_command(page_file: str, port: int) -> tuple[list[str], dict[str, str]]:
    command = [sys.executable, str(BENCH / "strawberry_center_app.py"), str(port), page_file]
    return command, dict(os.environ)


def postgraphile_binary(folder: Path = POSTGRAPHILE) -> tuple[Path | None, str]:
    """PostGraphile's CLI, installed by ``npm ci`` on first use, or why it is not there."""
    binary = folder / "node_modules" / ".bin" / "postgraphile"
    stamp = folder / "node_modules" / ".installed"
    lock = folder / "package-lock.json"
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None, "node and npm are not on PATH"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime and binary.exists():
        return binary, ""
    print("   npm ci in bench/postgraphile (once)", flush=True)
    done = subprocess.run(  # noqa: S603
        [npm, "ci", "--prefix", str(folder), "--no-audit", "--no-fund", "--silent"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0 or not binary.exists():
        return None, f"npm ci failed: {(done.stderr or done.stdout).strip()[-300:]}"
    stamp.touch()
    return binary, ""


def postgraphile_command(binary: Path, url: str, port: int) -> tuple[list[str], dict[str, str]]:
    command = [str(binary), "--connection", dsn(url), "--schema", "public"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--disable-query-log"]
    return command, {**os.environ, "NODE_ENV": "production"}


def same_page(ours: dict[str, Any], postgraphile: dict[str, Any]) -> bool:
    """PostGraphile's answer has the page's goals and key results (in its own shape)."""
    center = postgraphile["data"]["centerById"]
    goals = center["goalsByCenterId"]["nodes"]
    expected = ours["data"]["node"]["goals"]["edges"]
    return [goal["title"] for goal in goals] == [edge["node"]["title"] for edge in expected] and [
        len(goal["keyResultsByGoalId"]["nodes"]) for goal in goals
    ] == [len(edge["node"]["keyResults"]) for edge in expected]


async def demo_network(url: str, *, reuse: bool) -> str:
    """The demo network in ``url`` with few registry visits (the page reads none): loaded into
    the emptied database, or the one already there when ``reuse``. A staff member's token."""
    database = Database.from_url(url)
    try:
        loaded = False
        if reuse:
            async with database.session() as session:
                loaded = await session.scalar(text("SELECT to_regclass('goals') IS NOT NULL"))
                if loaded:
                    loaded = bool(await session.scalar(text("SELECT count(*) FROM goals")))
        if not loaded:
            await database.dispose()
            database = await migrated_database(url)
            await load_demo(database, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE)
        return (await issue_token(database, "staff@network.example.org")).secret
    finally:
        await database.dispose()


async def page_request(url: str, *, reuse: bool = False) -> tuple[int, bytes, dict[str, str]]:
    """The demo network in ``url`` (see ``demo_network``); the busiest center, its page's POST
    body and the headers of a staff member's token."""
    token = await demo_network(url, reuse=reuse)
    connection = await asyncpg.connect(dsn(url))
    try:
        center_id: int = await connection.fetchval(BUSIEST_CENTER)
    finally:
        await connection.close()
    body = orjson.dumps({"query": QUERY, "variables": {"id": to_global_id("Center", center_id)}})
    return center_id, body, {"Authorization": f"Bearer {token}"}


async def measure(
    url: str, clients: int, seconds: float, rounds: int, with_postgraphile: bool
) -> tuple[dict[str, list[Load]], str, str]:
    """Each server's loads, in turns; what the page holds; why PostGraphile is not there."""
    start = time.perf_counter()
    center_id, body, headers = await page_request(url)
    print(f"   demo network loaded in {time.perf_counter() - start:.0f} s", flush=True)
    bodies = {"ours": body, "raw": body}
    ports = {"ours": free_port(), "raw": free_port()}
    commands = {
        "ours": ours_command(url, ports["ours"], 1),
        "raw": raw_command(url, ports["raw"], 1),
    }
    missing = "not asked for"
    if with_postgraphile:
        start = time.perf_counter()
        binary, missing = await asyncio.to_thread(postgraphile_binary)
        print(f"   PostGraphile ready in {time.perf_counter() - start:.0f} s", flush=True)
        if binary is not None:
            ports["postgraphile"] = free_port()
            commands["postgraphile"] = postgraphile_command(binary, url, ports["postgraphile"])
            bodies["postgraphile"] = orjson.dumps(
                {"query": POSTGRAPHILE_QUERY, "variables": {"id": center_id}}
            )
    start = time.perf_counter()
    async with AsyncExitStack() as stack:
        for name, (command, env) in commands.items():
            path = "/graphql" if name == "postgraphile" else "/readyz"
            try:
                await stack.enter_async_context(server(command, env, ports[name], path))
            except RuntimeError as error:
                if name != "postgraphile":
                    raise
                lines = [line for line in str(error).splitlines()[1:] if line.strip()]
                missing = f"PostGraphile did not start: {(lines or ['no output'])[-1][:200]}"
                del bodies["postgraphile"]
        print(f"   servers started in {time.perf_counter() - start:.0f} s", flush=True)
        answers = {
            name: orjson.loads(await post(ports[name], bodies[name], headers)) for name in bodies
        }
        assert answers["ours"]["data"] == answers["raw"]["data"], (answers["ours"], answers["raw"])
        if "postgraphile" in answers and not same_page(answers["ours"], answers["postgraphile"]):
            raise AssertionError(f"PostGraphile's page differs: {answers['postgraphile']}")
        page = answers["ours"]["data"]["node"]
        page_file = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "page.json"
        page_file.write_bytes(orjson.dumps(answers["ours"]))
        ports["strawberry"] = free_port()
        floor = strawberry_command(str(page_file), ports["strawberry"])
        await stack.enter_async_context(server(*floor, ports["strawberry"]))
        bodies["strawberry"] = body
        floor_answer = orjson.loads(await post(ports["strawberry"], body, headers))
        assert floor_answer == {"data": answers["ours"]["data"]}, floor_answer
        shape = (
            f"{len(page['members'])} members, {len(page['goals']['edges'])} goals with "
            f"{sum(len(edge['node']['keyResults']) for edge in page['goals']['edges'])} key results"
        )
        for name in bodies:  # warm each: imports, caches and pools
            await closed_loop(ports[name], bodies[name], headers, 2, 1.0)
        loads: dict[str, list[Load]] = {name: [] for name in bodies}
        for round_number in range(1, rounds + 1):
            for name in bodies:
                load = await closed_loop(ports[name], bodies[name], headers, clients, seconds)
                loads[name].append(load)
                print(
                    f"   round {round_number} {name:<13} {load.per_second:8.1f} requests/s  "
                    f"p50 {load.p50_ms:7.1f} ms  p95 {load.p95_ms:7.1f} ms  errors {load.errors}",
                    flush=True,
                )
                for reason in sorted(load.reasons)[:2]:
                    print(f"     error: {reason}", flush=True)
    return loads, shape, missing


def median_rate(loads: list[Load]) -> float:
    return statistics.median(load.per_second for load in loads)


def figures(quick: bool) -> list[Figure]:
    """``make bench``: req/s of ours / the raw app (target 0.25x), and / PostGraphile."""
    clients, seconds, rounds = (10, 4.0, 3) if quick else (10, 10.0, 5)
    url = os.environ.get("ICN_BENCH_POSTGRES_URL", DEFAULT_URL)
    loads, shape, missing = asyncio.run(measure(url, clients, seconds, rounds, True))
    ours = median_rate(loads["ours"])
    note = (
        f"{shape}; {clients} keep-alive clients, median of {rounds} interleaved turns of "
        f"{seconds:g} s"
    )
    result = [
        Figure(
            "HTTP center page, 1 process",
            ours,
            median_rate(loads["raw"]),
            "req/s",
            RAW_NAME + ", 1 process",
            higher_is_better=True,
            target=TARGET,
            note=note,
            errors=sum(load.errors for load in loads["ours"] + loads["raw"]),
        )
    ]
    result.append(
        Figure(
            "HTTP center page vs bare Strawberry",
            ours,
            median_rate(loads["strawberry"]),
            "req/s",
            "bare Strawberry, same page from memory, 1 process",
            higher_is_better=True,
            target=None,
            note=(
                "the floor of our stack: Strawberry and uvicorn with no database, auth or "
                "limits (bench/strawberry_center_app.py)"
            ),
            errors=sum(load.errors for load in loads["strawberry"]),
        )
    )
    if "postgraphile" in loads:
        result.append(
            Figure(
                "HTTP center page vs PostGraphile",
                ours,
                median_rate(loads["postgraphile"]),
                "req/s",
                "PostGraphile 4 (node), 1 process",
                higher_is_better=True,
                target=None,
                note="what a user would pick instead; same tables, same page",
                errors=sum(load.errors for load in loads["postgraphile"]),
            )
        )
    else:
        print(f"   PostGraphile skipped: {missing}", flush=True)
        result[0] = dataclasses.replace(
            result[0], note=f"{note}; PostGraphile skipped: {missing.splitlines()[0]}"
        )
    return result


def main(clients: int, seconds: float, rounds: int, with_postgraphile: bool) -> None:
    url = os.environ.get("ICN_BENCH_POSTGRES_URL", DEFAULT_URL)
    loads, shape, missing = asyncio.run(measure(url, clients, seconds, rounds, with_postgraphile))
    print(f"page: {shape}; {clients} clients; median of {rounds} turns of {seconds:g} s")
    ours = median_rate(loads["ours"])
    for name, runs in loads.items():
        rate = median_rate(runs)
        print(f"{name:<13} {rate:8.1f} requests/s  ours / it {ours / rate:.2f}x")
    if "postgraphile" not in loads:
        print(f"PostGraphile skipped: {missing}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-postgraphile", action="store_true")
    arguments = parser.parse_args()
    main(arguments.clients, arguments.seconds, arguments.rounds, not arguments.no_postgraphile)
