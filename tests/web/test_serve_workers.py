"""``serve --workers N`` refuses what it cannot do safely, in one line, before it binds a port:
several API processes on SQLite (one writer at a time), and ``--worker`` beside them. That it
runs N processes on PostgreSQL is tests/notifications/test_scale_out.py."""

from __future__ import annotations

from pathlib import Path

from tests.web.serve_process import cli_env, run_cli

UNREACHABLE_POSTGRES = "postgresql+asyncpg://icn@127.0.0.1:9/icn"


def test_several_processes_on_sqlite_are_refused_naming_the_setting(tmp_path: Path) -> None:
    sqlite = cli_env(ICN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'icn.db'}")
    for env, arguments in (
        (sqlite, ("--workers", "2")),
        (sqlite | {"ICN_WORKERS": "3"}, ()),
    ):
        result = run_cli(env, "serve", "--port", "9", *arguments)
        assert result.returncode == 1, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "needs PostgreSQL" in lines[0]
        assert "ICN_DATABASE_URL" in lines[0]
        assert "ICN_WORKERS" in lines[0]
    assert not (tmp_path / "icn.db").exists()


def test_an_embedded_worker_beside_several_processes_is_refused() -> None:
    env = cli_env(ICN_DATABASE_URL=UNREACHABLE_POSTGRES)
    result = run_cli(env, "serve", "--workers", "2", "--worker")
    assert result.returncode == 1, result
    assert "run `icn-graph worker` beside the server" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_workers_below_one_name_the_option() -> None:
    result = run_cli(cli_env(), "serve", "--workers", "0")
    assert result.returncode == 2
    assert "--workers" in result.stderr
