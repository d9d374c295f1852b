"""``/healthz`` keeps answering while a request stalls or a huge body arrives, through a real
server process (uvicorn in a subprocess on a free port). Assertions are about order (health
answered before the heavy request finished), never about how long anything took."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import httpx
import pytest

from icn_graph.testing import free_port
from tests.web.test_limits import (
    FULL_INTROSPECTION,
    chain_attack,
    introspection_attack,
    nodes_attack,
)

ROOT = Path(__file__).resolve().parents[2]
MEGABYTE = 1_000_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real server (SQLite, core and the stall plugin, 3-second query timeout)."""
    folder = tmp_path_factory.mktemp("limits-server")
    port = free_port()
    env = os.environ | {
        "ICN_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'limits.db'}",
        "ICN_LOG_LEVEL": "WARNING",
        "ICN_REQUEST_TIMEOUT": "3",
        # Room for several heavy (but allowed) requests from the one client address.
        "ICN_COST_BUDGET": "200000",
    }
    subprocess.run(
        [sys.executable, "-m", "icn_graph", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "tests.web.limits_server_app:make_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urlopen(f"{base}/readyz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


async def graphql(http: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_health_answers_while_a_request_stalls(server: str) -> None:
    finished: list[str] = []
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:

        async def stalled() -> dict[str, Any]:
            body = await graphql(http, "{ stall }")
            finished.append("stalled request")
            return body

        heavy = asyncio.create_task(stalled())
        # Wait until the server is inside the stalled request (it says so itself)...
        while True:
            body = await graphql(http, "{ stallsInProgress }")
            if body["data"] == {"stallsInProgress": 1}:
                break
            assert not heavy.done(), heavy.result()
            await asyncio.sleep(0.05)
        # ...then the health probe answers before the stalled request has finished.
        health = await http.get("/healthz")
        finished.append("health")
        assert health.json() == {"status": "ok"}
        body = await heavy

    assert finished == ["health", "stalled request"]
    [error] = body["errors"]
    assert error["extensions"]["code"] == "TIMEOUT"


async def test_a_twenty_megabyte_comment_is_refused_early_while_health_answers(
    server: str,
) -> None:
    host, port = server.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )

    def chunk(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n"

    piece = b"#" * 100_000
    sent = 0
    writer.write(chunk(b'{"query": "'))
    for _ in range(5):  # half a megabyte: under the limit, the body still coming
        writer.write(chunk(piece))
        sent += len(piece)
    await writer.drain()
    finished: list[str] = []
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        health = await http.get("/healthz")
    finished.append("health")
    assert health.json() == {"status": "ok"}

    # The rest of the 20 MB, a chunk at a time, until the server answers and stops reading.
    async def read_answer() -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        return head + (await reader.readexactly(int(length.group(1))) if length else b"")

    response = asyncio.create_task(read_answer())
    try:
        while sent < 20 * MEGABYTE and not response.done():
            writer.write(chunk(piece))
            sent += len(piece)
            await writer.drain()
            await asyncio.wait([response], timeout=0.02)
    except ConnectionError:
        pass  # the server closed the connection after answering
    try:
        answer: bytes | None = await response
    except (ConnectionError, asyncio.IncompleteReadError):
        # The server answered and closed while more of the body was on its way; the reset that
        # the unread bytes caused can discard the answer before it is read. It stopped reading.
        answer = None
    finished.append("heavy request")
    writer.close()

    assert sent < 20 * MEGABYTE  # refused while reading, long before the end
    assert finished == ["health", "heavy request"]
    if answer is not None:
        head, _, rest = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413"), head
        assert json.loads(rest)["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_declared_huge_body_is_refused_before_it_is_sent(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"
    )
    await writer.drain()
    answer = await reader.read(65_536)  # nothing of the body was sent
    writer.close()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


@pytest.mark.parametrize("attack", [chain_attack, nodes_attack], ids=["chain", "nodes"])
async def test_the_attack_queries_are_refused_by_a_real_server(server: str, attack: object) -> None:
    assert callable(attack)
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        body = await graphql(http, attack())
        health = await http.get("/healthz")
    [error] = body["errors"]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["data"] is None
    assert health.status_code == 200


async def test_the_reviews_introspection_attack_is_refused_by_a_real_server(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        body = await graphql(http, introspection_attack())
    [error] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "selects it 15 times" in error["message"]
    assert body["data"] is None


async def post_raw(server: str, query: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Sends a whole POST on a connection of its own; its answer is for the caller to read (and
    the connection to close)."""
    host, port = server.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    body = json.dumps({"query": query}).encode()
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nAccept-Encoding: identity\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    await writer.drain()
    return reader, writer


def heavy_introspection(name: str) -> str:
    """Introspection within the limits, but heavy: every type's full description, three times
    over (about 16,000 points, a few tenths of a second). Named its own, so that no answer is
    kept."""
    fragments = FULL_INTROSPECTION[FULL_INTROSPECTION.index("fragment ") :]
    aliased = " ".join(f"t{n}: types {{ ...FullType }}" for n in range(3))
    return f"query {name} {{ __schema {{ {aliased} }} }}\n{fragments}"


async def test_health_answers_while_introspection_is_computed(server: str) -> None:
    finished: list[str] = []

    async def answer(name: str, reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")  # the server has computed the answer
        finished.append(name)
        return head + await reader.read()  # it closes the connection after the body

    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        connections = [await post_raw(server, heavy_introspection(f"Heavy{n}")) for n in range(2)]
        answers = [
            asyncio.create_task(answer(f"introspection {n}", reader))
            for n, (reader, _) in enumerate(connections)
        ]
        # Once one is answered, the server is computing the next when the health probe comes...
        await asyncio.wait(answers, return_when=asyncio.FIRST_COMPLETED)
        health = await http.get("/healthz")
        finished.append("health")
        responses = await asyncio.gather(*answers)
    for _, writer in connections:
        writer.close()

    # ...and health is answered before it: introspection is computed off the event loop.
    assert len(finished) == 3
    assert finished[1] == "health", finished
    assert health.json() == {"status": "ok"}
    for response in responses:
        head, _, body = response.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        answered = json.loads(body)
        assert "errors" not in answered, answered["errors"]
        assert len(answered["data"]["__schema"]["t2"]) > 200
