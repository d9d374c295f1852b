"""A plugin's test suite without the pytest settings the fixtures need is told what to set."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_missing_asyncio_settings_are_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nasyncio_mode = "auto"\n')
    (tmp_path / "test_plugin.py").write_text("async def test_it(db):\n    pass\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert (
        "icn_graph.testing needs these pytest settings (in pyproject.toml, under "
        '[tool.pytest.ini_options]): asyncio_default_fixture_loop_scope = "session", '
        'asyncio_default_test_loop_scope = "session"'
    ) in result.stdout + result.stderr
