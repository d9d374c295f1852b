"""Closed-loop HTTP load for the benches: ``clients`` keep-alive connections, each posting the
same request again as soon as its answer has been read, for ``seconds``.

A minimal HTTP/1.1 client on asyncio streams (Content-Length and chunked answers): a Python
client such as httpx costs more CPU per request than a raw Starlette app, and would measure
itself instead of the server on 2 cores.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field

TIMEOUT_SECONDS = 30.0


@dataclass
class Load:
    seconds: float
    latencies: list[float] = field(default_factory=list)  # answered requests only
    errors: int = 0
    reasons: set[str] = field(default_factory=set)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies or [float("nan")]) * 1000

    @property
    def p95_ms(self) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=20)[18] * 1000


def request_bytes(port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status = int((await reader.readline()).split()[1])
    length: int | None = None
    chunked = False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length or 0)
    body = bytearray()
    while size := int((await reader.readline()).split(b";")[0], 16):
        body += await reader.readexactly(size)
        await reader.readline()
    await reader.readline()
    return status, bytes(body)


async def post(port: int, body: bytes, headers: dict[str, str], path: str = "/graphql") -> bytes:
    """One request on a connection of its own: the answer's body (200 expected)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request_bytes(port, path, body, headers))
        status, answer = await read_answer(reader)
    finally:
        writer.close()
    if status != 200:
        raise RuntimeError(f"{status}: {answer[:300]!r}")
    return answer


async def closed_loop(
    port: int, body: bytes, headers: dict[str, str], clients: int, seconds: float
) -> Load:
    """``clients`` connections posting ``body`` one request after another for ``seconds``;
    an answer that is not a 200 with no ``"errors"`` counts as an error."""
    request = request_bytes(port, "/graphql", body, headers)
    load = Load(seconds)
    began = time.monotonic()
    end = began + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.monotonic() < end:
                start = time.perf_counter()
                try:
                    writer.write(request)
                    status, answer = await asyncio.wait_for(read_answer(reader), TIMEOUT_SECONDS)
                except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
                    load.errors += 1
                    load.reasons.add(repr(error))
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                if status == 200 and b'"errors"' not in answer:
                    load.latencies.append(time.perf_counter() - start)
                else:
                    load.errors += 1
                    load.reasons.add(f"{status} {answer[:200]!r}")
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    load.seconds = time.monotonic() - began  # to the last answer of the requests in flight
    return load
