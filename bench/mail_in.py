"""Benchmark: replies by email through ``mail-in`` vs parsing them and inserting the text.

    .venv/bin/python bench/mail_in.py [--messages 2000] [--rounds 10] [--database-url URL]

N people each reply once to their notification about a goal (a Gmail-style reply: two
paragraphs, a signature, "On ... wrote:" and a quoted notification; about 2 KiB). A tiny
plugin registers a reply handler for goals that adds the text as a check-in.

- **ours**: ``MailReceiver.receive(raw)``, what ``icn-graph mail-in`` does with the bytes it
  reads on stdin: parse, duplicate check, auto-reply check, token, sender verification, rate
  limit, attachment check, quote and signature stripping, then the handler and the
  ``inbound_mail`` record in one transaction.
- **baseline**: the stdlib email parser alone (``BytesParser(policy=default)``, the plain body)
  and a raw INSERT of that body as a check-in, one transaction per message.

The two run interleaved in ``--rounds`` rounds (baseline on a slice, then ours on the same
slice's messages), so a noisy machine slows both alike; it prints each path's messages/s
(median over rounds) and the ratio. The per-process start-up of the CLI (Python imports,
loading plugins) is measured once, apart: a pipe transport pays it per message. The default
database is a fresh SQLite file; a PostgreSQL URL has its public schema dropped and recreated.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import Path

from pydantic import SecretStr
from scratch_database import migrated_database
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.ids import parse_global_id, to_global_id
from icn_graph.models import CheckIn, Goal, GoalStatus, Person, PersonKind
from icn_graph.notifications.mail.reply_address import reply_address
from icn_graph.notifications.mail_in.receive import MailReceiver
from icn_graph.notifications.models import InboundOutcome
from icn_graph.notifications.reply_handlers import InboundReply, ReplyHandler
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.services.viewer import Viewer

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
DOMAIN = "reply.icn.example.org"
SECRET = "bench-secret-key-" + "x" * 32


async def post_check_in(session: AsyncSession, viewer: Viewer, reply: InboundReply) -> None:
    _type, goal_id = parse_global_id(reply.subject_id)
    await session.execute(
        insert(CheckIn).values(
            goal_id=goal_id,
            author_id=viewer.require_member(),
            note=reply.text,
            status=GoalStatus.ON_TRACK,
            confidence=7,
            created_at=reply.received_at,
        )
    )


def reply_plugin() -> types.ModuleType:
    plugin = types.ModuleType("bench_replies")

    @hookimpl
    def register_reply_handlers() -> Sequence[ReplyHandler]:
        return [ReplyHandler("Goal", post_check_in)]

    plugin.register_reply_handlers = register_reply_handlers  # type: ignore[attr-defined]
    return plugin


QUOTE = "\n".join(
    f"> {line}"
    for line in (
        "Hello Sam Carter,",
        "",
        "Start a parent panel",
        "https://icn.example.org/goals/R29hbDox",
        "",
        "Maria Lopez checked in on Start a parent panel: on track, confidence 7/10.",
        "We met the three parents who offered to join and drafted the objectives.",
        "",
        "--",
        "Why you got this: You follow this goal.",
        "Mute this goal (no more mail or app notifications about it): https://icn.example.org/u/x",
    )
    * 3
)


def message(person: Person, goal_id: str, n: int) -> bytes:
    mail = EmailMessage(policy=policy.SMTP)
    mail["From"] = f"{person.display_name} <{person.email}>"
    mail["To"] = reply_address(SECRET, DOMAIN, person.id, goal_id)
    mail["Subject"] = "Re: [ImproveCareNow] Start a parent panel"
    mail["Date"] = format_datetime(NOW)
    mail["Message-ID"] = f"<bench-{n}@mail.example.org>"
    mail["In-Reply-To"] = "<mail-1.abc@icn.example.org>"
    body = (
        f"Thanks Maria, reply {n}: I can join the panel in April.\n\n"
        "We should ask about night-time symptoms and school absences too.\n\n"
        f"-- \n{person.display_name}\nParent partner\n\n"
        "On Tue, Mar 10, 2026 at 11:00 AM ImproveCareNow <\n"
        "notifications@icn.example.org> wrote:\n\n"
        f"{QUOTE}\n"
    )
    mail.set_content(body)
    return mail.as_bytes()


async def prepare(url: str, count: int) -> tuple[Database, list[bytes], int]:
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
            title="Start a parent panel",
            aim="Three parents on the panel.",
            starts_on=NOW.date(),
            due_on=(NOW + timedelta(days=90)).date(),
            status=GoalStatus.ON_TRACK,
            confidence=7,
            created_by_id=owner.id,
            updated_by_id=owner.id,
        )
        people = [
            Person(
                display_name=f"Parent {n:05d}",
                email=f"Parent{n}@Example.org",
                email_key=f"parent{n}@example.org",
                kind=PersonKind.PARENT_PARTNER,
                timezone="America/New_York",
            )
            for n in range(count)
        ]
        session.add(goal)
        session.add_all(people)
        await session.flush()
        goal_id = to_global_id("Goal", goal.id)
        messages = [message(person, goal_id, n) for n, person in enumerate(people)]
        return database, messages, goal.id


async def baseline(database: Database, messages: Sequence[bytes], goal_pk: int) -> float:
    parser = BytesParser(policy=policy.default)
    start = time.perf_counter()
    for raw in messages:
        parsed = parser.parsebytes(raw)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(preferencelist=("plain",))
        assert isinstance(body, EmailMessage)
        async with database.transaction() as session:
            await session.execute(
                insert(CheckIn).values(
                    goal_id=goal_pk,
                    author_id=1,
                    note=body.get_content(),
                    status=GoalStatus.ON_TRACK,
                    confidence=7,
                    created_at=NOW,
                )
            )
    return time.perf_counter() - start


async def ours(receiver: MailReceiver, messages: Sequence[bytes]) -> float:
    start = time.perf_counter()
    for raw in messages:
        outcome = await receiver.receive(raw)
        assert outcome.outcome == InboundOutcome.POSTED, outcome
    return time.perf_counter() - start


def process_start_up(url: str, raw: bytes) -> float:
    """One ``icn-graph mail-in`` process for one (already received: a duplicate) message."""
    env = {
        "ICN_DATABASE_URL": url,
        "ICN_MAIL_REPLY_DOMAIN": DOMAIN,
        "ICN_SECRET_KEY": SECRET,
        "ICN_LOG_LEVEL": "ERROR",
        "PATH": "",
    }
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "icn_graph", "mail-in"], input=raw, env=env, check=False
    )
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.returncode
    return seconds


async def main(count: int, rounds: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        settings = Settings(  # type: ignore[call-arg]
            database_url=SecretStr(url),
            secret_key=SecretStr(SECRET),
            mail_reply_domain=DOMAIN,
            mail_in_max_per_hour=10,
            public_url="https://icn.example.org",
            _env_file=None,
        )
        load_plugins(settings, extra=[("bench-replies", reply_plugin())], discover=False)
        database, messages, goal_pk = await prepare(url, count)
        receiver = MailReceiver(database, settings, clock=lambda: NOW)
        size = sum(map(len, messages)) / len(messages)
        slice_size = max(1, count // rounds)
        base_rates: list[float] = []
        our_rates: list[float] = []
        try:
            for start in range(0, count, slice_size):
                chunk = messages[start : start + slice_size]
                base_rates.append(len(chunk) / await baseline(database, chunk, goal_pk))
                our_rates.append(len(chunk) / await ours(receiver, chunk))
            async with database.session() as session:
                posted = await session.scalar(select(func.count()).select_from(CheckIn))
            assert posted == 2 * count, posted  # each message: once by the baseline, once ours
            start_up = process_start_up(url, messages[0])
        finally:
            await database.dispose()
    backend = make_url(url).get_backend_name()
    base, our = statistics.median(base_rates), statistics.median(our_rates)
    print(f"messages: {count} ({size / 1024:.1f} KiB each), {len(our_rates)} rounds; {backend}")
    print(f"baseline (stdlib parse + raw insert): {base:8.0f} messages/s (median of rounds)")
    print(f"mail-in (parse, checks, strip, post): {our:8.0f} messages/s (median of rounds)")
    print(f"ratio (mail-in rate / baseline rate): {our / base:.2f}")
    print(f"one `icn-graph mail-in` process, start to exit (not compared): {start_up:.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.messages, arguments.rounds, arguments.database_url))
