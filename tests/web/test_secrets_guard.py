"""The development secrets anyone can read in the source never run a real deployment.

The rule, checked through the command line: outside demo mode, ``serve``, ``serve --worker`` and
``worker`` refuse to start with the development ``ICN_SECRET_KEY`` or ``ICN_PATIENT_KEY_SECRET``
when the database is PostgreSQL or the host is not loopback, with one line naming the variable;
demo mode and a laptop (SQLite on loopback) only warn, and ``make run`` still serves.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from icn_graph.cli import main
from icn_graph.config import DEV_PATIENT_KEY_SECRET, DEV_SECRET_KEY, Settings
from icn_graph.errors import StartupError
from icn_graph.secrets_guard import check_secrets

STRONG_SECRET = "x" * 48
STRONG_PATIENT_SECRET = "y" * 48
POSTGRES = "postgresql+asyncpg://icn@127.0.0.1:1/never-reached"


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type,call-arg]


def invoke(*args: str, **env: str) -> Result:
    base = {
        "ICN_PLUGINS": "core",
        "ICN_LOG_LEVEL": "ERROR",
        "ICN_DEMO": "false",
        "ICN_DATABASE_URL": "sqlite+aiosqlite:///never-opened.db",
        "ICN_SECRET_KEY": STRONG_SECRET,
        "ICN_PATIENT_KEY_SECRET": STRONG_PATIENT_SECRET,
    }
    return CliRunner().invoke(main, list(args), env={**base, **env})


COMMANDS = [("serve",), ("serve", "--worker"), ("worker",)]
DEV_VALUES = [
    ({"ICN_SECRET_KEY": DEV_SECRET_KEY}, "ICN_SECRET_KEY still has"),
    ({"ICN_SECRET_KEY": ""}, "ICN_SECRET_KEY still has"),
    ({"ICN_PATIENT_KEY_SECRET": DEV_PATIENT_KEY_SECRET}, "ICN_PATIENT_KEY_SECRET still has"),
    (
        {"ICN_SECRET_KEY": DEV_SECRET_KEY, "ICN_PATIENT_KEY_SECRET": DEV_PATIENT_KEY_SECRET},
        "ICN_SECRET_KEY and ICN_PATIENT_KEY_SECRET still have",
    ),
]
BEYOND = [
    ({"ICN_DATABASE_URL": POSTGRES}, "the database is PostgreSQL"),
    ({"ICN_HOST": "0.0.0.0"}, "the host 0.0.0.0 is not loopback"),  # noqa: S104
    ({"ICN_HOST": "icn.example.org"}, "the host icn.example.org is not loopback"),
    ({"ICN_PUBLIC_URL": "https://icn.example.org"}, "ICN_PUBLIC_URL's host icn.example.org"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(("secrets", "named"), DEV_VALUES)
@pytest.mark.parametrize(("deployment", "reason"), BEYOND)
def test_development_secrets_beyond_a_laptop_stop_start_up(
    command: tuple[str, ...],
    secrets: dict[str, str],
    named: str,
    deployment: dict[str, str],
    reason: str,
) -> None:
    result = invoke(*command, **secrets, **deployment)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output  # one line, before anything else happens
    assert lines[0].startswith(f"Error: {named} the development value")
    assert reason in lines[0]
    assert "ICN_DEMO=true" in lines[0]


def test_serve_refuses_a_bind_address_beyond_loopback_given_on_the_command_line() -> None:
    result = invoke("serve", "--host", "0.0.0.0", ICN_SECRET_KEY="")  # noqa: S104
    assert result.exit_code == 1
    assert "ICN_SECRET_KEY still has the development value" in result.output
    assert "the host 0.0.0.0 is not loopback" in result.output


@pytest.mark.parametrize(
    "bind_host", ["127.0.0.1", "localhost", "::1", "[::1]", "icn.localhost", "127.8.9.10"]
)
def test_on_a_laptop_the_development_secrets_only_warn(bind_host: str) -> None:
    warning = check_secrets(settings(), bind_host=bind_host)
    assert warning == (
        "ICN_SECRET_KEY and ICN_PATIENT_KEY_SECRET have the development value: "
        "fine for a demo on this machine, never in production"
    )


@pytest.mark.parametrize(("deployment", "reason"), BEYOND)
def test_demo_mode_only_warns_wherever_it_runs(deployment: dict[str, str], reason: str) -> None:
    values = {key.removeprefix("ICN_").lower(): value for key, value in deployment.items()}
    with pytest.raises(StartupError, match=reason):
        check_secrets(settings(**values))
    warning = check_secrets(settings(demo=True, **values))
    assert warning is not None
    assert "development value" in warning


@pytest.mark.parametrize(("deployment", "reason"), BEYOND)
def test_real_secrets_start_anywhere(deployment: dict[str, str], reason: str) -> None:
    values = {key.removeprefix("ICN_").lower(): value for key, value in deployment.items()}
    chosen = settings(secret_key=STRONG_SECRET, patient_key_secret=STRONG_PATIENT_SECRET, **values)
    assert check_secrets(chosen) is None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(url: str, process: subprocess.Popen[str], seconds: float = 60.0) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {process.communicate()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                status: int = response.status
                return status
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_make_run_still_serves_in_demo_mode_with_a_warning(tmp_path: Path) -> None:
    """What ``make run`` runs last, ``ICN_DEMO=true icn-graph serve --worker``, as a real process
    with the development secrets (unset) on a migrated SQLite database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ICN_") or key == "ICN_TEST_POSTGRES_URL"
    }
    port = _free_port()
    env |= {
        "ICN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
        "ICN_PLUGINS": "core",
        "ICN_PORT": str(port),
        "ICN_MAIL_DIR": str(tmp_path / "mail"),
        "ICN_LOG_LEVEL": "WARNING",
    }
    cli = [sys.executable, "-m", "icn_graph"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*cli, "serve", "--worker"],
        env={**env, "ICN_DEMO": "true"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/healthz", server) == 200
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert "warning: ICN_SECRET_KEY and ICN_PATIENT_KEY_SECRET have the development value" in err
    assert f"GraphiQL explorer: http://127.0.0.1:{port}/graphql" in out
