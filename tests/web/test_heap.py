"""The server process settles its heap once the app is built (icn_graph/web/heap.py): start-up's
objects are frozen out of later collections and the first generation's threshold is raised.
Checked in a process of its own: freezing would change this test process's collector."""

from __future__ import annotations

from pathlib import Path

from icn_graph.web.heap import THRESHOLDS
from tests.web.serve_process import cli_env, printed_json

SERVER_BUILT = """
import gc, json
from icn_graph.cli import _draining_server
from icn_graph.config import Settings
from icn_graph.host import load_plugins

before = {"frozen": gc.get_freeze_count(), "thresholds": gc.get_threshold()}
settings = Settings()
_draining_server(settings, load_plugins(settings))
after = {"frozen": gc.get_freeze_count(), "thresholds": gc.get_threshold()}
print(json.dumps({"before": before, "after": after}))
"""


def test_the_server_freezes_start_up_objects_and_raises_the_thresholds(tmp_path: Path) -> None:
    env = cli_env(ICN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'heap.db'}")
    seen = printed_json(SERVER_BUILT, env)
    assert seen["before"]["frozen"] == 0
    assert seen["before"]["thresholds"] != list(THRESHOLDS)
    # The schema alone is tens of thousands of objects; all of it is frozen.
    assert seen["after"]["frozen"] > 100_000
    assert seen["after"]["thresholds"] == list(THRESHOLDS)
