"""``make bench``: every benchmark of issue 16 at a size that fits 2 cores in a few minutes, and
one table of their figures: ours, the anchor (named) measured interleaved in the same run, the
ratio, the target and whether it is met.

    .venv/bin/python bench/run.py [--full] [--markdown] [--only MODULE ...]

Each module in ``MODULES`` (a file ``bench/MODULE.py``) exposes ``figures(quick) -> list[Figure]``
(bench/figures.py) and runs in a process of its own, so one bench's imports, memory and event
loop never touch the next one's. A module that is not here is skipped with a message, and so is
one whose ``figures()`` raises ``Skipped`` (PostGraphile without npm, say). A bench that fails is
reported and makes the exit status 1 once the table is printed; a missed target does not (it is
printed as ``NO``).

PostgreSQL: ``ICN_BENCH_POSTGRES_URL`` when set (the benches empty it: a scratch database);
otherwise a database ``icn_bench_<pid>`` created for the run on the server of
``ICN_TEST_POSTGRES_URL`` (default ``postgresql+asyncpg://postgres@127.0.0.1:5432/``) and
dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (str(ROOT), str(BENCH)):  # `from figures import ...` and `from bench.figures ...`
    if _path not in sys.path:
        sys.path.insert(0, _path)

from figures import Figure, Skipped  # noqa: E402

# The order of the table. bench_execution and live_fanout come with issue 16's items 2 and 3.
MODULES = (
    "bench_start",
    "bench_import",
    "http_center_page",
    "serve_workers",
    "bench_execution",
    "live_fanout",
)
DEFAULT_SERVER_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
FIELDS = {item.name for item in dataclasses.fields(Figure)}


@dataclass
class Outcome:
    """What one module gave: its figures, or why it gave none."""

    module: str
    figures: list[Figure] = field(default_factory=list)
    skipped: str | None = None
    error: str | None = None
    seconds: float = 0.0


# --- formatting ---------------------------------------------------------------------------


def number(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def target_text(figure: Figure) -> str:
    sign = ">=" if figure.higher_is_better else "<="
    parts = []
    if figure.target is not None:
        parts.append(f"{sign} {figure.target:g}x")
    if figure.absolute_target is not None:
        parts.append(f"{sign} {figure.absolute_target:g} {figure.unit}")
    if figure.errors and parts:
        parts.append("0 errors")
    return ", ".join(parts) or "(reported)"


def met_text(figure: Figure) -> str:
    met = figure.meets_target
    return "-" if met is None else ("yes" if met else "NO")


def rows(figures: Sequence[Figure]) -> list[list[str]]:
    return [
        [
            figure.name,
            f"{number(figure.ours)} {figure.unit}",
            f"{number(figure.anchor)} {figure.unit} ({figure.anchor_name})",
            f"{number(figure.ratio)}x",
            target_text(figure),
            met_text(figure),
        ]
        for figure in figures
    ]


HEADER = ["figure", "ours", "anchor", "ratio", "target", "met?"]


def notes(figures: Sequence[Figure]) -> list[str]:
    lines = []
    for figure in figures:
        text = figure.note
        if figure.errors:
            text = f"{figure.errors} errors while measuring. {text}".strip()
        if text:
            lines.append(f"{figure.name}: {text}")
    return lines


def table(outcomes: Sequence[Outcome], *, markdown: bool = False) -> str:
    """The one table, then the notes, skips and failures beneath it."""
    figures = [figure for outcome in outcomes for figure in outcome.figures]
    body = rows(figures)
    lines: list[str] = []
    if markdown:
        lines.append("| " + " | ".join(HEADER) + " |")
        lines.append("|" + "|".join("---" for _ in HEADER) + "|")
        lines.extend("| " + " | ".join(cells) + " |" for cells in body)
    else:
        widths = [max(len(row[i]) for row in [HEADER, *body]) for i in range(len(HEADER))]
        for cells in [HEADER, ["-" * width for width in widths], *body]:
            lines.append("  ".join(map(str.ljust, cells, widths)).rstrip())
    bullet = "- " if markdown else "  "
    below = [f"{bullet}{line}" for line in notes(figures)]
    for outcome in outcomes:
        if outcome.skipped:
            below.append(f"{bullet}skipped {outcome.module}: {outcome.skipped}")
        if outcome.error:
            below.append(f"{bullet}FAILED {outcome.module}: {outcome.error}")
    if below:
        lines.extend(["", *below])
    return "\n".join(lines)


# --- running ------------------------------------------------------------------------------


def run_module(name: str, quick: bool, result: Path) -> None:
    """In the child: the module's figures as JSON in ``result`` (or why there are none)."""
    module = importlib.import_module(name)
    try:
        figures = module.figures(quick)
    except Skipped as skipped:
        payload: dict[str, Any] = {"skipped": str(skipped)}
    else:
        payload = {"figures": [dataclasses.asdict(figure) for figure in figures]}
    result.write_text(json.dumps(payload))


def measure(name: str, quick: bool, env: dict[str, str], folders: Sequence[Path]) -> Outcome:
    """One module in a process of its own; its progress goes straight to the terminal."""
    if not any((folder / f"{name}.py").exists() for folder in folders):
        return Outcome(name, skipped=f"bench/{name}.py is not here (yet)")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="icn-bench-run-") as folder:
        result = Path(folder) / "figures.json"
        command = [sys.executable, __file__, "--module", name, "--result", str(result)]
        command += [f"--path={path}" for path in folders if path != BENCH]
        done = subprocess.run(  # noqa: S603 (this very script)
            [*command, *([] if quick else ["--full"])], env=env, check=False
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0 or not result.exists():
            return Outcome(name, error=f"exit status {done.returncode}", seconds=seconds)
        payload = json.loads(result.read_text())
    if "skipped" in payload:
        return Outcome(name, skipped=payload["skipped"], seconds=seconds)
    figures = [
        Figure(**{key: value for key, value in item.items() if key in FIELDS})
        for item in payload["figures"]
    ]
    return Outcome(name, figures=figures, seconds=seconds)


async def _admin(server_url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy import make_url

    url = make_url(server_url).set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def bench_database() -> Iterator[str]:
    """ICN_BENCH_POSTGRES_URL, or a database created for this run and dropped after it."""
    given = os.environ.get("ICN_BENCH_POSTGRES_URL")
    if given:
        yield given
        return
    from sqlalchemy import make_url

    server = os.environ.get("ICN_TEST_POSTGRES_URL", DEFAULT_SERVER_URL)
    name = f"icn_bench_{os.getpid()}"
    asyncio.run(_admin(server, f"CREATE DATABASE {name}"))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def main(modules: Sequence[str], quick: bool, markdown: bool, extra: Sequence[Path] = ()) -> int:
    size = "quick" if quick else "full"
    outcomes = []
    with bench_database() as url:
        env = {**os.environ, "ICN_BENCH_POSTGRES_URL": url}
        for name in modules:
            print(f"\n== {name} ({size})", flush=True)
            outcome = measure(name, quick, env, [*extra, BENCH])
            if outcome.skipped:
                print(f"   skipped: {outcome.skipped}", flush=True)
            elif outcome.error:
                print(f"   FAILED: {outcome.error}", flush=True)
            else:
                print(f"   done in {outcome.seconds:.0f} s", flush=True)
            outcomes.append(outcome)
    load = os.getloadavg()[0]
    when = time.strftime("%Y-%m-%d %H:%M %Z")
    print(f"\nmake bench ({size}), {when}, {os.cpu_count()} CPUs, load average {load:.1f}")
    print(table(outcomes, markdown=markdown))
    return 1 if any(outcome.error for outcome in outcomes) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="each bench's full size (longer)")
    parser.add_argument("--markdown", action="store_true", help="the table in Markdown")
    parser.add_argument("--only", nargs="+", metavar="MODULE", help="these modules, in this order")
    # Another folder of bench modules, searched first (tests/test_bench_runner.py).
    parser.add_argument("--path", type=Path, action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--module", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    sys.path[:0] = [str(path) for path in arguments.path]
    if arguments.module:
        run_module(arguments.module, not arguments.full, arguments.result)
    else:
        chosen = arguments.only or MODULES
        sys.exit(main(chosen, not arguments.full, arguments.markdown, arguments.path))
