"""bench/run.py (``make bench``): the table it prints from figures, how it treats a bench that is
missing, skips itself or fails, and that every bench it lists still offers ``figures(quick)``.
No benchmark runs here: fake bench modules stand in for them."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
RUN = BENCH / "run.py"


@pytest.fixture
def run() -> Iterator[ModuleType]:
    saved = list(sys.path)
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("run")
    finally:
        sys.path[:] = saved


def test_the_table_shows_ratio_targets_and_whether_they_are_met(run: ModuleType) -> None:
    figure = importlib.import_module("figures").Figure
    figures = [
        figure("page", 40.0, 160.0, "req/s", "raw app", True, 0.25, note="10 clients"),
        figure("import", 30_000.0, 60_000.0, "rows/s", "raw COPY", True, 0.6),
        figure("RSS", 114.0, 45.0, "MB", "hello app", False, None, absolute_target=120.0),
        figure("p95", 450.0, 90.0, "ms", "raw app", False, None, absolute_target=500, errors=3),
        figure("config", 0.7, 0.4, "s", "hello app", False, None),
    ]
    outcomes = [
        run.Outcome("a", figures=figures),
        run.Outcome("b", skipped="bench/b.py is not here (yet)"),
        run.Outcome("c", error="exit status 1"),
    ]
    lines = run.table(outcomes).splitlines()
    assert lines[0].split() == ["figure", "ours", "anchor", "ratio", "target", "met?"]
    page, imported, rss, p95, config = lines[2:7]
    assert "0.25x" in page
    assert ">= 0.25x" in page
    assert "(raw app)" in page
    assert page.rstrip().endswith("yes")
    assert "0.50x" in imported
    assert ">= 0.6x" in imported
    assert imported.rstrip().endswith("NO")
    assert "114 MB" in rss
    assert "2.53x" in rss
    assert "<= 120 MB" in rss
    assert rss.rstrip().endswith("yes")
    assert "<= 500 ms, 0 errors" in p95
    assert p95.rstrip().endswith("NO")
    assert "(reported)" in config
    assert config.rstrip().endswith("-")
    below = lines[7:]
    assert "  page: 10 clients" in below
    assert "  p95: 3 errors while measuring." in below
    assert "  skipped b: bench/b.py is not here (yet)" in below
    assert "  FAILED c: exit status 1" in below

    markdown = run.table(outcomes, markdown=True).splitlines()
    assert markdown[0] == "| figure | ours | anchor | ratio | target | met? |"
    assert markdown[1] == "|---|---|---|---|---|---|"
    assert markdown[3] == (
        "| import | 30,000 rows/s | 60,000 rows/s (raw COPY) | 0.50x | >= 0.6x | NO |"
    )
    assert "- FAILED c: exit status 1" in markdown


FAKES = {
    "fake_ok": """
from figures import Figure
def figures(quick: bool) -> list[Figure]:
    print("measuring quick" if quick else "measuring full")
    return [Figure("fake page", 10.0, 100.0, "req/s", "fake raw", True, 0.25)]
""",
    "fake_skip": """
from figures import Skipped
def figures(quick: bool):
    raise Skipped("no npm here")
""",
    "fake_broken": """
def figures(quick: bool):
    raise RuntimeError("the bench broke")
""",
}


def runner(tmp_path: Path, *modules: str) -> subprocess.CompletedProcess[str]:
    for name, source in FAKES.items():
        (tmp_path / f"{name}.py").write_text(source)
    return subprocess.run(
        [sys.executable, str(RUN), f"--path={tmp_path}", "--only", *modules],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        # Given, the database is used as it is (nothing is created); the fakes never connect.
        env={"ICN_BENCH_POSTGRES_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none", "PATH": ""},
    )


def test_a_missed_target_is_printed_but_is_no_failure(tmp_path: Path) -> None:
    done = runner(tmp_path, "fake_ok", "fake_skip", "not_written_yet")
    assert done.returncode == 0, done.stderr
    assert "measuring quick" in done.stdout
    row = next(line for line in done.stdout.splitlines() if line.startswith("fake page"))
    assert row.split() == [
        *("fake", "page", "10.0", "req/s", "100", "req/s", "(fake", "raw)"),
        *("0.10x", ">=", "0.25x", "NO"),
    ]
    assert "skipped fake_skip: no npm here" in done.stdout
    assert "skipped not_written_yet: bench/not_written_yet.py is not here (yet)" in done.stdout


def test_a_failing_bench_fails_the_run_after_the_table(tmp_path: Path) -> None:
    done = runner(tmp_path, "fake_broken", "fake_ok")
    assert done.returncode == 1
    assert "the bench broke" in done.stderr
    table = done.stdout.split("make bench (quick)")[1]
    assert "fake page" in table
    assert "FAILED fake_broken: exit status 1" in table


def test_every_listed_bench_that_exists_offers_figures(run: ModuleType) -> None:
    present = [name for name in run.MODULES if (BENCH / f"{name}.py").exists()]
    assert {"bench_start", "bench_import", "http_center_page", "serve_workers"} <= set(present)
    for name in present:
        tree = ast.parse((BENCH / f"{name}.py").read_text())
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert "figures" in functions, f"bench/{name}.py has no figures(quick)"
        assert [argument.arg for argument in functions["figures"].args.args] == ["quick"]


def test_postgraphile_is_skipped_with_a_reason_where_npm_is_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = list(sys.path)
    sys.path.insert(0, str(BENCH))
    try:
        http_center_page = importlib.import_module("http_center_page")
    finally:
        sys.path[:] = saved
    for name in ("package.json", "package-lock.json"):
        (tmp_path / name).write_bytes((BENCH / "postgraphile" / name).read_bytes())
    monkeypatch.setenv("PATH", str(tmp_path))  # neither node nor npm there
    assert http_center_page.postgraphile_binary(tmp_path) == (
        None,
        "node and npm are not on PATH",
    )
    assert not (tmp_path / "node_modules").exists()
