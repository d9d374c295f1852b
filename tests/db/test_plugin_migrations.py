"""A plugin's migrations run as one transaction on both databases: a revision that fails leaves
the database exactly as it was (no half-created table on SQLite either) and says, in one line,
which plugin and which revision; batch-mode revisions still work inside that transaction."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import column, inspect, select, table, text

from icn_graph import cli, host
from icn_graph.config import Settings
from icn_graph.db import migrations
from icn_graph.db.database import Database, create_engine
from icn_graph.host import load_plugins
from icn_graph.plugins import MigrationLocation, hookimpl
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import snapshot
from tests.conftest import BACKENDS, fresh_database_url

CREATE_NOTES = """
op.create_table(
    "plugin_notes",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("body", sa.String(200), nullable=False),
)
op.bulk_insert(
    sa.table("plugin_notes", sa.column("id", sa.Integer()), sa.column("body", sa.String())),
    [{"id": 1, "body": "kept across the batch copy"}],
)
"""
# On SQLite this copies the table into a new one and renames it: several statements that must
# commit or roll back together.
ADD_TITLE_IN_BATCH = """
with op.batch_alter_table("plugin_notes", recreate="always") as batch:
    batch.add_column(sa.Column("title", sa.String(80), nullable=True))
    batch.create_index("ix_plugin_notes_title", ["title"])
"""
CREATE_THEN_FAIL = """
op.create_table("plugin_half_done", sa.Column("id", sa.Integer(), primary_key=True))
op.execute("INSERT INTO no_such_table (id) VALUES (1)")
"""


def write_revisions(folder: Path, *bodies: str) -> None:
    """One revision script per body: ``notes_0001``, ``notes_0002``, ... in a chain."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, body in enumerate(bodies, start=1):
        revision = f"notes_{number:04d}"
        previous = repr(f"notes_{number - 1:04d}") if number > 1 else "None"
        script = (
            f'"""revision {number}"""\n\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            f"revision = {revision!r}\ndown_revision = {previous}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade() -> None:\n{textwrap.indent(body.strip(), '    ')}\n\n\n"
            "def downgrade() -> None:\n    pass\n"
        )
        (folder / f"{revision}.py").write_text(script, encoding="utf-8")


class NotesPlugin:
    """A plugin whose only hook is its migrations (its tables have no models)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @hookimpl
    def register_migrations(self) -> MigrationLocation:
        return MigrationLocation(path=self.folder, owns_module="tests.db.notes_models")


@pytest.fixture(params=BACKENDS)
async def core_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with core's migrations applied and nothing else."""
    url = await fresh_database_url(request.param, tmp_path, "plugin_migrations")
    await asyncio.to_thread(migrations.upgrade, url)
    return url


def host_with(folder: Path, url: str) -> PluginHost:
    settings = Settings(database_url=url, _env_file=None)  # type: ignore[arg-type,call-arg]
    return load_plugins(settings, extra=[("notes", NotesPlugin(folder))], discover=False)


async def state(url: str) -> dict[str, Any]:
    """Every table, every version table's rows, and every row of core's and the plugin's tables."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            tables = sorted(await connection.run_sync(lambda s: inspect(s).get_table_names()))
            versions = {
                name: sorted(
                    (await connection.execute(select(table(name, column("version_num"))))).all()
                )
                for name in tables
                if name.startswith("alembic_version")
            }
            notes = (
                [tuple(row) for row in await connection.execute(text("SELECT * FROM plugin_notes"))]
                if "plugin_notes" in tables
                else None
            )
            columns = (
                [
                    column["name"]
                    for column in await connection.run_sync(
                        lambda s: inspect(s).get_columns("plugin_notes")
                    )
                ]
                if "plugin_notes" in tables
                else None
            )
    finally:
        await engine.dispose()
    database = Database.from_url(url)
    try:
        rows = await snapshot(database)
    finally:
        await database.dispose()
    return {
        "tables": tables,
        "versions": versions,
        "notes": notes,
        "columns": columns,
        "rows": rows,
    }


async def test_a_failing_revision_leaves_the_database_as_it_was(
    core_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "notes_versions"
    write_revisions(folder, CREATE_NOTES, ADD_TITLE_IN_BATCH, CREATE_THEN_FAIL)
    track = migrations.track_named("notes", host_with(folder, core_url))
    before = await state(core_url)

    with pytest.raises(migrations.MigrationFailed) as failed:
        await asyncio.to_thread(migrations.upgrade, core_url, "heads", track=track)

    message = str(failed.value)
    assert message.startswith("plugin 'notes' migration notes_0003 failed (upgrade): ")
    assert "no_such_table" in message
    assert "\n" not in message
    after = await state(core_url)
    assert after == before
    assert "plugin_notes" not in after["tables"]  # revisions 1 and 2 were rolled back too
    assert "plugin_half_done" not in after["tables"]
    assert "alembic_version_notes" not in after["tables"]


async def test_batch_revisions_apply_in_the_transaction_and_a_later_failure_keeps_them(
    core_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "notes_versions"
    write_revisions(folder, CREATE_NOTES, ADD_TITLE_IN_BATCH)
    track = migrations.track_named("notes", host_with(folder, core_url))
    await asyncio.to_thread(migrations.upgrade, core_url, "heads", track=track)
    applied = await state(core_url)
    assert applied["versions"]["alembic_version_notes"] == [("notes_0002",)]
    assert applied["columns"] == ["id", "body", "title"]
    assert applied["notes"] == [(1, "kept across the batch copy", None)]

    write_revisions(folder, CREATE_NOTES, ADD_TITLE_IN_BATCH, CREATE_THEN_FAIL)
    with pytest.raises(migrations.MigrationFailed, match="plugin 'notes' migration notes_0003"):
        await asyncio.to_thread(migrations.upgrade, core_url, "heads", track=track)
    assert await state(core_url) == applied


def test_the_cli_prints_the_failure_as_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "notes_versions"
    write_revisions(folder, CREATE_NOTES, CREATE_THEN_FAIL)
    plugin = NotesPlugin(folder)
    # The command imports the loader when it runs, from icn_graph.host.
    monkeypatch.setattr(
        host,
        "load_plugins",
        lambda settings: load_plugins(settings, extra=[("notes", plugin)], discover=False),
    )
    env = {
        "ICN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "ICN_LOG_LEVEL": "WARNING",
    }
    result = CliRunner().invoke(cli.main, ["db", "upgrade"], env=env)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert errors == [
        "Error: plugin 'notes' migration notes_0002 failed (upgrade): "
        "OperationalError: no such table: no_such_table; "
        "its run was rolled back; histories upgraded before it stay upgraded"
    ]
    assert "Traceback" not in result.output
    current = CliRunner().invoke(cli.main, ["db", "current"], env=env)
    assert "notes: base (behind (latest: notes_0002))" in current.output  # core upgraded first
