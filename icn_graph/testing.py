"""pytest fixtures for icn_graph and its plugins: real databases, the real ASGI app.

In a plugin's ``conftest.py``::

    pytest_plugins = ["icn_graph.testing"]

    @pytest.fixture
    def icn_plugins():
        import icn_kudos
        return [("icn-kudos", icn_kudos)]

Then a test takes ``client`` (GraphQL over HTTP through the app with your plugin registered)
and ``db``; each test runs on SQLite and, when ``ICN_TEST_POSTGRES_URL`` is set, on PostgreSQL
(required when ``CI`` is set). Your plugin's migrations are applied before the test.

This is the second public module for plugins (after ``icn_graph.plugin_api``): the names in
``__all__`` are documented in docs/plugins.md, "The public API".
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import threading
from collections import deque
from collections.abc import AsyncIterator, Coroutine, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db import migrations
from icn_graph.db.base import Base
from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.host import load_plugins
from icn_graph.models import (
    ApiToken,
    Center,
    CenterRole,
    CenterStatus,
    Membership,
    NetworkRole,
    Person,
    PersonKind,
)
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.sender import send_due_mail
from icn_graph.notifications.mail.transport import SmtpTransport
from icn_graph.notifications.realtime.revocations import (
    announce_revocation,
    announce_roles_changed,
)
from icn_graph.notifications.worker.loop import Worker
from icn_graph.plugins.manager import PluginHost
from icn_graph.services.tokens import hash_token, new_secret, revoke_tokens_of

__all__ = [
    "GraphQLClient",
    "SmtpServer",
    "StatementCounter",
    "TaskCount",
    "Worker",
    "app",
    "client",
    "db",
    "deliver_mail",
    "icn_plugins",
    "load_demo_network",
    "mail_in_listener",
    "make_center",
    "make_person",
    "make_staff_token",
    "plugin_host",
    "revoke_tokens",
    "scratch_url",
    "set_network_role",
    "settings",
    "single_error",
    "smtp",
    "snapshot",
    "staff_token",
    "statements",
    "tasks",
    "token_for",
    "user_errors",
]

BACKENDS = ["sqlite", "postgresql"]

ASYNCIO_SETTINGS = {
    "asyncio_mode": "auto",
    "asyncio_default_fixture_loop_scope": "session",
    "asyncio_default_test_loop_scope": "session",
}


def pytest_configure(config: pytest.Config) -> None:
    """The fixtures share one database engine per test session, so they need pytest-asyncio in
    auto mode with one event loop per session; say so plainly instead of failing deep inside."""
    wrong = []
    for name, expected in ASYNCIO_SETTINGS.items():
        option = config.getoption(name, default=None)
        value = option if option is not None else config.getini(name)
        if value != expected:
            wrong.append(f'{name} = "{expected}"')
    if wrong:
        raise pytest.UsageError(
            "icn_graph.testing needs these pytest settings (in pyproject.toml, under "
            "[tool.pytest.ini_options]): " + ", ".join(wrong)
        )


@dataclass
class GraphQLClient:
    """GraphQL over real HTTP through the ASGI app."""

    http: httpx.AsyncClient
    app: Starlette | None = None

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload: dict[str, Any] = {"query": query, "variables": variables or {}}
        response = await self.http.post("/graphql", json=payload, headers=headers)
        # What the request set in motion after its commit (events to followers, notifications,
        # plugins) finishes before the test goes on, so tests see one settled state.
        await self.settle()
        return response

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The response body; the HTTP status must be 200 (never a 500)."""
        response = await self.post(query, variables, token=token)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The ``data`` of a response that must have no errors."""
        body = await self.execute(query, variables, token=token)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def settle(self) -> None:
        """Wait until every event so far has been dispatched (notifications, ``on_event``)."""
        if self.app is not None:
            await self.app.state.dispatcher.drain()
            await self.app.state.sign_in_mail.drain()


@dataclass
class StatementCounter:
    statements: list[str] = field(default_factory=list)

    def record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    def reset(self) -> None:
        self.statements.clear()

    @property
    def count(self) -> int:
        return len(self.statements)


class TaskCount:
    """How many asyncio tasks were made: graphql-core gathers each awaitable item of a list in a
    task of its own, so a list whose rows each await a loader makes a task per row."""

    def __init__(self) -> None:
        self.count = 0

    def reset(self) -> None:
        self.count = 0

    def factory(
        self, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **kwargs: Any
    ) -> asyncio.Task[Any]:
        self.count += 1
        return asyncio.Task(coro, loop=loop, **kwargs)


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def postgres_url_or_skip() -> str:
    url = os.environ.get("ICN_TEST_POSTGRES_URL")
    if url:
        return url
    if in_ci():
        pytest.fail("CI must test PostgreSQL: set ICN_TEST_POSTGRES_URL")
    pytest.skip("PostgreSQL tests need ICN_TEST_POSTGRES_URL (they never skip in CI)")


async def _reset_postgres(url: str) -> None:
    database = Database.from_url(url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    except OSError as error:
        pytest.fail(f"PostgreSQL at {make_url(url).render_as_string()} is unreachable: {error}")
    finally:
        await database.dispose()


def xdist_worker() -> str | None:
    """This process's pytest-xdist worker id ("gw0", "gw1", ...), or None outside ``-n``."""
    return os.environ.get("PYTEST_XDIST_WORKER")


async def _postgres_database(name: str) -> str:
    """The test PostgreSQL URL for the suite, or for a sibling database made for ``name``.

    Under pytest-xdist every worker gets its own databases (``test_gw0``, ``test_bench_gw1``):
    each worker empties its databases between tests, so they cannot share one.
    """
    url = make_url(postgres_url_or_skip())
    worker = xdist_worker()
    if name == "suite" and worker is None:
        return url.render_as_string(hide_password=False)
    parts = [url.database or "", name, worker]
    sibling = "_".join(part for part in parts if part and part != "suite")
    admin = Database.from_url(url.render_as_string(hide_password=False))
    try:
        async with admin.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            exists = await autocommit.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": sibling}
            )
            if not exists:
                await autocommit.execute(text(f'CREATE DATABASE "{sibling}"'))
    except OSError as error:
        pytest.fail(f"PostgreSQL at {url.render_as_string()} is unreachable: {error}")
    finally:
        await admin.dispose()
    return url.set(database=sibling).render_as_string(hide_password=False)


# One pytest session at a time per test database: a session empties the database before each
# test and recreates its schema at start, so a second session on the same URL (a run started
# while another is still going) would delete the first one's rows under it: tokens vanish
# between a test's setup and its requests, inserts fail on foreign keys, TRUNCATE deadlocks.
# The first session holds this advisory lock (in the suite database, for the whole session,
# sibling databases included; autouse, so tests that make databases themselves are covered);
# any other waits for it. An xdist worker locks key + its number + 1: its own databases.
# Any bigint works: it only has to be ours.
SESSION_LOCK_KEY = 0x1C4_7E57


def _tell(config: pytest.Config, message: str) -> None:
    """Say ``message`` on the terminal, past pytest's output capture."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return
    if capture is None:
        reporter.write_line(message)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(message)


def _worker_number() -> int:
    """0 outside pytest-xdist, n + 1 for worker gwN: the lock of the databases it uses."""
    worker = xdist_worker()
    return int(worker.removeprefix("gw")) + 1 if worker else 0


@pytest.fixture(scope="session", autouse=True)
async def postgres_session_lock(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Hold the test PostgreSQL database for this session alone; wait while another has it."""
    url = os.environ.get("ICN_TEST_POSTGRES_URL")
    if not url:
        yield
        return
    database = Database.from_url(url)
    try:
        connection = await database.engine.connect()
        holder = await connection.execution_options(isolation_level="AUTOCOMMIT")
    except OSError:  # the PostgreSQL tests themselves say it is unreachable
        await database.dispose()
        yield
        return
    try:
        key = {"key": SESSION_LOCK_KEY + _worker_number()}
        if not await holder.scalar(text("SELECT pg_try_advisory_lock(:key)"), key):
            where = make_url(url).render_as_string()
            _tell(request.config, f"waiting for another pytest session to finish with {where}")
            await holder.execute(text("SELECT pg_advisory_lock(:key)"), key)
        yield
        await holder.execute(text("SELECT pg_advisory_unlock(:key)"), key)
    finally:
        await connection.close()
        await database.dispose()


async def fresh_database_url(backend: str, root: Path, name: str) -> str:
    """An empty database: a new SQLite file, or an emptied PostgreSQL database (one per name)."""
    if backend == "sqlite":
        path = root / f"{name}.db"
        path.unlink(missing_ok=True)
        return f"sqlite+aiosqlite:///{path}"
    url = await _postgres_database(name)
    await _reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("icn")


# A migrated SQLite file to copy instead of migrating again: `make mutation` runs a short pytest
# session per mutant, and migrating would be most of its time. The caller owns the file (and
# removes it when migrations change); unset, every session migrates.
SQLITE_TEMPLATE_ENV = "ICN_TEST_SQLITE_TEMPLATE"


def _migrate(backend: str, url: str) -> None:
    template = os.environ.get(SQLITE_TEMPLATE_ENV)
    if backend != "sqlite" or not template:
        migrations.upgrade(url)
        return
    target = Path(make_url(url).database or "")
    source = Path(template)
    if source.exists():
        shutil.copyfile(source, target)
        return
    migrations.upgrade(url)
    partial = source.with_name(f"{source.name}.{os.getpid()}")
    shutil.copyfile(target, partial)
    partial.replace(source)  # atomic: a parallel session never sees half a file


@pytest.fixture(scope="session", params=BACKENDS)
async def migrated_url(request: pytest.FixtureRequest, tmp_root: Path) -> str:
    """A database with core's migrations applied, once per backend per test session."""
    url = await fresh_database_url(request.param, tmp_root, "suite")
    await asyncio.to_thread(_migrate, request.param, url)
    return url


@pytest.fixture(scope="session")
async def session_db(migrated_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(migrated_url)
    yield database
    await database.dispose()


@pytest.fixture
def icn_plugins() -> Sequence[tuple[str, object]]:
    """(name, plugin) pairs to register besides core; override it in a plugin's tests."""
    return ()


@pytest.fixture
async def plugin_host(
    icn_plugins: Sequence[tuple[str, object]], migrated_url: str, settings: Settings
) -> PluginHost:
    """Core plus ``icn_plugins`` (installed entry points are not discovered: tests choose)."""
    host = load_plugins(settings, extra=icn_plugins, discover=False)
    for track in migrations.tracks(host)[1:]:
        await asyncio.to_thread(migrations.upgrade, migrated_url, "heads", track=track)
    return host


async def _empty(database: Database) -> None:
    async with database.engine.begin() as connection:
        existing = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name in existing]
        if not tables:
            return
        if database.dialect == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608


@pytest.fixture
async def db(session_db: Database, plugin_host: PluginHost) -> Database:
    """The session's database, emptied before each test (plugins' tables included).

    Events are dispatched only where the test makes an app (or sets ``event_sink``): a previous
    test's app never dispatches this test's events.
    """
    await _empty(session_db)
    session_db.event_sink = None
    return session_db


@pytest.fixture(params=BACKENDS)
async def scratch_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no migrations) on each backend, for tests that migrate it themselves;
    one per test module, so modules never share one."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    return await fresh_database_url(request.param, tmp_path, name)


@pytest.fixture
def settings(migrated_url: str, tmp_path: Path) -> Settings:
    # Mail that goes to the folder transport (no ICN_SMTP_HOST) lands in the test's own folder.
    return Settings(
        database_url=migrated_url,  # type: ignore[arg-type]
        network_name="Test Network",
        mail_dir=str(tmp_path / "mail"),
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def app(db: Database, settings: Settings, plugin_host: PluginHost) -> Starlette:
    return create_app(settings, db=db, plugins=plugin_host)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http, app)
    await app.state.dispatcher.drain()


@pytest.fixture
def statements(db: Database) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(db.engine.sync_engine, "before_cursor_execute", counter.record)
    yield counter
    event.remove(db.engine.sync_engine, "before_cursor_execute", counter.record)


@pytest.fixture
async def tasks() -> AsyncIterator[TaskCount]:
    """Counts the asyncio tasks made while the test runs (``tasks.count``; ``tasks.reset()``)."""
    loop = asyncio.get_running_loop()
    counter = TaskCount()
    previous = loop.get_task_factory()
    loop.set_task_factory(counter.factory)  # type: ignore[arg-type]
    yield counter
    loop.set_task_factory(previous)


# -- factories ------------------------------------------------------------------------------
# Rows written straight to the database (no authorization): the starting point of a test.

_sequence = iter(range(1, 1_000_000))


async def make_center(db: Database, **fields: Any) -> Center:
    """A center with a unique name and short code; ``fields`` override any column."""
    n = next(_sequence)
    values: dict[str, Any] = {
        "name": f"Center {n:04d}",
        "short_code": f"C{n:04d}",
        "city": "Cincinnati",
        "region": "Midwest",
        "country": "US",
        "joined_on": date(2010, 1, 1),
        "status": CenterStatus.ACTIVE,
    } | fields
    center = Center(**values)
    async with db.transaction() as session:
        session.add(center)
    return center


async def make_person(
    db: Database,
    kind: PersonKind = PersonKind.CLINICIAN,
    *,
    network_role: NetworkRole = NetworkRole.MEMBER,
    center: Center | None = None,
    role: CenterRole | None = None,
    **fields: Any,
) -> Person:
    """A person with a unique name and email; ``fields`` override any column.

    With ``center``, also a membership there, as ``role`` (default: the role named like ``kind``).
    """
    n = next(_sequence)
    email = fields.pop("email", f"person{n}@example.org")
    person = Person(
        display_name=fields.pop("display_name", f"Person {n:04d}"),
        email=email,
        email_key=email.lower(),
        kind=kind,
        network_role=network_role,
        timezone=fields.pop("timezone", "America/New_York"),
        **fields,
    )
    async with db.transaction() as session:
        session.add(person)
        await session.flush()
        if center is not None:
            session.add(
                Membership(
                    person_id=person.id,
                    center_id=center.id,
                    role=role or CenterRole(kind.value),
                    since=date(2015, 1, 1),
                )
            )
    return person


async def token_for(db: Database, person: Person) -> str:
    """A bearer token for ``person``: pass it to ``GraphQLClient`` methods as ``token=``."""
    secret = new_secret()
    async with db.transaction() as session:
        # Counted as used when minted, so a test's first request does not also record a use.
        session.add(
            ApiToken(
                person_id=person.id,
                token_hash=hash_token(secret),
                label="test",
                last_used_at=utcnow(),
            )
        )
    return secret


async def revoke_tokens(db: Database, person: Person) -> None:
    """Revoke every token and the calendar feed of ``person`` now, and announce it to every API
    process (viewer caches forget, websockets close): ``icn-graph token revoke``."""
    await revoke_tokens_of(db, person.email)
    await announce_revocation(db, person.id)


async def set_network_role(db: Database, person: Person, role: NetworkRole) -> None:
    """Give ``person`` the network role ``role`` by a direct write (as an operator's script
    would), announced as core's mutations announce it: viewer caches forget them, and their
    open websockets take the new role."""
    async with db.transaction() as session:
        row = await session.get(Person, person.id)
        assert row is not None
        row.network_role = role
    await announce_roles_changed(db, person.id)


async def make_staff_token(db: Database) -> str:
    """A bearer token of a new network staff member."""
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    return await token_for(db, staff)


@pytest.fixture
async def staff_token(db: Database) -> str:
    """A bearer token of a network staff member (``make_staff_token``)."""
    return await make_staff_token(db)


def single_error(body: dict[str, Any]) -> dict[str, Any]:
    """The one GraphQL error of a response ``body``; no traceback leaks into it."""
    assert "Traceback" not in json.dumps(body)
    errors = body.get("errors")
    assert errors is not None, body
    assert len(errors) == 1, errors
    error: dict[str, Any] = errors[0]
    return error


def user_errors(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """A mutation payload's ``userErrors`` as (field, code) pairs."""
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: compare two to prove nothing was written.

    Tables registered on the metadata that this database lacks (a plugin whose migrations did
    not run here) are left out.
    """
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with db.session() as session:
        connection = await session.connection()
        present = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        for table in Base.metadata.sorted_tables:
            if table.name in present:
                statement = select(table).order_by(*table.primary_key.columns)
                result = await session.execute(statement)
                rows[table.name] = [tuple(row) for row in result.all()]
    return rows


# -- mail: a real SMTP server on loopback, and the worker's compose and send steps -------------
# A real SMTP server (aiosmtpd) that records what it accepts and can answer from a script:
#
#     smtp.data_script.extend(["451 4.3.0 Try again later"])   # then 250 for the rest
#     smtp.refuse["gone@example.org"] = "550 5.1.1 No such user"
#     [message] = smtp.messages  # email.message.EmailMessage, parsed with the email package
#
# "stall" in data_script makes the server sit on that DATA (never answering) until release() or
# the server stops.

STALL = "stall"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    data_script: deque[str] = field(default_factory=deque)
    refuse: dict[str, str] = field(default_factory=dict)
    connections: int = 0
    data_started: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        answer = self.refuse.get(address.lower())
        if answer is not None:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            answer = self.data_script.popleft() if self.data_script else "250 Message accepted"
        if answer == STALL:
            self.data_started.set()
            # A thread-safe wait that leaves the server's loop free for other connections.
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait)
            return "451 4.3.0 Stalled, try again"
        if answer.startswith("250"):
            with self.lock:
                self.received.append(
                    Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
                )
        return answer


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.handler = _Handler()
        self.port = port or free_port()
        # aiosmtpd comes with icn_graph's dev extra: imported only by tests that take ``smtp``.
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.handler.released.set()
        self.controller.stop()

    @property
    def data_script(self) -> deque[str]:
        return self.handler.data_script

    @property
    def refuse(self) -> dict[str, str]:
        return self.handler.refuse

    @property
    def connections(self) -> int:
        return self.handler.connections

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [received.message for received in self.received]

    def release(self) -> None:
        self.handler.released.set()

    def settings_env(self) -> dict[str, str]:
        return {
            "ICN_SMTP_HOST": "127.0.0.1",
            "ICN_SMTP_PORT": str(self.port),
            "ICN_SMTP_TLS": "none",
        }

    def settings_for(self, settings: Settings) -> Settings:
        """``settings`` sending mail to this server (plain SMTP, a public URL for links)."""
        return settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": self.port,
                "smtp_tls": "none",
                "smtp_timeout": 5.0,
                "public_url": "https://icn.example.org",
                "mail_from": "ImproveCareNow <notifications@icn.example.org>",
            }
        )


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on loopback that records what it receives."""
    with SmtpServer() as server:
        yield server


async def deliver_mail(
    db: Database, settings: Settings, plugins: PluginHost | None, *, now: datetime
) -> int:
    """What ``icn-graph worker`` does on a tick at ``now``: compose the notification mail due
    then (with the plugins' mail templates) and send it over SMTP as ``settings`` say (see
    ``SmtpServer.settings_for``). How many messages were sent."""
    await compose_due_mail(db, settings, now=now, plugins=plugins)
    transport = SmtpTransport(settings)
    try:
        return await send_due_mail(db, settings, transport, now=now, worker_id="tests")
    finally:
        await transport.close()


async def load_demo_network(
    db: Database,
    plugins: PluginHost,
    *,
    seed: int = 2014,
    settings: Settings | None = None,
    today: date | None = None,
) -> None:
    """Load the demo network into ``db`` with ``plugins``' demo data (their ``load_demo_data``),
    with few registry patients so it stays quick: to test a plugin's demo. ``settings`` plan
    and compose the mail of its history (from the environment if not given). ``today`` is the
    demo's present; by default the story's own (14 March 2014: the 2014 story alone, quickest
    to load), a later day adds the years up to it."""
    from icn_graph.demo import SMALL_VISIT_SCALE, load_demo
    from icn_graph.demo.present import STORY_TODAY

    await load_demo(
        db,
        plugins=plugins,
        seed=seed,
        visit_scale=SMALL_VISIT_SCALE,
        settings=settings,
        today=today or STORY_TODAY,
    )


@asynccontextmanager
async def mail_in_listener(
    db: Database, settings: Settings, *, lmtp: bool = False
) -> AsyncIterator[int]:
    """``icn-graph mail-in --listen`` in this process: the SMTP (or LMTP) server an MTA relays
    replies to, on a free loopback port (yielded), receiving into ``db`` with the reply handlers
    of the plugin host in use; ``settings`` must set ``mail_reply_domain``."""
    # The listener needs aiosmtpd (icn_graph's dev extra): imported only by tests that use it.
    from icn_graph.notifications.mail_in.listener import start_listener
    from icn_graph.notifications.mail_in.receive import MailReceiver

    server = await start_listener(MailReceiver(db, settings), "127.0.0.1", free_port(), lmtp=lmtp)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()
