"""Registry visits: CSV import (validation, upsert, identifiers, hashed keys), service and CLI."""

from __future__ import annotations

import asyncio
import csv
import io
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from icn_graph.cli import main
from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.errors import NotFound
from icn_graph.models import Diagnosis, PhysicianGlobalAssessment, Visit
from icn_graph.services.registry import (
    VisitImportError,
    VisitImportSummary,
    identifier_kind,
    import_visits,
    normalize_column,
    patient_key,
)
from icn_graph.services.registry.csv_import import MAX_REPORTED_ERRORS
from icn_graph.testing import make_center, snapshot

SECRET = "test-patient-key-secret"

HEADER = "patient_key,visit_date,pga,diagnosis,on_steroids,pre_visit_planning\n"
GOOD = (
    HEADER + "P-001,2024-01-15,QUIESCENT,CROHNS,no,yes\n"
    "P-001,2024-04-02,mild,Crohns,TRUE,\n"
    "P-002,2024-02-20,SEVERE,UC,1,0\n"
)


async def run_import(db: Database, center: str, text: str) -> VisitImportSummary:
    return await import_visits(db, center, io.StringIO(text, newline=""), secret=SECRET)


async def visits(db: Database) -> list[Visit]:
    async with db.session() as session:
        ordered = select(Visit).order_by(Visit.patient_key, Visit.visit_date)
        return list((await session.scalars(ordered)).all())


async def test_imports_a_valid_file(db: Database) -> None:
    center = await make_center(db)
    summary = await run_import(db, center.short_code, GOOD)
    assert (summary.rows_read, summary.inserted, summary.updated) == (3, 3, 0)

    rows = await visits(db)
    by_date = {row.visit_date: row for row in rows}
    first = by_date[date(2024, 1, 15)]
    assert first.center_id == center.id
    assert first.patient_key == patient_key(SECRET, center.id, "P-001")
    assert (first.pga, first.diagnosis) == (PhysicianGlobalAssessment.QUIESCENT, Diagnosis.CROHNS)
    assert (first.on_steroids, first.pre_visit_planning) == (False, True)
    assert first.growth_assessed is None
    assert first.nutrition_assessed is None
    second = by_date[date(2024, 4, 2)]
    assert (second.pga, second.on_steroids, second.pre_visit_planning) == (
        PhysicianGlobalAssessment.MILD,
        True,
        None,
    )
    third = by_date[date(2024, 2, 20)]
    assert (third.diagnosis, third.on_steroids, third.pre_visit_planning) == (
        Diagnosis.UC,
        True,
        False,
    )


async def test_reimport_updates_instead_of_duplicating(db: Database) -> None:
    center = await make_center(db)
    await run_import(db, center.short_code, GOOD)
    changed = GOOD.replace("P-002,2024-02-20,SEVERE", "P-002,2024-02-20,MODERATE")
    summary = await run_import(db, center.short_code, changed + "P-003,2024-03-01,MILD,IBDU,,\n")
    assert (summary.rows_read, summary.inserted, summary.updated) == (4, 1, 3)
    rows = await visits(db)
    assert len(rows) == 4
    moderate = [row for row in rows if row.visit_date == date(2024, 2, 20)]
    assert [row.pga for row in moderate] == [PhysicianGlobalAssessment.MODERATE]


async def test_every_row_error_is_reported_and_nothing_is_written(db: Database) -> None:
    center = await make_center(db)
    await run_import(db, center.short_code, GOOD)
    before = await snapshot(db)
    bad = (
        HEADER + "P-010,2024-01-15,QUIESCENT,CROHNS,no,yes\n"
        "P-011,15/01/2024,QUIESCENT,CROHNS,,\n"  # row 3: date
        "P-012,2024-01-16,REMISSION,CROHNS,,\n"  # row 4: pga
        "P-013,2024-01-17,MILD,UC,,\n"
        ",2024-01-18,MILD,UC,maybe,\n"  # row 6: patient_key and on_steroids
    )
    with pytest.raises(VisitImportError) as refused:
        await run_import(db, center.short_code, bad)
    found = [(error.row, error.column) for error in refused.value.errors]
    assert found == [(3, "visit_date"), (4, "pga"), (6, "patient_key"), (6, "on_steroids")]
    problems = [error.problem for error in refused.value.errors]
    assert "'15/01/2024' is not a date as YYYY-MM-DD" in problems
    assert "'REMISSION' is not one of QUIESCENT, MILD, MODERATE, SEVERE" in problems
    assert "nothing was imported" in refused.value.message
    assert await snapshot(db) == before


async def test_a_huge_bad_cell_is_quoted_short(db: Database) -> None:
    center = await make_center(db)
    huge = "X" * 100_000
    with pytest.raises(VisitImportError) as refused:
        await run_import(db, center.short_code, HEADER + f"P-1,2024-01-15,{huge},UC,,\n")
    (problem,) = [error.problem for error in refused.value.errors]
    assert problem.startswith("'" + "X" * 40 + "…' (100,000 characters) is not one of")
    assert len(problem) < 150


async def test_errors_after_a_full_batch_still_write_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("icn_graph.services.registry.csv_import.BATCH_SIZE", 2)
    center = await make_center(db)
    rows = "".join(f"K{n},2024-01-{n:02d},MILD,UC,,\n" for n in range(1, 6))
    with pytest.raises(VisitImportError) as refused:
        await run_import(db, center.short_code, HEADER + rows + "K9,2024-13-01,MILD,UC,,\n")
    assert [(error.row, error.column) for error in refused.value.errors] == [(7, "visit_date")]
    assert await visits(db) == []


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("Name", "a name"),
        ("First Name", "a name"),
        ("last_name", "a name"),
        ("MRN", "a medical record number"),
        ("Medical Record Number", "a medical record number"),
        ("DOB", "a date of birth"),
        ("DateOfBirth", "a date of birth"),
        ("birth_date", "a date of birth"),
        ("Street Address", "an address"),
        ("ZIP", "an address"),
        ("parent_email", "an email address"),
        ("Home Phone", "a telephone number"),
        ("SSN", "a Social Security number"),
        ("Patient's Name", "a name"),
        ("NHS Number", "a national health, insurance or identity number"),
        ("year_of_birth", "a date of birth"),
    ],
)
async def test_identifier_columns_are_refused(db: Database, column: str, kind: str) -> None:
    center = await make_center(db)
    text = f"patient_key,visit_date,pga,diagnosis,{column}\nP-1,2024-01-01,MILD,UC,x\n"
    with pytest.raises(VisitImportError) as refused:
        await run_import(db, center.short_code, text)
    (error,) = refused.value.errors
    assert (error.row, error.column) == (1, column)
    assert f"looks like {kind}" in error.problem
    assert "HIPAA Safe Harbor" in error.problem
    assert await visits(db) == []


def test_identifier_detection_leaves_registry_columns_alone() -> None:
    for column in ("patient_key", "Visit Date", "PGA", "diagnosis", "on_steroids", "notes"):
        assert identifier_kind(column) is None, column
    assert normalize_column(" Patient Key ") == "patient_key"
    assert normalize_column("PatientKey") == "patient_key"
    assert normalize_column("\ufeffpatient-key") == "patient_key"


async def test_header_problems(db: Database) -> None:
    center = await make_center(db)
    with pytest.raises(VisitImportError) as refused:
        await run_import(db, center.short_code, "patient_key,pga\nP-1,MILD\n")
    assert [(e.row, e.column) for e in refused.value.errors] == [
        (1, "visit_date"),
        (1, "diagnosis"),
    ]
    with pytest.raises(VisitImportError, match="the file is empty"):
        await run_import(db, center.short_code, "")


async def test_unknown_center_is_a_clear_error(db: Database) -> None:
    await make_center(db)
    with pytest.raises(NotFound, match="No center with code 'NOPE'"):
        await run_import(db, "NOPE", GOOD)


async def test_patient_keys_are_stored_hashed_and_per_center(db: Database) -> None:
    north, south = await make_center(db), await make_center(db)
    await run_import(db, north.short_code, GOOD)
    await run_import(db, south.short_code, GOOD)
    rows = await visits(db)
    stored = {row.patient_key for row in rows}
    assert all(len(key) == 64 and "P-00" not in key for key in stored)
    north_key = {row.patient_key for row in rows if row.center_id == north.id}
    south_key = {row.patient_key for row in rows if row.center_id == south.id}
    assert len(north_key) == len(south_key) == 2
    assert north_key.isdisjoint(south_key)
    async with db.session() as session:
        raw = await session.scalar(
            select(func.count()).select_from(Visit).where(Visit.patient_key.like("%P-00%"))
        )
    assert raw == 0


async def test_two_hundred_thousand_rows_import(db: Database, tmp_path: Path) -> None:
    center = await make_center(db)
    path = tmp_path / "visits.csv"
    generated = 200_000
    randomness = random.Random(6)
    pgas = [member.value for member in PhysicianGlobalAssessment]
    diagnoses = [member.value for member in Diagnosis]
    start = date(2016, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["patient_key", "visit_date", "pga", "diagnosis", "on_steroids"])
        for n in range(generated):
            patient, visit = divmod(n, 8)
            writer.writerow(
                [
                    f"MRK-{patient:06d}",
                    (start + timedelta(days=91 * visit + patient % 60)).isoformat(),
                    randomness.choice(pgas),
                    diagnoses[patient % 3],
                    randomness.choice(("yes", "no", "")),
                ]
            )
    began = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as stream:
        summary = await import_visits(db, center.short_code, stream, secret=SECRET)
    elapsed = time.perf_counter() - began
    assert (summary.rows_read, summary.inserted, summary.updated) == (generated, generated, 0)
    print(f"\n{db.dialect}: {generated} rows in {elapsed:.1f}s = {generated / elapsed:,.0f} rows/s")


# -- CLI -----------------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    migrations.upgrade(url)
    return {
        "ICN_DATABASE_URL": url,
        "ICN_LOG_LEVEL": "WARNING",
        "ICN_PLUGINS": "core",
        "ICN_PATIENT_KEY_SECRET": SECRET,
    }


def _add_center(url: str, code: str) -> int:
    async def add() -> int:
        db = Database.from_url(url)
        try:
            return (await make_center(db, short_code=code)).id
        finally:
            await db.dispose()

    return asyncio.run(add())


def test_cli_imports_visits(cli_env: dict[str, str], tmp_path: Path) -> None:
    center_id = _add_center(cli_env["ICN_DATABASE_URL"], "CIN")
    file = tmp_path / "cin.csv"
    file.write_text("\ufeff" + GOOD, encoding="utf-8")
    runner = CliRunner()

    result = runner.invoke(main, ["import", "visits", str(file), "--center", "CIN"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "cin.csv -> CIN: 3 rows read, 3 visits added, 0 updated" in result.output
    again = runner.invoke(main, ["import", "visits", str(file), "--center", "cin"], env=cli_env)
    assert "3 rows read, 0 visits added, 3 updated" in again.output

    with sqlite3.connect(tmp_path / "cli.db") as connection:
        keys = {row[0] for row in connection.execute("SELECT patient_key FROM visits")}
        dumped = "\n".join(connection.iterdump())
    assert keys == {patient_key(SECRET, center_id, raw) for raw in ("P-001", "P-002")}
    assert "P-001" not in dumped


def test_cli_reports_errors_without_a_traceback(cli_env: dict[str, str], tmp_path: Path) -> None:
    _add_center(cli_env["ICN_DATABASE_URL"], "CIN")
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "P-1,2024-02-30,MILD,UC,,\nP-2,2024-01-01,MILD,XX,,\n")
    result = runner.invoke(main, ["import", "visits", str(bad), "--center", "CIN"], env=cli_env)
    assert result.exit_code == 1
    assert "bad.csv: 2 rows read, 2 problems, nothing was imported" in result.output
    assert "row 2, column visit_date: '2024-02-30' is not a date as YYYY-MM-DD" in result.output
    assert "row 3, column diagnosis: 'XX' is not one of CROHNS, UC, IBDU" in result.output
    assert "Traceback" not in result.output

    named = tmp_path / "named.csv"
    named.write_text("patient_key,visit_date,pga,diagnosis,dob\n")
    refused = runner.invoke(main, ["import", "visits", str(named), "--center", "CIN"], env=cli_env)
    assert refused.exit_code == 1
    assert "column 'dob' looks like a date of birth" in refused.output

    unknown = runner.invoke(main, ["import", "visits", str(bad), "--center", "ZZZ"], env=cli_env)
    assert unknown.exit_code == 1
    assert "No center with code 'ZZZ'." in unknown.output
    assert "Traceback" not in unknown.output + refused.output

    with sqlite3.connect(tmp_path / "cli.db") as connection:
        assert connection.execute("SELECT count(*) FROM visits").fetchone() == (0,)


async def test_a_file_that_stops_being_utf8_is_refused_at_its_row(db: Database) -> None:
    center = await make_center(db)
    good = "".join(f"P-{i},2024-03-01,MILD,UC,,\n" for i in range(1000))  # past the first read
    data = (HEADER + good).encode() + b"P-\xe9,2024-03-02,MILD,UC,,\n"
    # Opened strictly (not with surrogateescape): the decoder fails while the rows are read, a
    # chunk at a time, so the row it names is the first one of the chunk it could not decode.
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")
    with pytest.raises(VisitImportError) as refused:
        await import_visits(db, center.short_code, stream, secret=SECRET)
    [error] = refused.value.errors
    assert error.column is None
    assert error.problem == (
        "the file is not UTF-8 text (invalid continuation byte) at this row or soon after"
    )
    # The row after the last one read: records are numbered as in the file, the header is 1.
    assert error.row == refused.value.rows_read + 2
    assert 2 < error.row <= 1002
    assert await visits(db) == []


async def test_a_row_csv_cannot_read_is_refused_at_its_row(db: Database) -> None:
    center = await make_center(db)
    huge = "x" * (csv.field_size_limit() + 1)
    text = GOOD + f"P-003,2024-03-01,MILD,UC,{huge},\n"
    with pytest.raises(VisitImportError) as refused:
        await run_import(db, center.short_code, text)
    [error] = refused.value.errors
    assert (error.row, error.column) == (5, None)
    assert error.problem == (
        f"not readable as CSV: field larger than field limit ({csv.field_size_limit()})"
    )
    assert refused.value.rows_read == 3
    assert await visits(db) == []


async def test_a_summary_counts_rows_months_and_ignored_columns(db: Database) -> None:
    center = await make_center(db)
    text = "patient_key,visit_date,pga,diagnosis,notes\n" + (
        "P-1,2024-01-15,MILD,UC,a\n\nP-2,2024-03-02,MILD,UC,b\nP-1,2024-01-15,MILD,UC,a\n"
    )
    summary = await run_import(db, f"  {center.short_code.lower()} ", text)
    assert summary.center_code == center.short_code
    assert (summary.rows_read, summary.inserted, summary.updated) == (3, 2, 1)
    assert summary.ignored_columns == ("notes",)
    assert summary.months == (date(2024, 1, 1), date(2024, 3, 1))
    again = await run_import(db, center.short_code, text)
    assert (again.rows_read, again.inserted, again.updated) == (3, 0, 3)
    rows = await visits(db)
    assert len(rows) == 2
    assert {row.center_id for row in rows} == {center.id}
    assert all(row.created_at is not None for row in rows)


async def test_an_unknown_center_is_named_as_given(db: Database) -> None:
    with pytest.raises(NotFound) as missing:
        await run_import(db, "  nope ", GOOD)
    assert str(missing.value) == "No center with code 'nope'."
    assert missing.value.field == "center"


async def test_a_refused_header_counts_the_rows_after_it(db: Database) -> None:
    center = await make_center(db)
    text = "patient_key,visit_date,pga\nP-1,2024-01-15,MILD\n\n , \nP-2,2024-01-16,MILD\n"
    with pytest.raises(VisitImportError) as refused:
        await run_import(db, center.short_code, text)
    assert refused.value.rows_read == 2


async def test_a_file_that_is_not_utf8_from_the_start_is_refused_at_the_header(
    db: Database,
) -> None:
    center = await make_center(db)
    stream = io.TextIOWrapper(io.BytesIO(b"patient_key,visit_\xe9date\n"), encoding="utf-8")
    with pytest.raises(VisitImportError) as refused:
        await import_visits(db, center.short_code, stream, secret=SECRET)
    assert [(e.row, e.column, e.problem) for e in refused.value.errors] == [
        (1, None, "the file is not UTF-8 text (invalid continuation byte) in the first rows")
    ]


async def test_a_header_csv_cannot_read_is_refused_at_row_one(db: Database) -> None:
    center = await make_center(db)
    huge = "x" * (csv.field_size_limit() + 1)
    with pytest.raises(VisitImportError) as refused:
        await run_import(db, center.short_code, f"patient_key,{huge}\n" + GOOD)
    assert [(e.row, e.column, e.problem) for e in refused.value.errors] == [
        (1, None, f"unreadable header: field larger than field limit ({csv.field_size_limit()})")
    ]


async def test_a_stream_that_fails_right_after_the_header_names_row_two(db: Database) -> None:
    """A text stream decoding the file as it goes can fail before the first row is parsed."""
    center = await make_center(db)

    def lines() -> Iterator[str]:
        yield HEADER
        raise UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte")

    with pytest.raises(VisitImportError) as refused:
        await import_visits(db, center.short_code, lines(), secret=SECRET)
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, None)]
    assert refused.value.rows_read == 0


async def test_more_problems_than_are_listed_are_all_counted(db: Database) -> None:
    center = await make_center(db)
    bad = "".join(f"P-{n},2024-01-15,REMISSION,UC,,\n" for n in range(MAX_REPORTED_ERRORS + 5))
    with pytest.raises(VisitImportError) as refused:
        await run_import(db, center.short_code, HEADER + bad)
    assert len(refused.value.errors) == MAX_REPORTED_ERRORS
    assert refused.value.total == MAX_REPORTED_ERRORS + 5
    assert refused.value.message.startswith(f"{MAX_REPORTED_ERRORS + 5} problems")
    assert await visits(db) == []
