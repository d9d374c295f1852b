"""bench/http_load.py, the load generator of the HTTP benches: it reads Content-Length and chunked
answers on keep-alive connections and counts non-200 answers and GraphQL errors as errors."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture
def http_load() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("http_load")
    finally:
        sys.path.remove(str(BENCH))


async def serve(answers: list[bytes]) -> tuple[asyncio.Server, int]:
    """A keep-alive HTTP/1.1 server giving ``answers`` in turn, one per request read."""
    turn = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal turn
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                await reader.readexactly(length)
                writer.write(answers[turn % len(answers)])
                turn += 1
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


OK = b'{"data":{"a":1}}'
CONTENT_LENGTH = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(OK), OK)
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"8\r\n" + OK[:8] + b"\r\n" + b"%x\r\n" % (len(OK) - 8) + OK[8:] + b"\r\n0\r\n\r\n"
)
GRAPHQL_ERROR = b'HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n{"errors":[{}]}\r\n'
SERVER_ERROR = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\nno"


async def test_both_framings_are_read_and_errors_counted(http_load: ModuleType) -> None:
    server, port = await serve([CONTENT_LENGTH, CHUNKED])
    async with server:
        assert await http_load.post(port, b"{}", {}) == OK
        assert await http_load.post(port, b"{}", {}) == OK
        load = await http_load.closed_loop(port, b"{}", {"Authorization": "Bearer x"}, 3, 0.3)
    assert len(load.latencies) > 10
    assert load.errors == 0
    assert load.per_second > 0

    server, port = await serve([CONTENT_LENGTH, GRAPHQL_ERROR, SERVER_ERROR])
    async with server:
        load = await http_load.closed_loop(port, b"{}", {}, 1, 0.3)
    answered = len(load.latencies)
    assert answered > 3
    assert load.errors in (2 * answered - 2, 2 * answered - 1, 2 * answered)
    assert any(reason.startswith("500 ") for reason in load.reasons)
