"""What an operator sees when the configuration or the database is wrong: one line naming the
variable and what to write, exit status 1, no traceback, from every command, as real processes.
Also ``--version``, ``ICN_PUBLIC_URL`` following ``ICN_PORT``, a quiet Alembic, and a worker that
says in one line that the database went away and when it is back."""

from __future__ import annotations

import asyncio
import signal
from importlib.metadata import version
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from icn_graph.config import Settings
from icn_graph.db import migrations
from icn_graph.testing import free_port, fresh_database_url, postgres_url_or_skip
from tests.web.serve_process import Relay, Running, cli_env, run_cli

FORMS = (
    "write postgresql+asyncpg://user:password@host:5432/database or "
    "sqlite+aiosqlite:///path/to/file.db"
)


def one_error_line(result: object, expected: str) -> None:
    """Exit status 1, and stderr is exactly ``Error: <expected>``."""
    assert getattr(result, "returncode", None) == 1, result
    stderr = str(getattr(result, "stderr", ""))
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [f"Error: {expected}"], stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://icn:s3cret@db.internal:5432/icn",
            "postgresql://icn:***@db.internal:5432/icn names no async driver; write "
            "postgresql+asyncpg://icn:***@db.internal:5432/icn (your password in place of ***)",
        ),
        (
            "postgres://icn@db.internal/icn",
            "postgres://icn@db.internal/icn names no async driver; write "
            "postgresql+asyncpg://icn@db.internal/icn",
        ),
        (
            "postgresql+psycopg2://icn@db.internal/icn",
            "postgresql+psycopg2://icn@db.internal/icn names the driver psycopg2, which is not "
            "async; write postgresql+asyncpg://icn@db.internal/icn",
        ),
        (
            "postgres+asyncpg://icn@db.internal/icn",
            "postgres+asyncpg://icn@db.internal/icn says postgres, which SQLAlchemy does not "
            "know; write postgresql+asyncpg://icn@db.internal/icn",
        ),
        (
            "sqlite:///var/icn.db",
            "sqlite:///var/icn.db names no async driver; write sqlite+aiosqlite:///var/icn.db",
        ),
        ("garbage", f"not a database URL; {FORMS}"),
        ("mysql://icn@db.internal/icn", f"mysql is not supported; {FORMS}"),
        (
            "postgresql+asyncpg://icn@db.internal/icn?sslmode=require",
            "asyncpg does not know sslmode; write ssl=require instead of sslmode=require",
        ),
    ],
    ids=[
        "postgresql",
        "postgres",
        "psycopg2",
        "postgres+asyncpg",
        "sqlite",
        "garbage",
        "mysql",
        "sslmode",
    ],
)
def test_a_url_that_cannot_work_says_what_to_write(url: str, expected: str) -> None:
    result = run_cli(cli_env(ICN_DATABASE_URL=url), "db", "upgrade")
    one_error_line(result, f"invalid settings: ICN_DATABASE_URL: {expected}")
    assert "s3cret" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [("serve",), ("worker",), ("token", "create", "--email", "a@example.org"), ("config",)],
    ids=" ".join,
)
def test_every_command_checks_the_url_before_anything_else(command: tuple[str, ...]) -> None:
    result = run_cli(cli_env(ICN_DATABASE_URL="sqlite:///x.db"), *command)
    one_error_line(
        result,
        "invalid settings: ICN_DATABASE_URL: sqlite:///x.db names no async driver; write "
        "sqlite+aiosqlite:///x.db",
    )


def test_a_correct_url_passes() -> None:
    for url in ("postgresql+asyncpg://icn@db/icn?ssl=require", "sqlite+aiosqlite:///var/icn.db"):
        settings = Settings(database_url=url, _env_file=None)  # type: ignore[arg-type,call-arg]
        assert settings.database_url_value == url


ONE_SHOT_COMMANDS = [
    ("db", "upgrade"),
    ("db", "current"),
    ("db", "downgrade", "base"),
    ("demo", "load"),
    ("token", "create", "--email", "a@example.org"),
    ("token", "revoke", "--email", "a@example.org"),
    ("admin", "create", "--email", "admin@example.org", "--name", "Ada Admin"),
    ("notifications", "status"),
    ("import", "visits", "VISITS", "--center", "ALPHA"),
    ("measures", "refresh"),
    ("reports", "republish"),
    ("reports", "audit"),
    ("audit", "export", "--since", "2024-01-01"),
]


@pytest.mark.parametrize("command", ONE_SHOT_COMMANDS, ids=" ".join)
def test_a_database_server_that_is_down_is_one_line_from_every_command(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    port = free_port()  # nothing listens there
    visits = tmp_path / "visits.csv"
    visits.write_text("patient_key,visit_date,pga,diagnosis\n", encoding="utf-8")
    arguments = [str(visits) if part == "VISITS" else part for part in command]
    url = f"postgresql+asyncpg://icn@127.0.0.1:{port}/icn"
    result = run_cli(cli_env(ICN_DATABASE_URL=url), *arguments)
    one_error_line(
        result,
        f"ICN_DATABASE_URL: nothing answers at 127.0.0.1:{port} (connection refused); start "
        "PostgreSQL there, or correct the host and port in ICN_DATABASE_URL",
    )


def test_an_unknown_host_is_one_line() -> None:
    url = "postgresql+asyncpg://icn@no-such-host.invalid:5432/icn"
    result = run_cli(cli_env(ICN_DATABASE_URL=url), "db", "upgrade")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: ICN_DATABASE_URL: the host no-such-host.invalid is unknown (")
    assert line.endswith("); correct the host in ICN_DATABASE_URL")


@pytest.mark.parametrize(
    "command",
    [("db", "upgrade"), ("token", "create", "--email", "a@example.org")],
    ids=" ".join,
)
def test_an_unknown_database_and_a_refused_login_are_one_line(command: tuple[str, ...]) -> None:
    server = make_url(postgres_url_or_skip())
    where = f"{server.host}:{server.port or 5432}"
    unknown = server.set(database="icn_no_such_database").render_as_string(hide_password=False)
    one_error_line(
        run_cli(cli_env(ICN_DATABASE_URL=unknown), *command),
        f"ICN_DATABASE_URL: PostgreSQL at {where} has no database 'icn_no_such_database'; "
        "create it (createdb icn_no_such_database) or correct the database name in "
        "ICN_DATABASE_URL",
    )
    stranger = server.set(username="icn_no_such_role").render_as_string(hide_password=False)
    one_error_line(
        run_cli(cli_env(ICN_DATABASE_URL=stranger), *command),
        f"ICN_DATABASE_URL: PostgreSQL at {where} refused the login as 'icn_no_such_role' "
        '(role "icn_no_such_role" does not exist); correct the user and password in '
        "ICN_DATABASE_URL",
    )


def test_a_sqlite_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    url = f"sqlite+aiosqlite:///{blocker / 'icn.db'}"
    env = cli_env(ICN_DATABASE_URL=url, ICN_PORT=str(free_port()))
    for command in (("db", "upgrade"), ("demo", "load"), ("worker",), ("serve",)):
        one_error_line(
            run_cli(env, *command),
            f"ICN_DATABASE_URL: cannot create {blocker}, the folder of the SQLite file "
            f"{blocker / 'icn.db'} (a file has that name); choose a path this user may write",
        )


def test_version_is_the_installed_distributions() -> None:
    result = run_cli(cli_env(ICN_DATABASE_URL="garbage"), "--version")  # settings not read
    assert (result.returncode, result.stdout) == (0, f"icn-graph, version {version('icn-graph')}\n")


def test_the_public_url_follows_the_port_and_host_when_not_set(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'icn.db'}"
    env = cli_env(ICN_DATABASE_URL=url, ICN_PORT="8123", ICN_LOG_LEVEL="WARNING")
    assert run_cli(env, "db", "upgrade").returncode == 0
    created = run_cli(env, "admin", "create", "--email", "ada@example.org", "--name", "Ada")
    assert created.returncode == 0, created.stderr
    assert created.stdout.splitlines()[1].startswith("http://127.0.0.1:8123/sign-in/")
    shown = run_cli(env | {"ICN_HOST": "localhost"}, "config")
    assert '"public_url": "http://localhost:8123"' in shown.stdout
    chosen = run_cli(env | {"ICN_PUBLIC_URL": "https://icn.example.org"}, "config")
    assert '"public_url": "https://icn.example.org"' in chosen.stdout


def test_serve_port_option_moves_the_public_url_too() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.public_url == "http://127.0.0.1:8000"
    assert settings.serving_at("0.0.0.0", 9000).public_url == "http://127.0.0.1:9000"  # noqa: S104
    assert settings.serving_at("::", 9000).public_url == "http://[::1]:9000"
    chosen = Settings(public_url="https://icn.example.org", _env_file=None)  # type: ignore[call-arg]
    assert chosen.serving_at("127.0.0.1", 9000).public_url == "https://icn.example.org"


def test_ordinary_commands_do_not_show_alembics_chatter(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'icn.db'}"
    env = cli_env(ICN_DATABASE_URL=url)  # INFO: the level where Alembic talks
    upgraded = run_cli(env, "db", "upgrade")
    # One line per revision applied, and nothing else.
    revisions = list(ScriptDirectory.from_config(migrations.alembic_config(url)).walk_revisions())
    applied = upgraded.stderr.splitlines()
    assert len(applied) == len(revisions), upgraded.stderr
    assert all("INFO alembic.runtime.migration: Running upgrade " in line for line in applied)
    outputs = [
        run_cli(env, "demo", "load", "--if-empty"),
        run_cli(env, "db", "current"),
        run_cli(env, "token", "create", "--email", "staff@network.example.org"),
    ]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert "alembic" not in result.stdout + result.stderr


async def test_the_worker_says_once_that_the_database_is_gone_and_when_it_is_back(
    tmp_path: Path,
) -> None:
    real = await fresh_database_url("postgresql", tmp_path, "operator_worker")
    await asyncio.to_thread(migrations.upgrade, real)
    parsed = make_url(real)
    relay = Relay(free_port(), parsed.host or "127.0.0.1", parsed.port or 5432)
    through = parsed.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    env = cli_env(
        ICN_DATABASE_URL=through,
        ICN_WORKER_TICK_SECONDS="0.1",
        ICN_MAIL_DIR=str(tmp_path / "mail"),
    )
    worker = Running(env, tmp_path / "worker.log", "worker")
    try:
        await worker.wait_for_output("trying again every tick")
        await asyncio.sleep(1)  # ticks fail meanwhile
        await relay.open()
        await worker.wait_for_output("the database answers again")
        worker.process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(worker.process.wait, 60) == 0
    finally:
        worker.stop()
        await relay.close()
    down = f"nothing answers at 127.0.0.1:{relay.port} (connection refused)"
    said = [line for line in worker.output.splitlines() if down in line]
    assert len(said) == 2, worker.output  # at start (the command), then once by the loop
    assert said[0].startswith("warning: ICN_DATABASE_URL: ")
    assert said[0].endswith("the worker tries again every ICN_WORKER_TICK_SECONDS")
    assert "Traceback" not in worker.output
