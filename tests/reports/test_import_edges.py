"""The registry import's validator at its edges, without a database: header cells (blank,
repeated, not UTF-8, identifiers, another delimiter), short rows, over-long patient keys, empty
and malformed dates and the boundaries of the accepted period, empty pga or diagnosis, flags,
repeated visits, the cap on reported errors and the words of every problem."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from icn_graph.models import Diagnosis, PhysicianGlobalAssessment
from icn_graph.services.registry import csv_import
from icn_graph.services.registry.csv_import import (
    EARLIEST_VISIT,
    MAX_RAW_KEY_LENGTH,
    MAX_REPORTED_ERRORS,
    RowError,
    VisitImportError,
)
from icn_graph.services.registry.patient_keys import PatientKeyHasher
from icn_graph.services.registry.visit_writers import (
    BOOLEAN_COLUMNS,
    ROW_COLUMNS,
    UPDATED_COLUMNS,
    sqlite_upsert,
    staged_upsert,
)

HEADER = "patient_key,visit_date,pga,diagnosis,on_steroids"


def _header(text: str) -> tuple[dict[str, int], tuple[str, ...], int]:
    return csv_import._read_header(csv.reader(io.StringIO(text, newline="")))


def _refusal(text: str) -> list[str]:
    with pytest.raises(VisitImportError) as refused:
        _header(text)
    return [str(error) for error in refused.value.errors]


def _importer(header: str = HEADER) -> csv_import._RowImporter:
    columns, _, width = _header(header)
    return csv_import._RowImporter(columns, width, PatientKeyHasher("secret", 1), 1)


def _parse(line: str, header: str = HEADER) -> tuple[dict[str, Any] | None, list[str]]:
    """The parsed row by column name, and the problems found."""
    importer = _importer(header)
    [record] = list(csv.reader([line]))
    values = importer.parse(2, record)
    named = None if values is None else dict(zip(ROW_COLUMNS, values, strict=True))
    return named, [str(error) for error in importer.errors]


# Header --------------------------------------------------------------------------------------


def test_the_header_maps_columns_and_keeps_unknown_ones_aside() -> None:
    columns, ignored, width = _header(" Patient Key ,Visit-Date,PGA,diagnosis,Notes,on_steroids\n")
    assert columns == {
        "patient_key": 0,
        "visit_date": 1,
        "pga": 2,
        "diagnosis": 3,
        "on_steroids": 5,
    }
    assert ignored == ("Notes",)
    assert width == 6


@pytest.mark.parametrize("text", ["", "\n", " , ,\n"])
def test_a_file_without_a_header_is_refused(text: str) -> None:
    assert _refusal(text) == ["row 1: the file is empty: no header row"]


def test_blank_and_repeated_header_cells_are_named() -> None:
    assert _refusal("patient_key,visit_date,,pga,diagnosis,PGA,notes,Notes\n") == [
        "row 1, column #3: the header cell is blank: name the column, or delete it if it is empty",
        "row 1, column PGA: column 'pga' appears twice",
        "row 1, column Notes: column 'notes' appears twice",
    ]


def test_an_identifier_column_is_refused_but_a_known_one_is_not() -> None:
    assert _refusal(f"{HEADER},Patient's Name\n") == [
        "row 1, column Patient's Name: column 'Patient's Name' looks like a name, a direct "
        "identifier (HIPAA Safe Harbor rule, national health identifiers); registry files may "
        "carry only the center-local patient key and clinical fields. Remove the column and "
        "upload again."
    ]
    assert _header(HEADER)[0]["patient_key"] == 0


@pytest.mark.parametrize("byte", [0xE9, 0x80, 0xFF], ids=["e9", "lowest", "highest"])
def test_a_header_cell_that_is_not_utf8_is_named(byte: int) -> None:
    cell = (b"pga" + bytes([byte])).decode("utf-8", errors="surrogateescape")
    assert _refusal(f"patient_key,visit_date,{cell},diagnosis\n") == [
        f"row 1, column #3: the header cell is not UTF-8 text (0x{byte:02X})",
        "row 1, column pga: required column is missing",
    ]


def test_a_complete_header_is_never_taken_for_another_delimiter() -> None:
    """Only a header missing required columns is checked for semicolons, tabs or pipes: an
    extra column whose name holds them is just ignored."""
    columns, ignored, width = _header(HEADER + ",notes;pga;diagnosis\n")
    assert set(columns) == {"patient_key", "visit_date", "pga", "diagnosis", "on_steroids"}
    assert (ignored, width) == (("notes;pga;diagnosis",), 6)


def test_missing_columns_are_each_named() -> None:
    assert _refusal("patient_key,pga\n") == [
        "row 1, column visit_date: required column is missing",
        "row 1, column diagnosis: required column is missing",
    ]


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("patient_key;visit_date;pga;diagnosis", "semicolon"),
        ("patient_key\tvisit_date\tpga", "tab"),
        ("patient_key|visit_date", "pipe"),
    ],
)
def test_another_delimiter_is_named(header: str, name: str) -> None:
    assert _refusal(header + "\n") == [
        f"row 1: the file looks {name}-separated, not comma-separated: save it as CSV with "
        "commas (e.g. 'CSV UTF-8 (Comma delimited)') and upload it again"
    ]


def test_one_required_name_in_another_delimiter_is_not_enough_to_guess() -> None:
    assert _refusal("patient_key;notes,visit_date\n") == [
        "row 1, column patient_key: required column is missing",
        "row 1, column pga: required column is missing",
        "row 1, column diagnosis: required column is missing",
    ]


# Rows ----------------------------------------------------------------------------------------


def test_a_valid_row() -> None:
    values, errors = _parse("k1, 2024-02-29 ,mild,uc,Yes")
    assert errors == []
    assert values is not None
    assert values["patient_key"] == PatientKeyHasher("secret", 1)("k1")
    assert values["visit_date"] == date(2024, 2, 29)
    assert values["pga"] is PhysicianGlobalAssessment.MILD
    assert values["diagnosis"] is Diagnosis.UC
    assert values["on_steroids"] is True
    assert values["pre_visit_planning"] is None


@pytest.mark.parametrize(
    ("text", "flag"), [("true", True), ("1", True), ("NO", False), ("0", False), ("", None)]
)
def test_flags(text: str, flag: bool | None) -> None:
    values, errors = _parse(f"k1,2024-01-05,MILD,UC,{text}")
    assert errors == []
    assert values is not None
    assert values["on_steroids"] is flag


ALL_FLAGS = "patient_key,visit_date,pga,diagnosis," + ",".join(BOOLEAN_COLUMNS)


@pytest.mark.parametrize(
    ("cells", "flags"),
    [
        ("Yes,NO,1,", (True, False, True, None)),
        (" yes , No,TRUE ,false", (True, False, True, False)),
        ("tRuE,yEs,fAlSe,nO", (True, True, False, False)),
    ],
    ids=["usual", "spaces", "mixed-case"],
)
def test_flags_in_a_file_with_every_flag_column(cells: str, flags: tuple[bool | None, ...]) -> None:
    """Usual spellings are read as they are, others after stripping and lower-casing: the same
    values either way."""
    values, errors = _parse(f"k1,2024-01-05, mild ,Uc,{cells}", header=ALL_FLAGS)
    assert errors == []
    assert values is not None
    assert (values["pga"], values["diagnosis"]) == (PhysicianGlobalAssessment.MILD, Diagnosis.UC)
    assert tuple(values[name] for name in BOOLEAN_COLUMNS) == flags


def test_a_bad_flag_among_good_ones_is_named_in_a_file_with_every_flag_column() -> None:
    values, errors = _parse("k1,2024-01-05,MILD,UC,yes,sometimes,no,", header=ALL_FLAGS)
    assert values is None
    assert errors == [
        "row 2, column pre_visit_planning: 'sometimes' is not true/false, yes/no, 1/0 or blank"
    ]


def test_blank_lines_are_not_rows() -> None:
    importer = _importer()
    assert importer.parse(2, []) is None
    assert importer.parse(3, [" ", ""]) is None
    assert importer.rows == 0
    assert importer.errors == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "k1,2024-01-05,MILD",
            "row 2: has 3 fields where the header has 5: is a comma missing, "
            "or a quote not closed?",
        ),
        (",2024-01-05,MILD,UC,", "row 2, column patient_key: is required"),
        ("k1,,MILD,UC,", "row 2, column visit_date: is required"),
        (
            "k1,2024-1-5,MILD,UC,",
            "row 2, column visit_date: '2024-1-5' is not a date as YYYY-MM-DD",
        ),
        (
            "k1,2024-02-30,MILD,UC,",
            "row 2, column visit_date: '2024-02-30' is not a date as YYYY-MM-DD",
        ),
        ("k1,1989-12-31,MILD,UC,", "row 2, column visit_date: 1989-12-31 is before 1990: a typo?"),
        ("k1,2024-01-05,,UC,", "row 2, column pga: is required"),
        ("k1,2024-01-05,MILD,,", "row 2, column diagnosis: is required"),
        (
            "k1,2024-01-05,GOOD,UC,",
            "row 2, column pga: 'GOOD' is not one of QUIESCENT, MILD, MODERATE, SEVERE",
        ),
        ("k1,2024-01-05,MILD,CD,", "row 2, column diagnosis: 'CD' is not one of CROHNS, UC, IBDU"),
        (
            "k1,2024-01-05,MILD,UC,maybe",
            "row 2, column on_steroids: 'maybe' is not true/false, yes/no, 1/0 or blank",
        ),
    ],
)
def test_each_row_problem_is_named(line: str, expected: str) -> None:
    values, errors = _parse(line)
    assert values is None
    assert errors == [expected]


def test_the_first_visit_day_and_a_long_enough_row_are_accepted() -> None:
    values, errors = _parse(f"k1,{EARLIEST_VISIT.isoformat()},MILD,UC,,extra")
    assert errors == []
    assert values is not None
    assert values["visit_date"] == EARLIEST_VISIT


def test_today_anywhere_on_earth_is_not_in_the_future() -> None:
    latest = (datetime.now(UTC) + timedelta(hours=14)).date()
    assert _parse(f"k1,{latest.isoformat()},MILD,UC,")[1] == []
    after = (latest + timedelta(days=1)).isoformat()
    assert _parse(f"k1,{after},MILD,UC,")[1] == [
        f"row 2, column visit_date: {after} is after today"
    ]


def test_patient_keys_up_to_the_limit() -> None:
    assert _parse(f"{'k' * MAX_RAW_KEY_LENGTH},2024-01-05,MILD,UC,")[1] == []
    assert _parse(f"{'k' * (MAX_RAW_KEY_LENGTH + 1)},2024-01-05,MILD,UC,")[1] == [
        f"row 2, column patient_key: is longer than {MAX_RAW_KEY_LENGTH} characters"
    ]


def test_a_long_bad_cell_is_quoted_short() -> None:
    cell = "x" * 41
    assert _parse(f"k1,2024-01-05,{cell},UC,")[1] == [
        f"row 2, column pga: '{'x' * 40}…' (41 characters) is not one of QUIESCENT, MILD, "
        "MODERATE, SEVERE"
    ]
    assert "'" + "x" * 40 + "' is not" in _parse(f"k1,2024-01-05,{'x' * 40},UC,")[1][0]


def test_cells_that_are_not_utf8_are_named_by_column() -> None:
    bad = b"UC\xff".decode("utf-8", errors="surrogateescape")
    values, errors = _parse(f"k1,2024-01-05,MILD,{bad},,{bad}")
    assert values is None
    assert errors == [
        "row 2, column diagnosis: is not UTF-8 text (0xFF)",
        "row 2, column #6: is not UTF-8 text (0xFF)",
    ]


def test_only_the_first_errors_are_kept_but_all_are_counted() -> None:
    importer = _importer()
    for row in range(2, MAX_REPORTED_ERRORS + 12):
        importer.parse(row, ["", "", "", "", "", "x"])
    assert importer.errors_total == 4 * (MAX_REPORTED_ERRORS + 10)  # four required cells
    assert len(importer.errors) == MAX_REPORTED_ERRORS
    assert importer.rows == MAX_REPORTED_ERRORS + 10


# Repeated visits -----------------------------------------------------------------------------


def test_a_repeat_with_other_values_names_both_rows_and_the_first_difference() -> None:
    importer = _importer("patient_key,visit_date,pga,diagnosis,on_steroids,growth_assessed")
    rows = [
        "k1,2024-01-05,MILD,UC,yes,no",
        "k2,2024-01-05,MILD,UC,yes,no",
        "k1,2024-01-05,MILD,UC,yes,no",  # the same visit again: fine
        "k1,2024-01-06,MILD,UC,yes,no",
        "k1,2024-01-05,MILD,UC,yes,yes",
        "k2,2024-01-05,SEVERE,CROHNS,no,no",
        "k1,2024-01-05,MILD,IBDU,yes,no",
    ]
    for row, line in enumerate(rows, start=2):
        [record] = list(csv.reader([line]))
        assert importer.parse(row, record) is not None
    importer.check_repeats()
    assert [str(error) for error in importer.errors] == [
        "row 6, column growth_assessed: the same patient and visit date (2024-01-05) as row 2, "
        "with a different growth_assessed: keep one of the two rows",
        "row 7, column pga: the same patient and visit date (2024-01-05) as row 3, with a "
        "different pga: keep one of the two rows",
        "row 8, column diagnosis: the same patient and visit date (2024-01-05) as row 2, with "
        "a different diagnosis: keep one of the two rows",
    ]
    assert importer.months == {date(2024, 1, 1)}


@pytest.mark.parametrize(
    "column",
    ["pga", "diagnosis", "on_steroids", "pre_visit_planning", "growth_assessed",
     "nutrition_assessed"],
)  # fmt: skip
def test_the_first_difference_is_found_in_every_column(column: str) -> None:
    header = "patient_key,visit_date,pga,diagnosis," + ",".join(BOOLEAN_COLUMNS)
    base = {"pga": "MILD", "diagnosis": "UC", **dict.fromkeys(BOOLEAN_COLUMNS, "")}
    other = {**base, column: {"pga": "SEVERE", "diagnosis": "IBDU"}.get(column, "yes")}
    importer = _importer(header)
    for row, cells in ((2, base), (3, other)):
        importer.parse(row, ["k1", "2024-01-05", *cells.values()])
    importer.check_repeats()
    [error] = importer.errors
    assert error.column == column


def test_one_row_has_no_repeats() -> None:
    importer = _importer()
    importer.parse(2, ["k1", "2024-01-05", "MILD", "UC", ""])
    importer.check_repeats()
    assert importer.errors == []


# The refusal -----------------------------------------------------------------------------------


def test_the_refusal_message_shows_three_problems_and_counts_the_rest() -> None:
    errors = [RowError(row, "pga", "is required") for row in range(2, 7)]
    refused = VisitImportError(errors, rows_read=9)
    assert str(refused) == (
        "5 problems, nothing was imported: row 2, column pga: is required; row 3, column pga: "
        "is required; row 4, column pga: is required (and 2 more)"
    )
    assert (refused.total, refused.rows_read, len(refused.errors)) == (5, 9, 5)
    one = VisitImportError(errors[:1], total=1)
    assert str(one) == "1 problem, nothing was imported: row 2, column pga: is required"
    three = VisitImportError(errors[:3], total=1200)
    assert str(three).startswith("1200 problems")
    assert str(three).endswith("(and 1197 more)")
    assert str(VisitImportError(errors[:3])).endswith("row 4, column pga: is required")
    assert str(VisitImportError(errors[:4])).endswith("row 4, column pga: is required (and 1 more)")
    assert VisitImportError(errors).rows_read == 0


def test_a_stray_comma_in_a_semicolon_header_still_names_the_delimiter() -> None:
    # Excel wrote "patient_key;" and "visit_date" as two comma-separated cells.
    assert _refusal("patient_key;,visit_date\n")[0].startswith(
        "row 1: the file looks semicolon-separated"
    )


# Ids without "postgresql": `make mutation` deselects tests whose id names the PostgreSQL backend.
@pytest.mark.parametrize(
    "dialect", ["postgresql", "sqlite"], ids=["pg-statement", "sqlite-statement"]
)
def test_the_upsert_is_the_dialects_own_and_updates_only_the_values(dialect: str) -> None:
    """Each backend gets its own INSERT ... ON CONFLICT on the visit's key (checked as SQL text,
    so the PostgreSQL statement is pinned on a SQLite-only run too): SQLite's takes the rows as
    parameters, PostgreSQL's takes them from the staging table the import copied them into."""
    module = {"postgresql": postgresql, "sqlite": sqlite}[dialect]
    statement = sqlite_upsert() if dialect == "sqlite" else staged_upsert(1, datetime.now(UTC))
    assert type(statement).__module__ == f"sqlalchemy.dialects.{dialect}.dml"
    sql = " ".join(str(statement.compile(dialect=module.dialect())).split())
    updates = ", ".join(f"{name} = excluded.{name}" for name in UPDATED_COLUMNS)
    assert sql.endswith(f"ON CONFLICT (center_id, patient_key, visit_date) DO UPDATE SET {updates}")
    if dialect == "postgresql":
        columns = ", ".join(ROW_COLUMNS)
        assert f"(center_id, {columns}, created_at) SELECT" in sql
        # One row per patient and date: a batch may repeat a visit, and an upsert may not
        # touch one row twice.
        assert "SELECT DISTINCT ON (visit_import.patient_key, visit_import.visit_date)" in sql
        assert sql.count("FROM visit_import") == 1


def test_a_conflict_later_in_one_patients_history_is_found() -> None:
    importer = _importer()
    for row, line in enumerate(
        ["k1,2024-01-04,MILD,UC,", "k1,2024-01-05,MILD,UC,", "k1,2024-01-05,SEVERE,UC,"], start=2
    ):
        importer.parse(row, line.split(","))
    importer.check_repeats()
    assert [(e.row, e.column) for e in importer.errors] == [(4, "pga")]


def test_a_conflict_is_found_whatever_bits_the_patients_hash_has() -> None:
    """Hashed keys are compared as 64-bit integers: one whose bits would read as a NaN float
    must still equal itself."""
    hasher = PatientKeyHasher("secret", 1)
    nan_key = next(
        raw
        for raw in (f"P-{i}" for i in range(100_000))
        # all exponent bits set and a mantissa that is not zero: NaN, which equals nothing
        if (int(hasher(raw)[:3], 16) & 0x7FF) == 0x7FF and int(hasher(raw)[3:16], 16)
    )
    importer = _importer()
    importer.parse(2, [nan_key, "2024-01-05", "MILD", "UC", ""])
    importer.parse(3, [nan_key, "2024-01-05", "SEVERE", "UC", ""])
    importer.check_repeats()
    assert [(e.row, e.column) for e in importer.errors] == [(3, "pga")]


def test_today_is_reckoned_from_utc_whatever_the_servers_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Etc/GMT-14")  # a server in UTC+14
    time.tzset()
    try:
        latest = (datetime.now(UTC) + timedelta(hours=14)).date()
        after = (latest + timedelta(days=1)).isoformat()
        assert _parse(f"k1,{after},MILD,UC,")[1] == [
            f"row 2, column visit_date: {after} is after today"
        ]
    finally:
        monkeypatch.undo()
        time.tzset()


def test_when_several_columns_differ_the_first_is_named() -> None:
    importer = _importer()
    importer.parse(2, ["k1", "2024-01-05", "QUIESCENT", "CROHNS", "no"])
    importer.parse(3, ["k1", "2024-01-05", "MILD", "IBDU", "yes"])
    importer.check_repeats()
    assert [(e.row, e.column) for e in importer.errors] == [(3, "pga")]
