"""Benchmark: one event reaching 1,000 websocket subscribers, vs a bare websocket broadcast.

    ICN_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench_live \\
        .venv/bin/python bench/live_fanout.py [--subscribers 1000] [--rounds 5]

PostgreSQL only (the event is committed by this process and reaches the API process through
``LISTEN/NOTIFY``, as from a worker or another API process). The database is emptied and
migrated (point it at a scratch database; by default ``icn_bench_live``, created if missing).
It seeds ``--subscribers`` people with a token each, a center and an actor, then starts:

- **ours**: ``icn-graph serve`` (one process), with every person subscribed to
  ``notificationAdded`` (id, type, kind, reason, createdAt, summary, subjectId, url) over
  graphql-transport-ws;
- **anchor**: a plain Starlette app whose ``POST /broadcast`` sends its body to every open
  websocket, one after another (a bare broadcast), with as many sockets open.

Rounds alternate (ours, anchor, ours, anchor, ...). A round of ours writes one event and a
notification of it for every subscriber in one transaction (as fan-out does) and starts the
clock just before that transaction commits; a round of the anchor starts the clock just before
it posts the same payload as ours sent. A subscriber's latency is when its message arrived; the
figure is the p99 over every subscriber of every round. The clients run in this process on the
same machine: they take some of the CPU being measured, from both sides alike.

``figures(quick)`` is what ``make bench`` reads: quick is 500 subscribers and 2 rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
from sqlalchemy import insert, make_url, select
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figure, Skipped
from scratch_database import empty_schema

from icn_graph.db.database import Database
from icn_graph.events.models import OutboxEvent
from icn_graph.ids import to_global_id
from icn_graph.models import ApiToken, Center, Membership, Person, PersonKind
from icn_graph.models.memberships import CenterRole
from icn_graph.notifications.models import DeliveryMode, EmailStatus, Notification
from icn_graph.notifications.realtime.announce import announce_notifications
from icn_graph.services.tokens import hash_token, new_secret

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench_live"
TARGET_P99_MS = 250.0
START_SECONDS = 120.0
ROUND_TIMEOUT = 60.0
TRANSPORT_WS = Subprotocol("graphql-transport-ws")
SUBSCRIPTION = (
    "subscription { notificationAdded { id type kind reason createdAt summary subjectId url } }"
)

ANCHOR_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute

sockets = set()

async def subscribe(websocket):
    await websocket.accept()
    sockets.add(websocket)
    try:
        while True:
            await websocket.receive_text()
    except Exception:
        pass
    finally:
        sockets.discard(websocket)

async def broadcast(request):
    payload = (await request.body()).decode()
    for websocket in list(sockets):
        await websocket.send_text(payload)
    return PlainTextResponse(str(len(sockets)))

async def healthz(request):
    return PlainTextResponse("ok")

app = Starlette(routes=[
    WebSocketRoute("/ws", subscribe),
    Route("/broadcast", broadcast, methods=["POST"]),
    Route("/healthz", healthz),
])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def raw_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def ensure_database(url: str) -> None:
    """Create ``url``'s database if it does not exist (connecting to ``postgres``)."""
    parsed = make_url(url)
    try:
        connection = await asyncpg.connect(raw_url(url))
    except asyncpg.InvalidCatalogNameError:
        admin = await asyncpg.connect(
            raw_url(parsed.set(database="postgres").render_as_string(False))
        )
        try:
            await admin.execute(f'CREATE DATABASE "{parsed.database}"')
        finally:
            await admin.close()
    else:
        await connection.close()


@dataclass
class World:
    db: Database
    actor_id: int
    center_id: int
    people: list[int]
    tokens: list[str]


def environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ICN_DATABASE_URL": url,
        "ICN_LOG_LEVEL": "WARNING",
        "ICN_DEMO": "false",
        "ICN_SECRET_KEY": SECRET_KEY,
        "ICN_PATIENT_KEY_SECRET": PATIENT_KEY_SECRET,
    }


ICN_GRAPH = str(Path(sys.executable).with_name("icn-graph"))
SECRET_KEY = secrets.token_urlsafe(48)
PATIENT_KEY_SECRET = secrets.token_urlsafe(48)


async def seed(url: str, subscribers: int) -> World:
    await ensure_database(url)
    await empty_schema(url)
    # Core's and every installed plugin's migrations, as an operator runs them.
    await asyncio.to_thread(
        subprocess.run, [ICN_GRAPH, "db", "upgrade"], env=environment(url), check=True
    )
    db = Database.from_url(url)
    async with db.transaction() as session:
        center = Center(
            name="Bench Center",
            short_code="BENCH",
            city="Cincinnati",
            region="OH",
            country="US",
            joined_on=date(2007, 1, 1),
        )
        session.add(center)
        await session.flush()
        center_id = center.id
        actor = Person(
            display_name="Maria Lopez",
            email="maria@bench.example.org",
            email_key="maria@bench.example.org",
            kind=PersonKind.CLINICIAN,
            timezone="America/New_York",
        )
        session.add(actor)
        await session.flush()
        actor_id = actor.id
        rows = [
            {
                "display_name": f"Subscriber {n:04d}",
                "email": f"subscriber{n}@bench.example.org",
                "email_key": f"subscriber{n}@bench.example.org",
                "kind": PersonKind.PARENT_PARTNER,
                "timezone": "America/New_York",
            }
            for n in range(subscribers)
        ]
        await session.execute(insert(Person), rows)
        people = list(
            await session.scalars(
                select(Person.id).where(Person.id != actor_id).order_by(Person.id)
            )
        )
        await session.execute(
            insert(Membership),
            [
                {
                    "person_id": person_id,
                    "center_id": center_id,
                    "role": CenterRole.PARENT_PARTNER,
                    "since": date(2015, 1, 1),
                }
                for person_id in people
            ],
        )
        tokens = [new_secret() for _ in people]
        now = datetime.now(UTC)
        await session.execute(
            insert(ApiToken),
            [
                {
                    "person_id": person_id,
                    "token_hash": hash_token(token),
                    "label": "bench",
                    "last_used_at": now,
                }
                for person_id, token in zip(people, tokens, strict=True)
            ],
        )
    return World(db, actor_id, center_id, people, tokens)


async def write_event(world: World, started: list[float]) -> None:
    """One event and a notification of it for every subscriber, announced; the clock starts
    just before the commit (the inserts are fan-out's cost, not delivery's)."""
    now = datetime.now(UTC)
    subject_id = to_global_id("Center", world.center_id)
    async with world.db.transaction() as session:
        event = OutboxEvent(
            type="goal.checked_in",
            subject_type="Center",
            subject_pk=world.center_id,
            subject_id=subject_id,
            payload={},
            occurred_at=now,
            dispatched_at=now,
            attempts=0,
        )
        session.add(event)
        await session.flush()
        rows = [
            Notification(
                person_id=person_id,
                event_id=event.id,
                type=event.type,
                subject_id=subject_id,
                actor_id=to_global_id("Person", world.actor_id),
                reason="You are on this center's team.",
                created_at=now,
                delivery=DeliveryMode.OFF,
                email_status=EmailStatus.NONE,
            )
            for person_id in world.people
        ]
        session.add_all(rows)
        await session.flush()
        await announce_notifications(session, rows)
        started.append(time.perf_counter())


@dataclass
class Listeners:
    """Many websocket clients; each records when a message arrives during a round."""

    expected: int
    arrivals: list[float] = field(default_factory=list)
    last_message: str = ""
    done: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    sockets: list[ClientConnection] = field(default_factory=list)

    def start_round(self) -> None:
        self.arrivals = []
        self.done.clear()

    async def listen(self, ws: ClientConnection) -> None:
        async for message in ws:
            self.arrivals.append(time.perf_counter())
            self.last_message = message if isinstance(message, str) else message.decode()
            if len(self.arrivals) >= self.expected:
                self.done.set()

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


async def subscribe_ours(base: str, tokens: list[str]) -> Listeners:
    listeners = Listeners(len(tokens))
    url = base.replace("http://", "ws://") + "/graphql"

    async def one(token: str) -> None:
        ws = await connect(url, subprotocols=[TRANSPORT_WS], open_timeout=START_SECONDS)
        payload = {"Authorization": f"Bearer {token}"}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await ws.recv())
        assert ack == {"type": "connection_ack"}, ack
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        )
        # A ping answered after the subscribe: the server has read it (and registered it).
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv()) == {"type": "pong"}
        listeners.sockets.append(ws)
        listeners.tasks.append(asyncio.create_task(listeners.listen(ws)))

    for start in range(0, len(tokens), 50):
        await asyncio.gather(*(one(token) for token in tokens[start : start + 50]))
    return listeners


async def subscribe_anchor(base: str, count: int) -> Listeners:
    listeners = Listeners(count)
    url = base.replace("http://", "ws://") + "/ws"

    async def one() -> None:
        ws = await connect(url, open_timeout=START_SECONDS)
        listeners.sockets.append(ws)
        listeners.tasks.append(asyncio.create_task(listeners.listen(ws)))

    for start in range(0, count, 50):
        await asyncio.gather(*(one() for _ in range(min(50, count - start))))
    return listeners


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603


async def ready(base: str, path: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"{base} exited:\n{await asyncio.to_thread(output, log)}")
            try:
                if (await http.get(path)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"{base} never became ready:\n{await asyncio.to_thread(output, log)}")


def output(log: Path) -> str:
    return log.read_text(errors="replace")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


@dataclass
class Measured:
    ours: list[float] = field(default_factory=list)  # ms, every subscriber of every round
    anchor: list[float] = field(default_factory=list)
    ours_missing: int = 0
    anchor_missing: int = 0


async def measure(url: str, subscribers: int, rounds: int) -> Measured:
    world = await seed(url, subscribers)
    measured = Measured()
    workdir = Path(tempfile.mkdtemp(prefix="icn-live-fanout-"))
    ours_port, anchor_port = free_port(), free_port()
    env = environment(url)
    ours_log, anchor_log = workdir / "ours.log", workdir / "anchor.log"
    ours = start(
        [ICN_GRAPH, "serve", "--host", "127.0.0.1", "--port", str(ours_port)], env, ours_log
    )
    anchor = start([sys.executable, "-c", ANCHOR_APP, str(anchor_port)], env, anchor_log)
    ours_base = f"http://127.0.0.1:{ours_port}"
    anchor_base = f"http://127.0.0.1:{anchor_port}"
    ours_clients: Listeners | None = None
    anchor_clients: Listeners | None = None
    try:
        await ready(ours_base, "/readyz", ours, ours_log)
        await ready(anchor_base, "/healthz", anchor, anchor_log)
        ours_clients = await subscribe_ours(ours_base, world.tokens)
        anchor_clients = await subscribe_anchor(anchor_base, subscribers)
        async with httpx.AsyncClient(base_url=anchor_base, timeout=ROUND_TIMEOUT) as http:
            for _ in range(rounds + 1):  # the first pair warms both up and is not counted
                warm = _ == 0
                started: list[float] = []
                ours_clients.start_round()
                await write_event(world, started)
                await _wait(ours_clients)
                if not warm:
                    measured.ours += [(t - started[0]) * 1000 for t in ours_clients.arrivals]
                    measured.ours_missing += subscribers - len(ours_clients.arrivals)
                await asyncio.sleep(0.5)
                payload = ours_clients.last_message
                anchor_clients.start_round()
                began = time.perf_counter()
                await http.post("/broadcast", content=payload)
                await _wait(anchor_clients)
                if not warm:
                    measured.anchor += [(t - began) * 1000 for t in anchor_clients.arrivals]
                    measured.anchor_missing += subscribers - len(anchor_clients.arrivals)
                await asyncio.sleep(0.5)
    finally:
        for clients in (ours_clients, anchor_clients):
            if clients is not None:
                await clients.close()
        stop(ours)
        stop(anchor)
        await world.db.dispose()
    return measured


async def _wait(listeners: Listeners) -> None:
    """Until every subscriber has its message (or ROUND_TIMEOUT: the missing are reported)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(listeners.done.wait(), ROUND_TIMEOUT)


def figures(quick: bool) -> list[Figure]:
    subscribers, rounds = (500, 2) if quick else (1000, 5)
    return figures_for(subscribers, rounds)


def figures_for(subscribers: int, rounds: int) -> list[Figure]:
    url = os.environ.get("ICN_BENCH_POSTGRES_URL", DEFAULT_URL)
    if make_url(url).get_backend_name() != "postgresql":
        raise Skipped("live fan-out needs PostgreSQL (LISTEN/NOTIFY across processes)")
    try:
        asyncio.run(ensure_database(url))
    except (OSError, asyncpg.PostgresError) as error:
        raise Skipped(f"PostgreSQL is not reachable: {error}") from error
    print(f"live fan-out: {subscribers} subscribers, {rounds} rounds", file=sys.stderr)
    measured = asyncio.run(measure(url, subscribers, rounds))
    ours, anchor = p99(measured.ours), p99(measured.anchor)
    note = (
        f"p99 {ours:.0f} ms (target <= {TARGET_P99_MS:.0f} ms: "
        f"{'met' if ours <= TARGET_P99_MS else 'NOT met'}), p50 "
        f"{statistics.median(measured.ours):.0f} ms; anchor p99 {anchor:.0f} ms; "
        f"{subscribers} subscribers x {rounds} rounds, PostgreSQL"
    )
    if measured.ours_missing or measured.anchor_missing:
        note += f"; NOT DELIVERED: ours {measured.ours_missing}, anchor {measured.anchor_missing}"
    return [
        Figure(
            name=f"one event to {subscribers} websocket subscribers, p99",
            ours=ours,
            anchor=anchor,
            unit="ms",
            anchor_name="bare websocket broadcast (plain Starlette)",
            higher_is_better=False,
            target=None,
            note=note,
            absolute_target=TARGET_P99_MS,
            errors=measured.ours_missing,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    for figure in figures_for(arguments.subscribers, arguments.rounds):
        print(f"{figure.name}")
        print(f"  ours   {figure.ours:8.1f} {figure.unit}")
        print(f"  anchor {figure.anchor:8.1f} {figure.unit} ({figure.anchor_name})")
        print(f"  ratio  {figure.ratio:8.2f}x")
        print(f"  {figure.note}")


if __name__ == "__main__":
    main()
