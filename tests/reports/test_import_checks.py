"""The import's data checks, one table of bad files run through the GraphQL upload (both
databases) and ``icn-graph import visits``: each gives clear row and field errors, counts the
rows it read, and writes nothing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from icn_graph.cli import main
from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.testing import GraphQLClient, make_center, snapshot
from tests.reports.test_import_visits_graphql import data_manager, result, upload

HEADER = b"patient_key,visit_date,pga,diagnosis,on_steroids\n"
TOMORROW = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes
    errors: list[tuple[int, str | None, str]]  # row, column, part of the problem
    rows_read: int


CASES = [
    Case(
        "a visit before 1990",
        HEADER + b"P-1,1989-12-31,MILD,UC,no\nP-2,1990-01-01,MILD,UC,no\n",
        [(2, "visit_date", "1989-12-31 is before 1990")],
        2,
    ),
    Case(
        "a visit after today",
        HEADER + f"P-1,2024-01-01,MILD,UC,no\nP-2,{TOMORROW},MILD,UC,no\n".encode(),
        [(3, "visit_date", f"{TOMORROW} is after today")],
        2,
    ),
    Case(
        "one patient and date twice with different values",
        HEADER
        + b"P-1,2024-01-05,MILD,UC,no\n"
        + b"P-2,2024-01-05,MILD,UC,no\n"
        + b"P-1,2024-01-05,MILD,UC,no\n"  # the same values: fine
        + b"P-1,2024-01-05,SEVERE,UC,no\n"
        + b"P-2,2024-01-05,MILD,UC,yes\n",
        [
            (5, "pga", "the same patient and visit date (2024-01-05) as row 2"),
            (6, "on_steroids", "as row 3, with a different on_steroids"),
        ],
        5,
    ),
    Case(
        "a semicolon-separated file",
        b"patient_key;visit_date;pga;diagnosis\nP-1;2024-01-05;MILD;UC\nP-2;2024-01-06;MILD;UC\n",
        [(1, None, "looks semicolon-separated, not comma-separated")],
        2,
    ),
    Case(
        "a tab-separated file",
        b"patient_key\tvisit_date\tpga\tdiagnosis\nP-1\t2024-01-05\tMILD\tUC\n",
        [(1, None, "looks tab-separated")],
        1,
    ),
    Case(
        "a byte that is not UTF-8 in row 3",
        HEADER
        + b"P-1,2024-01-05,MILD,UC,no\nP-2,2024-01-06,MILD,UC\xe9,no\nP-3,2024-01-07,MILD,UC,\n",
        [(3, "diagnosis", "is not UTF-8 text (0xE9)")],
        3,
    ),
    Case(
        "a header cell that is not UTF-8",
        b"patient_key,visit_date,pga,diagnosis,caf\xe9\nP-1,2024-01-05,MILD,UC,x\n",
        [(1, "#5", "the header cell is not UTF-8 text (0xE9)")],
        1,
    ),
    Case(
        "a blank header cell",
        b"patient_key,visit_date,,pga,diagnosis\nP-1,2024-01-05,x,MILD,UC\n",
        [(1, "#3", "the header cell is blank")],
        1,
    ),
    Case(
        "a column twice",
        b"patient_key,visit_date,pga,diagnosis,PGA\nP-1,2024-01-05,MILD,UC,MILD\n",
        [(1, "PGA", "column 'pga' appears twice")],
        1,
    ),
    Case(
        "an ignored column twice",
        b"patient_key,visit_date,pga,diagnosis,notes,Notes\nP-1,2024-01-05,MILD,UC,a,b\n",
        [(1, "Notes", "column 'notes' appears twice")],
        1,
    ),
    Case(
        "a short row",
        HEADER + b"P-1,2024-01-05,MILD,UC,no\nP-2,2024-01-06,MILD\n",
        [(3, None, "has 3 fields where the header has 5")],
        2,
    ),
    Case(
        "an over-long patient key",
        HEADER + b"K" * 201 + b",2024-01-05,MILD,UC,no\n",
        [(2, "patient_key", "is longer than 200 characters")],
        1,
    ),
    Case(
        "empty and malformed dates",
        HEADER + b"P-1,,MILD,UC,no\nP-2,2024-1-5,MILD,UC,no\nP-3,2024-02-30,MILD,UC,no\n",
        [
            (2, "visit_date", "is required"),
            (3, "visit_date", "'2024-1-5' is not a date as YYYY-MM-DD"),
            (4, "visit_date", "'2024-02-30' is not a date as YYYY-MM-DD"),
        ],
        3,
    ),
    Case(
        "an empty pga and an empty diagnosis",
        HEADER + b"P-1,2024-01-05,,UC,no\nP-2,2024-01-06,MILD,,no\n",
        [(2, "pga", "is required"), (3, "diagnosis", "is required")],
        2,
    ),
]


def _matches(found: list[tuple[int, str | None, str]], case: Case) -> None:
    assert len(found) == len(case.errors), found
    for (row, column, problem), (want_row, want_column, part) in zip(
        found, case.errors, strict=True
    ):
        assert (row, column) == (want_row, want_column), found
        assert part in problem, problem


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_upload_reports_the_rows_and_writes_nothing(
    db: Database, client: GraphQLClient, case: Case
) -> None:
    center = await make_center(db)
    token = await data_manager(db, center)
    before = await snapshot(db)

    payload = await result(await upload(client, center, case.content, token=token))

    found = [(error["row"], error["column"], error["problem"]) for error in payload["rowErrors"]]
    _matches(found, case)
    assert payload["rowsRead"] == case.rows_read
    assert (payload["imported"], payload["updated"]) == (0, 0)
    assert await snapshot(db) == before


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    migrations.upgrade(url)

    async def add() -> None:
        database = Database.from_url(url)
        try:
            await make_center(database, short_code="CIN")
        finally:
            await database.dispose()

    asyncio.run(add())
    return {"ICN_DATABASE_URL": url, "ICN_LOG_LEVEL": "WARNING", "ICN_PLUGINS": "core"}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_cli_import_reports_the_rows(cli_env: dict[str, str], tmp_path: Path, case: Case) -> None:
    file = tmp_path / "visits.csv"
    file.write_bytes(case.content)
    done = CliRunner().invoke(main, ["import", "visits", str(file), "--center", "CIN"], env=cli_env)
    assert done.exit_code == 1
    assert "Traceback" not in done.output
    noun = "problem" if len(case.errors) == 1 else "problems"
    assert (
        f"visits.csv: {case.rows_read} rows read, {len(case.errors)} {noun}, nothing was imported"
        in done.output
    )
    for row, column, part in case.errors:
        where = f"row {row}" + (f", column {column}" if column else "")
        assert any(
            line.strip().startswith(f"{where}: ") and part in line
            for line in done.output.splitlines()
        ), (where, done.output)


def test_identical_repeats_of_a_visit_are_one_visit(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    file = tmp_path / "visits.csv"
    file.write_bytes(HEADER + b"P-1,2024-01-05,MILD,UC,no\nP-1,2024-01-05,mild,uc,No\n")
    done = CliRunner().invoke(main, ["import", "visits", str(file), "--center", "CIN"], env=cli_env)
    assert done.exit_code == 0, done.output
    assert "2 rows read, 1 visits added, 1 updated" in done.output
