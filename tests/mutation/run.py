"""``make mutation``: mutation testing of the rules that protect people.

See docs/operations.md, "Mutation testing".

Runs mutmut over the modules ``[tool.mutmut] only_mutate`` in pyproject.toml lists, each mutant
against the tests that call the mutated function (mutmut records which, from the test files
``pytest_add_cli_args_test_selection`` lists), on SQLite only, then prints one row per module:
mutants, killed, survived, equivalent, kill rate, and every survivor. A survivor that cannot
change behaviour is listed with one line on why in tests/mutation-equivalent.txt and does not
count against the rate. Exit status 1 when a module kills fewer than ``--threshold`` of its
non-equivalent mutants.

    python -m tests.mutation.run            # mutate, test, report (results are cached in mutants/)
    python -m tests.mutation.run --report   # only report the last run's results
    python -m tests.mutation.run --survivors  # test the last run's survivors again (new tests)
    python -m tests.mutation.run --postgres NAME...  # test these mutants on PostgreSQL too

``--postgres`` is for a mutant that only PostgreSQL can kill (SQLite happens to return rows in
the order a mutant drops from ORDER BY); its verdict is kept like any other.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from icn_graph.testing import SQLITE_TEMPLATE_ENV

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
EQUIVALENT = ROOT / "tests" / "mutation-equivalent.txt"
LOG = MUTANTS / "mutmut.log"
TEMPLATE = MUTANTS / "migrated.db"

# mutmut's exit codes (mutmut.stats.status_by_exit_code): a test failed or errored, the run
# timed out or crashed, or the type checker refused the mutant: the tests noticed.
KILLED_CODES = frozenset({1, 3, 24, -24, 36, 37, 152, 255, -9, -11})
SURVIVED_CODES = frozenset({0, 5, 33})  # tests passed, or no test calls the mutated code


@dataclass
class ModuleResult:
    module: str
    killed: list[str] = field(default_factory=list)
    survived: list[str] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    @property
    def mutants(self) -> int:
        return len(self.killed) + len(self.survived) + len(self.equivalent) + len(self.unchecked)

    @property
    def kill_rate(self) -> float:
        """Killed among the mutants that can change behaviour (1.0 when there are none)."""
        counted = len(self.killed) + len(self.survived) + len(self.unchecked)
        return len(self.killed) / counted if counted else 1.0


def mutated_paths(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The source files ``[tool.mutmut] only_mutate`` lists, relative to the checkout."""
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    paths: list[str] = config["tool"]["mutmut"]["only_mutate"]
    return paths


def read_equivalent(path: Path = EQUIVALENT) -> dict[str, str]:
    """``mutant name: why it cannot change behaviour`` lines; ``#`` starts a comment."""
    equivalent: dict[str, str] = {}
    if not path.exists():
        return equivalent
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, colon, reason = line.partition(":")
        if not colon or not reason.strip() or "__mutmut_" not in name:
            raise SystemExit(f"{path.name}:{number}: expected '<mutant name>: <why>', got {line!r}")
        equivalent[name.strip()] = reason.strip()
    return equivalent


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def classify(
    path: str, exit_codes: Mapping[str, int | None], equivalent: Mapping[str, str]
) -> ModuleResult:
    result = ModuleResult(module_name(path))
    for name, code in sorted(exit_codes.items(), key=lambda item: _natural(item[0])):
        if code in KILLED_CODES:
            result.killed.append(name)
        elif code in SURVIVED_CODES and name in equivalent:
            result.equivalent.append(name)
        elif code in SURVIVED_CODES:
            result.survived.append(name)
        else:
            result.unchecked.append(name)
    return result


def _natural(name: str) -> tuple[str, int]:
    function, _, number = name.rpartition("__mutmut_")
    return function, int(number) if number.isdigit() else 0


def load_results(paths: Iterable[str], equivalent: Mapping[str, str]) -> list[ModuleResult]:
    results = []
    for path in paths:
        meta = MUTANTS / f"{path}.meta"
        codes: dict[str, int | None] = {}
        if meta.exists():
            codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        results.append(classify(path, codes, equivalent))
    return results


def table(results: Sequence[ModuleResult]) -> str:
    header = ("module", "mutants", "killed", "survived", "equivalent", "kill rate")
    rows = [
        (
            r.module.removeprefix("icn_graph."),
            str(r.mutants),
            str(len(r.killed)),
            str(len(r.survived) + len(r.unchecked)),
            str(len(r.equivalent)),
            f"{r.kill_rate:.1%}",
        )
        for r in results
    ]
    mutants = sum(r.mutants for r in results)
    killed = sum(len(r.killed) for r in results)
    survived = sum(len(r.survived) + len(r.unchecked) for r in results)
    equivalent = sum(len(r.equivalent) for r in results)
    counted = killed + survived
    rows.append(
        (
            "total",
            str(mutants),
            str(killed),
            str(survived),
            str(equivalent),
            f"{killed / counted:.1%}" if counted else "-",
        )
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *map(line, rows[:-1]), rule, line(rows[-1])])


def survivors(results: Sequence[ModuleResult]) -> list[str]:
    return [name for r in results for name in r.survived]


def unchecked(results: Sequence[ModuleResult]) -> list[str]:
    """Mutants without a verdict (a run stopped early): counted as survivors in the table."""
    return [name for r in results for name in r.unchecked]


def stale_equivalents(results: Sequence[ModuleResult], equivalent: Mapping[str, str]) -> list[str]:
    """Listed as equivalent, but killed now or no longer generated: the list needs review."""
    listed = {name for r in results for name in (*r.equivalent, *r.unchecked)}
    return sorted(set(equivalent) - listed)


def run_mutmut(jobs: int, mutants: Sequence[str], *, postgres: bool = False) -> int:
    """``mutmut run`` on SQLite (and PostgreSQL with ``postgres``); its progress output goes to
    mutants/mutmut.log."""
    dropped = ("CI",) if postgres else ("ICN_TEST_POSTGRES_URL", "CI")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    MUTANTS.mkdir(exist_ok=True)
    # Migrated once per run (the first session makes it), copied by every mutant's session.
    TEMPLATE.unlink(missing_ok=True)
    env[SQLITE_TEMPLATE_ENV] = str(TEMPLATE)
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs), *mutants]
    print(f"mutation: {' '.join(command[2:])} (progress in {LOG.relative_to(ROOT)})", flush=True)
    with LOG.open("w", encoding="utf-8") as log:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=log, check=False)
    return done.returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", action="store_true", help="report the last run only")
    parser.add_argument(
        "--survivors", action="store_true", help="run the last run's survivors again"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="test the named mutants on PostgreSQL too (ICN_TEST_POSTGRES_URL)",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants at once")
    parser.add_argument("--threshold", type=float, default=0.95, help="least kill rate per module")
    parser.add_argument("mutants", nargs="*", help="mutant names or globs to (re)run only")
    args = parser.parse_args(argv)

    if args.postgres and not (args.mutants and os.environ.get("ICN_TEST_POSTGRES_URL")):
        parser.error("--postgres needs mutant names and ICN_TEST_POSTGRES_URL")
    started = time.monotonic()
    mutants = list(args.mutants)
    if args.survivors:
        # mutmut keeps a verdict until the mutated function changes: new tests need a rerun.
        last = load_results(mutated_paths(), read_equivalent())
        mutants += survivors(last) + unchecked(last)
        if not mutants:
            print("mutation: no survivors to run again")
    if not args.report and (mutants or not args.survivors):
        code = run_mutmut(args.jobs, mutants, postgres=args.postgres)
        if code != 0:
            print(LOG.read_text(encoding="utf-8", errors="replace")[-4000:], file=sys.stderr)
            print(f"mutation: mutmut failed with exit status {code}", file=sys.stderr)
            return code
    equivalent = read_equivalent()
    results = load_results(mutated_paths(), equivalent)
    print(table(results))
    left = survivors(results)
    if left:
        print(f"\nsurvivors ({len(left)}; `mutmut show <name>` prints the change):")
        for name in left:
            print(f"  {name}")
    untested = unchecked(results)
    if untested:
        print(f"\n{len(untested)} mutants have no verdict yet (counted as survived): run again")
    stale = stale_equivalents(results, equivalent)
    if stale:
        print(f"\n{EQUIVALENT.name} lists mutants that are killed or gone (remove them):")
        for name in stale:
            print(f"  {name}")
    if not args.report:
        print(f"\nmutation: {time.monotonic() - started:.0f} s")
    below = [r.module for r in results if r.kill_rate < args.threshold]
    if below:
        print(f"\nbelow {args.threshold:.0%}: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
