"""Apollo Client's cache stays right after every mutation (core's and the installed plugins'):
``tests/apollo/cache_check.mjs`` drives a real ApolloClient with InMemoryCache against a real
``icn-graph serve`` over the demo network, with no ``update`` functions and no refetches, and
compares each screen's cached query with a fresh network-only fetch (docs/api.md, "Using Apollo
Client"). Node and the packages of ``tests/apollo`` are needed: ``npm ci --prefix tests/apollo``."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from icn_graph.demo.personas import DEMO_PERSONAS
from icn_graph.testing import BACKENDS, free_port, fresh_database_url
from tests.web.serve_process import (
    ROOT,
    Running,
    cli_env,
    run_cli,
    wait_for_readyz,
    wait_until_listening,
)

CHECK = ROOT / "tests" / "apollo"
NODE = shutil.which("node")


def _require_node() -> str:
    if NODE is None:
        pytest.skip("node is not on PATH: the Apollo Client check runs in Node")
    if not (CHECK / "node_modules" / "@apollo" / "client").is_dir():
        pytest.fail(
            "tests/apollo/node_modules is missing: run `npm ci --prefix tests/apollo` "
            "(make install-dev does when npm is on PATH)"
        )
    return NODE


def _cli(env: dict[str, str], *args: str) -> str:
    done = run_cli(env, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize("backend", BACKENDS)
async def test_apollo_cache_stays_right_after_every_mutation(backend: str, tmp_path: Path) -> None:
    node = _require_node()
    url = await fresh_database_url(backend, tmp_path, "apollo_cache")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Every installed plugin (cli_env allows only core): their mutations are checked too.
    env = cli_env(ICN_DATABASE_URL=url, ICN_PORT=str(port), ICN_PLUGINS="")
    await asyncio.to_thread(_cli, env, "db", "upgrade")
    await asyncio.to_thread(_cli, env, "demo", "load")
    tokens = {
        persona: (await asyncio.to_thread(_cli, env, "token", "create", "--email", email)).strip()
        for persona, email in DEMO_PERSONAS.items()
    }
    server = Running(env, tmp_path / "serve.log", "serve")
    try:
        await wait_until_listening(base, server)
        await wait_for_readyz(base, 200, server)
        done = await asyncio.to_thread(
            subprocess.run,
            [node, "cache_check.mjs", f"{base}/graphql", json.dumps(tokens)],
            cwd=CHECK,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        server.stop()
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["failed"] == 0, report
    # Every mutation of the schema was accounted for: run, or listed with why.
    assert summary["passed"] + summary["refetchNeeded"] + summary["notRun"] == summary["mutations"]
    assert "Traceback" not in server.output
