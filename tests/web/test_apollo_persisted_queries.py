"""Apollo Client's persisted-query link against a real ``icn-graph serve``
(``tests/apollo/persisted_check.mjs``): a GET by the hash misses, the link registers the query
over POST, and the next client's GET by the hash alone is answered (docs/api.md, "Persisted
queries")."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest

from icn_graph.testing import BACKENDS, free_port, fresh_database_url
from tests.web.serve_process import Running, cli_env, wait_for_readyz, wait_until_listening
from tests.web.test_apollo_cache import CHECK, _cli, _require_node


@pytest.mark.parametrize("backend", BACKENDS)
async def test_apollo_clients_persisted_queries_over_get(backend: str, tmp_path: Path) -> None:
    node = _require_node()
    url = await fresh_database_url(backend, tmp_path, "apollo_persisted")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = cli_env(ICN_DATABASE_URL=url, ICN_PORT=str(port), ICN_NETWORK_NAME="Persisted")
    await asyncio.to_thread(_cli, env, "db", "upgrade")
    server = Running(env, tmp_path / "serve.log", "serve")
    try:
        await wait_until_listening(base, server)
        await wait_for_readyz(base, 200, server)
        done = await asyncio.to_thread(
            subprocess.run,
            [node, "persisted_check.mjs", f"{base}/graphql"],
            cwd=CHECK,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert (
        report["first"]
        == report["second"]
        == {"network": {"__typename": "Network", "name": "Persisted"}}
    )
    assert [request["method"] for request in report["sent"]] == ["GET", "POST", "GET"]
