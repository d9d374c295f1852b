"""Core's migrations in the top-level ``alembic/``, registered through ``register_migrations``
like a plugin's: ``alembic upgrade heads`` from the checkout does what ``icn-graph db upgrade``
does (core's history, then every installed plugin's, each on its own version table)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import column, inspect, select, table

from icn_graph.cli import main
from icn_graph.db import migrations
from icn_graph.db.database import create_engine
from icn_graph.host import core_host
from tests.conftest import BACKENDS, fresh_database_url

ROOT = Path(__file__).resolve().parents[2]


def test_core_registers_its_history_through_the_hook() -> None:
    host = core_host()
    registering = [plugin for plugin, _ in host.migration_locations()]
    assert registering == ["core.tables"]
    assert migrations.tracks(host) == [migrations.core_track()]
    assert migrations.core_track().version_table == "alembic_version"
    assert Path(migrations.core_track().versions_path) == ROOT / "alembic" / "versions"


async def _tables_and_versions(url: str) -> tuple[list[str], dict[str, list[str]]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            tables = sorted(await connection.run_sync(lambda s: inspect(s).get_table_names()))
            versions = {
                name: sorted(
                    row[0]
                    for row in await connection.execute(select(table(name, column("version_num"))))
                )
                for name in tables
                if name.startswith("alembic_version")
            }
    finally:
        await engine.dispose()
    return tables, versions


@pytest.mark.parametrize("backend", BACKENDS)
async def test_alembic_upgrade_heads_does_what_icn_graph_db_upgrade_does(
    backend: str, tmp_path: Path
) -> None:
    by_alembic = await fresh_database_url(backend, tmp_path, "by_alembic")
    by_cli = await fresh_database_url(backend, tmp_path, "by_icn_graph")
    env = {key: value for key, value in os.environ.items() if not key.startswith("ICN_")}
    alembic = Path(sys.executable).parent / "alembic"
    ran = await asyncio.to_thread(
        subprocess.run,
        [str(alembic), "-x", f"url={by_alembic}", "upgrade", "heads"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["db", "upgrade"], env={"ICN_DATABASE_URL": by_cli}
    )
    assert result.exit_code == 0, result.output

    tables, versions = await _tables_and_versions(by_alembic)
    assert (tables, versions) == await _tables_and_versions(by_cli)
    assert versions["alembic_version"] == sorted(migrations.head_revisions())
    assert versions["alembic_version_icn_kudos"] == ["kudos_0002"]  # the installed plugin
    assert "kudos" in tables
