"""Where the migration histories stand, read without Alembic (icn_graph/db/migration_state.py):
the same heads as Alembic for every installed history, the applied revisions from the version
tables, and a server that answers ``/readyz`` without ever importing Alembic."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from icn_graph.config import Settings
from icn_graph.db import migration_state, migration_tracks, migrations
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from tests.web.serve_process import cli_env, printed_json

ANY_URL = "sqlite+aiosqlite://"  # Alembic's config wants one; reading heads opens nothing


def test_every_installed_history_has_the_heads_alembic_finds() -> None:
    settings = Settings(database_url=SecretStr(ANY_URL), plugins="")  # every installed plugin
    host = load_plugins(settings)
    found = migration_tracks.tracks(host)
    assert {track.name for track in found} >= {
        "core.tables",
        "icn-codesign",
        "icn-kudos",
        "icn-panels",
    }
    for track in found:
        heads = migration_state.file_heads(track)
        assert heads, track.name
        assert heads == migrations.head_revisions(track), track.name


def history(folder: Path, scripts: dict[str, str]) -> migration_tracks.Track:
    versions = folder / "versions"
    versions.mkdir()
    for name, script in scripts.items():
        (versions / f"{name}_x.py").write_text(f'"""{name}"""\n{script}', encoding="utf-8")
    return migration_tracks.Track("t", str(versions), "alembic_version_t", "t")


def test_a_merge_and_a_branch_are_read_as_alembic_reads_them(tmp_path: Path) -> None:
    track = history(
        tmp_path,
        {
            "a": "revision = 'a'\ndown_revision = None\n",
            "b": "revision: str = 'b'\ndown_revision: str | None = 'a'\n",
            "c": "revision = 'c'\ndown_revision = 'a'\ndepends_on = 'b'\n",
            "m": "revision = 'm'\ndown_revision = ('b', 'c')\n",
            "d": "revision = 'x'\nrevision = 'd'\ndown_revision = ['a']\n",  # the last one counts
        },
    )
    versions = Path(track.versions_path)
    (versions / "__init__.py").write_text("revision = 'no'\n", encoding="utf-8")
    (versions / ".#m_x.py").symlink_to(versions / "gone")  # an editor's lock file
    (versions / "notes.txt").write_text("revision = 'no'\n", encoding="utf-8")
    assert migration_state.file_heads(track) == {"m", "d"}
    assert migrations.head_revisions(track) == {"m", "d"}


@pytest.mark.parametrize(
    "second",
    [
        "PARENT = 'a'\nrevision = 'b'\ndown_revision = PARENT\n",  # computed
        "revision, down_revision = 'b', 'a'\n",  # not one name per assignment
        "revision = 'b'\ndown_revision = 'a'\nbranch_labels = ('main',)\n",
    ],
    ids=["computed", "tuple-assigned", "labelled"],
)
def test_a_history_it_cannot_read_is_asked_of_alembic(tmp_path: Path, second: str) -> None:
    track = history(tmp_path, {"a": "revision = 'a'\ndown_revision = None\n", "b": second})
    assert migration_state.file_heads(track) == {"b"}


async def test_the_applied_revisions_are_read_from_the_version_table(migrated_url: str) -> None:
    database = Database.from_url(migrated_url)
    try:
        core = migration_tracks.core_track()
        applied = await migration_state.current_revisions(database.engine, core)
        assert applied == migration_state.file_heads(core)
        missing = migration_tracks.Track(
            "nobody", core.versions_path, "alembic_version_nobody", "x"
        )
        assert await migration_state.current_revisions(database.engine, missing) == set()
        async with database.engine.begin() as connection:
            await connection.execute(text("CREATE TABLE alembic_version_nobody (version_num text)"))
        try:
            assert await migration_state.current_revisions(database.engine, missing) == set()
        finally:
            async with database.engine.begin() as connection:
                await connection.execute(text("DROP TABLE alembic_version_nobody"))
    finally:
        await database.dispose()


READY_WITHOUT_ALEMBIC = """
import asyncio, json, sys
from icn_graph.cli import _draining_server
from icn_graph.config import Settings
from icn_graph.host import load_plugins

settings = Settings()
server = _draining_server(settings, load_plugins(settings))
readiness = server.config.app.state.readiness
status, body = asyncio.run(readiness.report())
print(json.dumps({"status": status, "body": body, "alembic": "alembic" in sys.modules}))
"""


@pytest.mark.parametrize("migrated", [True, False], ids=["migrated", "empty"])
def test_a_server_reports_readiness_without_importing_alembic(
    migrated: bool, migrated_url: str, tmp_path: Path
) -> None:
    url = migrated_url if migrated else f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    seen = printed_json(READY_WITHOUT_ALEMBIC, cli_env(ICN_DATABASE_URL=url))
    assert seen["alembic"] is False
    if migrated:
        assert (seen["status"], seen["body"]["migrations"]) == (200, "ok")
    else:
        assert (seen["status"], seen["body"]["migrations"]) == (503, "behind")
