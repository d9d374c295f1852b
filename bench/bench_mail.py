"""Benchmark: notification mail delivery through our sender vs a bare aiosmtplib loop.

    .venv/bin/python bench/bench_mail.py [--messages 2000] [--database-url URL]

A local aiosmtpd sink (loopback, accepts everything, in its own process so that it never competes
with the measured code for the GIL) receives the same N messages twice in the
same run: (a) through ``send_due_mail`` as the worker runs it — claim a batch of 100 with a
lease, send each over one reused SMTP connection, commit each outcome — until the queue is
empty; (b) a bare aiosmtplib loop sending the same message strings over one connection, with no
database. The messages are composed first (from N notifications, one per person) and that time
is printed too. It prints both delivery rates and their ratio. The default database is a fresh
SQLite file; pass a PostgreSQL URL (its public schema is dropped and recreated) to measure that.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosmtplib
from pydantic import SecretStr
from scratch_database import migrated_database
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.events.models import OutboxEvent
from icn_graph.ids import to_global_id
from icn_graph.models import Goal, GoalStatus, Person, PersonKind
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.sender import send_due_mail
from icn_graph.notifications.mail.transport import SmtpTransport, envelope_sender
from icn_graph.notifications.models import (
    DeliveryMode,
    EmailStatus,
    MailStatus,
    Notification,
    OutgoingMail,
)

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def start_sink(port: int) -> subprocess.Popen[bytes]:
    """aiosmtpd's own command line with its Sink handler (accepts and discards every message)."""
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
    sink = subprocess.Popen([*command, "-c", "aiosmtpd.handlers.Sink"])  # noqa: S603
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return sink
        except OSError:
            if time.monotonic() > deadline or sink.poll() is not None:
                sink.kill()
                raise
            time.sleep(0.1)


async def prepare(url: str, messages: int) -> Database:
    database = await migrated_database(url)
    async with database.transaction() as session:
        owner = Person(
            display_name="Maria Lopez",
            email="maria@example.org",
            email_key="maria@example.org",
            kind=PersonKind.CLINICIAN,
            timezone="America/Chicago",
        )
        session.add(owner)
        await session.flush()
        goal = Goal(
            person_id=owner.id,
            title="Reduce steroid use",
            aim="Fewer children on steroids at 90 days.",
            starts_on=NOW.date(),
            due_on=(NOW + timedelta(days=90)).date(),
            status=GoalStatus.ON_TRACK,
            confidence=7,
            created_by_id=owner.id,
            updated_by_id=owner.id,
        )
        session.add(goal)
        people = [
            Person(
                display_name=f"Follower {n:05d}",
                email=f"follower{n}@example.org",
                email_key=f"follower{n}@example.org",
                kind=PersonKind.NURSE,
                timezone="America/New_York",
            )
            for n in range(messages)
        ]
        session.add_all(people)
        await session.flush()
        subject = to_global_id("Goal", goal.id)
        event = OutboxEvent(
            type="goal.checked_in",
            subject_type="Goal",
            subject_pk=goal.id,
            subject_id=subject,
            actor_id=to_global_id("Person", owner.id),
            payload={"status": "ON_TRACK", "confidence": 7},
            occurred_at=NOW,
            dispatched_at=NOW,
            attempts=1,
        )
        session.add(event)
        await session.flush()
        session.add_all(
            Notification(
                person_id=person.id,
                event_id=event.id,
                type=event.type,
                subject_id=subject,
                actor_id=event.actor_id,
                reason="You follow this goal.",
                created_at=NOW,
                delivery=DeliveryMode.IMMEDIATE,
                email_status=EmailStatus.PENDING,
                email_due_at=NOW,
            )
            for person in people
        )
    return database


async def ours(database: Database, settings: Settings) -> float:
    transport = SmtpTransport(settings)
    start = time.perf_counter()
    try:
        while await send_due_mail(database, settings, transport, now=NOW, worker_id="bench"):
            pass
    finally:
        await transport.close()
    return time.perf_counter() - start


async def bare(settings: Settings, messages: list[tuple[str, str]]) -> float:
    sender = envelope_sender(settings)
    client = aiosmtplib.SMTP(hostname=settings.smtp_host, port=settings.smtp_port)
    start = time.perf_counter()
    await client.connect()
    for recipient, message in messages:
        errors, _ = await client.sendmail(sender, [recipient], message)
        assert not errors, errors
    await client.quit()
    return time.perf_counter() - start


async def main(messages: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        database = await prepare(url, messages)
        port = _free_port()
        sink = start_sink(port)
        settings = Settings(  # type: ignore[call-arg]
            database_url=SecretStr(url),
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_tls="none",
            public_url="https://icn.example.org",
            _env_file=None,
        )
        try:
            start = time.perf_counter()
            composed = await compose_due_mail(database, settings, now=NOW, limit=messages)
            compose_seconds = time.perf_counter() - start
            assert composed == messages, composed
            async with database.session() as session:
                rows = (
                    await session.execute(
                        select(OutgoingMail.to_address, OutgoingMail.message).order_by(
                            OutgoingMail.id
                        )
                    )
                ).all()
            queued = [(to, message) for to, message in rows]
            size = sum(len(message) for _, message in queued) / len(queued)

            base_seconds = await bare(settings, queued)
            our_seconds = await ours(database, settings)
            async with database.session() as session:
                sent = await session.scalar(
                    select(func.count()).where(OutgoingMail.status == MailStatus.SENT)
                )
            assert sent == messages, sent
        finally:
            sink.terminate()
            sink.wait(timeout=20)
            await database.dispose()
    backend = make_url(url).get_backend_name()
    print(f"messages: {messages} ({size / 1024:.1f} KiB each, text + HTML); database: {backend}")
    print(f"composing (not compared): {messages / compose_seconds:8.0f} messages/s")
    print(f"bare aiosmtplib, one connection: {messages / base_seconds:8.0f} messages/s")
    print(f"our sender (claim, send, record): {messages / our_seconds:8.0f} messages/s")
    print(f"ratio (our rate / bare rate): {base_seconds / our_seconds:.2f}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.messages, arguments.database_url))
