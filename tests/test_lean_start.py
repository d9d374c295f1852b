"""Start-up stays lean: the libraries of reports, imports and charts (numpy, pandas, scipy,
vl_convert) load where those run, not when the CLI starts or the server comes up (issue 16,
"Lean start"; `bench/bench_start.py` measures what this keeps: RSS and start-up time).

Each check runs in a fresh interpreter and reads its ``sys.modules``: in the test process,
other tests have long imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

# What reports, imports, charts and the demo's data use; none of them for serving or the CLI.
DATA_LIBRARIES = ("numpy", "pandas", "scipy", "vl_convert", "matplotlib", "PIL", "duckdb")
# What `icn-graph --help` has no use for: settings, the database layer, migrations, the schema.
SERVER_LIBRARIES = (
    "pydantic",
    "sqlalchemy",
    "alembic",
    "strawberry",
    "graphql",
    "starlette",
    "uvicorn",
)

REPORT = """
import json, sys
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""

# What `icn-graph serve` does before it listens: plugins (installed ones discovered), the
# migration heads it compares with the database, the app and its lifespan; then one request.
SERVE = """
import asyncio
import httpx
from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db import migration_state
from icn_graph.host import load_plugins

settings = Settings(_env_file=None)
plugins = load_plugins(settings)
migration_state.heads_by_track(plugins)
app = create_app(settings, plugins=plugins)

async def start_and_ask() -> None:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://lean") as client:
            answer = await client.post("/graphql", json={"query": "{ __typename }"})
            assert answer.json()["data"] == {"__typename": "Query"}, answer.text

asyncio.run(start_and_ask())
"""


def loaded_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The top-level packages in ``sys.modules`` after running ``code`` in a new interpreter."""
    completed = subprocess.run(
        [sys.executable, "-c", code + REPORT],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return set(json.loads(completed.stdout.splitlines()[-1]))


def test_importing_the_cli_loads_no_data_library_settings_database_or_schema() -> None:
    loaded = loaded_after("import icn_graph.cli")
    assert loaded.isdisjoint(DATA_LIBRARIES), sorted(loaded.intersection(DATA_LIBRARIES))
    assert loaded.isdisjoint(SERVER_LIBRARIES), sorted(loaded.intersection(SERVER_LIBRARIES))


def test_help_and_config_load_no_data_library() -> None:
    for command in ("--help", "config"):
        loaded = loaded_after(
            "import contextlib\n"
            "from icn_graph.cli import main\n"
            "with contextlib.suppress(SystemExit):\n"
            f"    main([{command!r}])\n",
            env={"ICN_LOG_LEVEL": "WARNING"},
        )
        assert loaded.isdisjoint(DATA_LIBRARIES), (command, loaded.intersection(DATA_LIBRARIES))
        if command == "--help":
            assert loaded.isdisjoint(SERVER_LIBRARIES), loaded.intersection(SERVER_LIBRARIES)
        else:  # settings are read and checked without the database layer
            assert "sqlalchemy" not in loaded


def test_a_started_server_has_loaded_no_data_library(migrated_url: str) -> None:
    loaded = loaded_after(SERVE, env={"ICN_DATABASE_URL": migrated_url})
    assert "icn_kudos" in loaded  # installed plugins were discovered and loaded too
    assert loaded.isdisjoint(DATA_LIBRARIES), sorted(loaded.intersection(DATA_LIBRARIES))
    # Nor Alembic (and Mako with it): the server reads migration heads from the files.
    assert loaded.isdisjoint({"alembic", "mako"}), sorted(loaded.intersection({"alembic", "mako"}))


def test_the_data_libraries_load_where_a_report_needs_them() -> None:
    """The other side: the stand-ins import the real library on first use (a check that the
    test above could fail, and that the measures still compute)."""
    loaded = loaded_after(
        "from icn_graph.reports.run_chart import run_chart\n"
        "assert run_chart([1.0, 2.0, 3.0, 2.0]).centre == 2.0\n"
    )
    assert "numpy" in loaded
    assert "pandas" not in loaded
