"""``icn-graph plugin new NAME`` writes a plugin that passes its own tests on both databases.

The generated plugin's tests run in a separate pytest process (its own rootdir, conftest and
settings, as its author would run them), against a PostgreSQL database of its own so they can't
disturb this session's. It is not pip-installed: its conftest registers it, and its folder is on
``sys.path`` as pytest's rootdir.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from icn_graph.cli import main
from icn_graph.scaffold import TEMPLATES, PluginNames
from icn_graph.testing import fresh_database_url


def new_plugin(name: str, where: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(where)
    env = {"ICN_LOG_LEVEL": "WARNING", "ICN_DATABASE_URL": "sqlite+aiosqlite:///:memory:"}
    return CliRunner().invoke(main, ["plugin", "new", name], env=env)


def _environment(postgres_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.pop("ICN_TEST_POSTGRES_URL", None)
    if postgres_url is not None:
        env["ICN_TEST_POSTGRES_URL"] = postgres_url
    return env


async def test_a_new_plugin_passes_its_own_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = new_plugin("demo-plugin", tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    target = tmp_path / "demo-plugin"
    assert f"wrote {target} (plugin demo-plugin, package demo_plugin)" in result.output
    pyproject = (target / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points.icn_graph]\n"demo-plugin" = "demo_plugin.plugin"' in pyproject
    conftest = (target / "conftest.py").read_text(encoding="utf-8")
    assert 'pytest_plugins = ["icn_graph.testing"]' in conftest

    postgres = None
    if os.environ.get("ICN_TEST_POSTGRES_URL"):
        postgres = await fresh_database_url("postgresql", tmp_path, "scaffold")
    run = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(target)],
        cwd=tmp_path,
        env=_environment(postgres),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    passed = re.search(r"(\d+) passed", run.stdout)
    assert passed, run.stdout
    # Five tests, each on SQLite and (when configured) PostgreSQL.
    assert int(passed.group(1)) == (10 if postgres else 5), run.stdout


def test_its_migration_matches_its_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Alembic finds nothing to add: the template's revision creates exactly the model's table."""
    assert new_plugin("demo-plugin", tmp_path, monkeypatch).exit_code == 0
    script = textwrap.dedent(
        f"""
        import demo_plugin.plugin
        from icn_graph.config import Settings
        from icn_graph.db import migrations
        from icn_graph.host import load_plugins

        url = "sqlite+aiosqlite:///{tmp_path / "check.db"}"
        host = load_plugins(
            Settings(_env_file=None), extra=[("demo-plugin", demo_plugin.plugin)], discover=False
        )
        migrations.upgrade_all(url, host)
        track = migrations.track_named("demo-plugin", host)
        assert track.version_table == "alembic_version_demo_plugin", track.version_table
        migrations.check(url, track)
        """
    )
    env = _environment(None) | {"PYTHONPATH": str(tmp_path / "demo-plugin")}
    run = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr[-3000:]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("demo plugin", "'demo plugin' is not a valid distribution name"),
        ("_demo", "'_demo' is not a valid distribution name"),
        ("demo-", "'demo-' is not a valid distribution name"),
        ("9lives", "'9lives' must start with a letter"),
        ("x" * 41, f"'{'x' * 41}' is 41 characters long; at most 40"),
        ("class", "'class' is taken"),
        ("core", "'core' is taken"),
        ("icn-graph", "'icn-graph' is taken"),
        ("json", "a module named 'json' is already importable here"),
        ("icn-kudos", "a module named 'icn_kudos' is already importable here"),
    ],
)
def test_bad_names_are_refused(
    name: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = new_plugin(name, tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "demo-plugin").mkdir()
    (tmp_path / "demo-plugin" / "notes.txt").write_text("mine", encoding="utf-8")
    result = new_plugin("demo-plugin", tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert f"Error: {tmp_path / 'demo-plugin'} already exists" in result.output
    assert [path.name for path in (tmp_path / "demo-plugin").iterdir()] == ["notes.txt"]
    assert (tmp_path / "demo-plugin" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_names_derive_from_the_distribution_name() -> None:
    assert PluginNames.parse("Panels.For-Parents_2") == PluginNames(
        name="Panels.For-Parents_2",
        package="panels_for_parents_2",
        title="PanelsForParents2",
        camel="panelsForParents2",
        table="panels_for_parents_2_notes",
        revision="panels_for_parents_2_0001",
    )


def test_every_template_ships_as_package_data() -> None:
    """pyproject.toml ships ``scaffold/templates/**/*.jinja``: every template must match it."""
    templates = [path for path in TEMPLATES.rglob("*") if path.is_file()]
    assert len(templates) >= 10
    assert [path for path in templates if path.suffix != ".jinja"] == []
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8")
    assert '"scaffold/templates/**/*.jinja"' in pyproject
