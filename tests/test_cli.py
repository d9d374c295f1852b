"""The ``icn-graph`` command line, run in-process against a real SQLite database."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from icn_graph.cli import main
from icn_graph.db import migrations
from icn_graph.host import printed_schema


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "ICN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "ICN_LOG_LEVEL": "WARNING",
        # Only core: installed plugins (icn-kudos) are tested with their own migrations below.
        "ICN_PLUGINS": "core",
    }


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_config_prints_settings_with_the_password_redacted(env: dict[str, str]) -> None:
    env["ICN_DATABASE_URL"] = "postgresql+asyncpg://icn:s3cret-pw@db.internal:5432/icn"
    env["ICN_NETWORK_NAME"] = "Pediatric IBD Network"
    result = run(env, "config")
    assert result.exit_code == 0
    shown = json.loads(result.output)
    assert shown["network_name"] == "Pediatric IBD Network"
    assert shown["database_url"] == "postgresql+asyncpg://icn:***@db.internal:5432/icn"
    assert "s3cret-pw" not in result.output
    assert shown["port"] == 8000


def test_bad_setting_is_a_clear_error(env: dict[str, str]) -> None:
    env["ICN_PORT"] = "eighty"
    result = CliRunner().invoke(main, ["config"], env=env)
    assert result.exit_code == 1
    assert "invalid settings: ICN_PORT: Input should be a valid integer" in result.output
    assert "Traceback" not in result.output


def test_migrate_load_demo_and_mint_a_token(env: dict[str, str], tmp_path: Path) -> None:
    (head,) = migrations.head_revisions()
    assert f"database at {head}" in run(env, "db", "upgrade").output
    assert run(env, "db", "current").output.strip() == f"{head} (up to date)"

    loaded = run(env, "demo", "load", "--seed", "7", "--today", "2014-03-14")
    assert "65 centers" in loaded.output
    assert "today 2014-03-14" in loaded.output
    assert "left as it is" in run(env, "demo", "load", "--if-empty").output
    again = CliRunner().invoke(main, ["demo", "load"], env=env)
    assert again.exit_code == 1
    assert "already has data" in again.output
    too_early = CliRunner().invoke(main, ["demo", "load", "--today", "2013-12-31"], env=env)
    assert too_early.exit_code == 2
    assert "--today" in too_early.output
    assert "2013-12-31 is before the story's present (2014-03-14)" in too_early.output

    minted = run(env, "token", "create", "--email", "STAFF@network.example.org")
    secret = minted.stdout.strip()
    assert secret.startswith("icn_")
    assert len(secret) >= 40
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        hashes = [row[0] for row in connection.execute("SELECT token_hash FROM api_tokens")]
        dumped = "\n".join(connection.iterdump())
    assert hashes == [hashlib.sha256(secret.encode()).hexdigest()]
    assert secret not in dumped

    with sqlite3.connect(tmp_path / "cli.db") as connection:
        connection.execute(
            "INSERT INTO calendar_feeds (person_id, token_hash, created_at)"
            " SELECT id, 'feed-hash', '2014-04-01 00:00:00' FROM people"
            " WHERE email_key = 'staff@network.example.org'"
        )
    labelled = run(env, "token", "revoke", "--email", "staff@network.example.org", "--label", "x")
    assert labelled.output.strip() == "revoked 0 token(s) of staff@network.example.org"
    revoked = run(env, "token", "revoke", "--email", "staff@network.example.org")
    assert revoked.output.strip() == (
        "revoked 1 token(s) and 1 calendar feed(s) of staff@network.example.org"
    )
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        live = connection.execute("SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL")
        assert live.fetchone() == (0,)
        feeds = connection.execute("SELECT count(*) FROM calendar_feeds WHERE revoked_at IS NULL")
        assert feeds.fetchone() == (0,)

    unknown = CliRunner().invoke(main, ["token", "create", "--email", "nobody@x.org"], env=env)
    assert unknown.exit_code == 1
    assert "No person has the email 'nobody@x.org'" in unknown.output


def test_downgrade_to_base(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    assert "database at base" in run(env, "db", "downgrade", "base").output
    assert "base (behind" in run(env, "db", "current").output


def test_schema_export_writes_the_printed_schema(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    assert run(env, "schema", "export", "--output", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == printed_schema()
    assert run(env, "schema", "export", "--output", "-").output == printed_schema()


def test_plugins_migrate_on_their_own_history(env: dict[str, str]) -> None:
    env.pop("ICN_PLUGINS")
    listed = run(env, "plugins").output
    assert "icn-kudos (0.1.0) enabled" in listed
    assert (
        "hooks: load_demo_data, on_event, register_event_types, register_migrations,"
        " register_schema"
    ) in listed

    upgraded = run(env, "db", "upgrade").output
    assert "icn-kudos at kudos_0002" in upgraded
    assert "icn-kudos: kudos_0002 (up to date)" in run(env, "db", "current").output

    reverted = run(env, "db", "downgrade", "base", "--plugin", "icn-kudos").output
    assert "icn-kudos at base" in reverted
    assert "database at base" not in reverted  # core untouched

    run(env, "db", "upgrade")
    everything = run(env, "db", "downgrade", "base").output  # plugins first, then core
    assert "database at base" in everything
    assert "icn-kudos at base" in everything

    blocked = env | {"ICN_DISABLED_PLUGINS": "icn-kudos"}
    assert "icn-kudos (0.1.0) disabled" in run(blocked, "plugins").output


def test_a_database_without_migrations_gets_one_line_saying_what_to_run(
    env: dict[str, str],
) -> None:
    result = run(env, "notifications", "status")
    assert result.exit_code == 1
    assert "not up to date" in result.output
    assert "icn-graph db upgrade" in result.output
    assert "Traceback" not in result.output
