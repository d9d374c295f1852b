"""``import_visits``: a center's registry CSV, validated row by row, upserted in one transaction.

The file is read once, as a stream (``csv`` over a text stream): valid rows are upserted in
batches inside one transaction while every row is validated; if any row (or the header) has a
problem, the transaction is rolled back and every problem is raised at once, so a file with
errors imports nothing. A visit is identified by (center, patient key, visit date): importing
the same rows again updates them instead of adding duplicates.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import BadInput, NotFound
from icn_graph.models import Center, Diagnosis, PhysicianGlobalAssessment, Visit
from icn_graph.services.registry.identifiers import (
    identifier_kind,
    normalize_column,
    refusal_message,
)
from icn_graph.services.registry.patient_keys import PatientKeyHasher

BATCH_SIZE = 5_000
MAX_REPORTED_ERRORS = 1_000
MAX_RAW_KEY_LENGTH = 200
# How much of a bad cell an error message quotes: enough to find it, never a huge echo.
MAX_QUOTED_CHARACTERS = 40

REQUIRED_COLUMNS = ("patient_key", "visit_date", "pga", "diagnosis")
BOOLEAN_COLUMNS = ("on_steroids", "pre_visit_planning", "growth_assessed", "nutrition_assessed")
UPDATED_COLUMNS = ("pga", "diagnosis", *BOOLEAN_COLUMNS)

_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_PGA = {member.value: member for member in PhysicianGlobalAssessment}
_DIAGNOSIS = {member.value: member for member in Diagnosis}


def _quoted(text: str) -> str:
    if len(text) <= MAX_QUOTED_CHARACTERS:
        return f"'{text}'"
    return f"'{text[:MAX_QUOTED_CHARACTERS]}…' ({len(text):,} characters)"


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` counts records as in the file, the header being row 1."""

    row: int
    column: str | None
    problem: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.problem}"


class VisitImportError(BadInput):
    """The file was refused; nothing was imported. ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[RowError], *, total: int | None = None) -> None:
        self.errors = list(errors)
        self.total = total if total is not None else len(self.errors)
        shown = "; ".join(str(error) for error in self.errors[:3])
        more = f" (and {self.total - 3} more)" if self.total > 3 else ""
        noun = "problem" if self.total == 1 else "problems"
        super().__init__(f"{self.total} {noun}, nothing was imported: {shown}{more}")


@dataclass(frozen=True)
class VisitImportSummary:
    center_code: str
    rows_read: int
    inserted: int
    updated: int
    ignored_columns: tuple[str, ...] = field(default=())


async def import_visits(
    db: Database, center_code: str, stream: Iterable[str], *, secret: str
) -> VisitImportSummary:
    """Import the CSV text ``stream`` (open it with ``newline=""``) for the center ``center_code``.

    ``secret`` keys the patient-key hash (``Settings.patient_key_secret``). Raises ``NotFound``
    for an unknown center and ``VisitImportError`` listing every problem, having written nothing.
    """
    async with db.transaction() as session:
        center = await _center(session, center_code)
        before = await _count(session, center.id)
        reader = csv.reader(stream)
        columns, ignored = _read_header(reader)
        importer = _RowImporter(columns, PatientKeyHasher(secret, center.id), center.id)
        upsert = _upsert_statement(db.dialect)
        batch: dict[tuple[str, date], dict[str, Any]] = {}
        row_number = 1
        try:
            for row_number, record in enumerate(reader, start=2):
                values = importer.parse(row_number, record)
                if values is None or importer.errors_total:
                    continue
                # Last row wins for a visit listed twice in one batch (an upsert may not touch a
                # row twice in one statement on PostgreSQL).
                batch[(values["patient_key"], values["visit_date"])] = values
                if len(batch) >= BATCH_SIZE:
                    await session.execute(upsert, list(batch.values()))
                    batch.clear()
        except UnicodeDecodeError as error:
            raise VisitImportError(
                [RowError(row_number + 1, None, f"the file is not UTF-8 text ({error.reason})")]
            ) from error
        except csv.Error as error:
            raise VisitImportError(
                [RowError(row_number + 1, None, f"not readable as CSV: {error}")]
            ) from error
        if importer.errors_total:
            raise VisitImportError(importer.errors, total=importer.errors_total)
        if batch:
            await session.execute(upsert, list(batch.values()))
        inserted = await _count(session, center.id) - before
    return VisitImportSummary(
        center_code=center.short_code,
        rows_read=importer.rows,
        inserted=inserted,
        updated=importer.rows - inserted,
        ignored_columns=ignored,
    )


async def _center(session: AsyncSession, code: str) -> Center:
    wanted = code.strip().upper()
    center = await session.scalar(select(Center).where(func.upper(Center.short_code) == wanted))
    if center is None:
        raise NotFound(f"No center with code '{code.strip()}'.", field="center")
    return center


async def _count(session: AsyncSession, center_id: int) -> int:
    statement = select(func.count()).select_from(Visit).where(Visit.center_id == center_id)
    return int(await session.scalar(statement) or 0)


def _read_header(reader: Any) -> tuple[dict[str, int], tuple[str, ...]]:
    """Column name -> position, and the unknown columns that will be ignored."""
    try:
        header: list[str] | None = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as error:
        raise VisitImportError([RowError(1, None, f"unreadable header: {error}")]) from error
    if not header or not any(cell.strip() for cell in header):
        raise VisitImportError([RowError(1, None, "the file is empty: no header row")])
    errors: list[RowError] = []
    columns: dict[str, int] = {}
    ignored: list[str] = []
    known = {*REQUIRED_COLUMNS, *BOOLEAN_COLUMNS}
    for position, raw in enumerate(header):
        name = normalize_column(raw)
        if not name:
            continue
        kind = identifier_kind(raw)
        if kind is not None and name not in known:
            errors.append(RowError(1, raw.strip(), refusal_message(raw.strip(), kind)))
        elif name in columns:
            errors.append(RowError(1, raw.strip(), f"column '{name}' appears twice"))
        elif name in known:
            columns[name] = position
        else:
            ignored.append(raw.strip())
    for required in REQUIRED_COLUMNS:
        if required not in columns:
            errors.append(RowError(1, required, "required column is missing"))
    if errors:
        raise VisitImportError(errors)
    return columns, tuple(ignored)


class _RowImporter:
    """Parses one record into the values of a ``visits`` row, collecting its problems."""

    def __init__(self, columns: dict[str, int], hasher: PatientKeyHasher, center_id: int) -> None:
        self.columns = columns
        self.width = max(columns.values()) + 1
        self.hasher = hasher
        self.center_id = center_id
        self.latest = datetime.now(UTC).date() + timedelta(days=1)
        self.rows = 0
        self.errors: list[RowError] = []
        self.errors_total = 0
        self.created_at = utcnow()

    def _error(self, row: int, column: str | None, problem: str) -> None:
        self.errors_total += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, problem))

    def parse(self, row: int, record: list[str]) -> dict[str, Any] | None:
        if not record or not any(cell.strip() for cell in record):
            return None  # a blank line
        self.rows += 1
        if len(record) < self.width:
            self._error(row, None, f"has {len(record)} fields; the header has more")
            return None
        errors_before = self.errors_total
        cell = {name: record[position].strip() for name, position in self.columns.items()}

        raw_key = cell["patient_key"]
        if not raw_key:
            self._error(row, "patient_key", "is required")
        elif len(raw_key) > MAX_RAW_KEY_LENGTH:
            self._error(row, "patient_key", f"is longer than {MAX_RAW_KEY_LENGTH} characters")

        visit_date: date | None = None
        text = cell["visit_date"]
        if not text:
            self._error(row, "visit_date", "is required")
        else:
            try:
                if len(text) != 10:
                    raise ValueError
                visit_date = date.fromisoformat(text)
            except ValueError:
                self._error(row, "visit_date", f"{_quoted(text)} is not a date as YYYY-MM-DD")
            else:
                if visit_date > self.latest:
                    self._error(row, "visit_date", f"{text} is in the future")

        pga = self._choice(row, "pga", cell["pga"], _PGA)
        diagnosis = self._choice(row, "diagnosis", cell["diagnosis"], _DIAGNOSIS)
        flags = {name: self._flag(row, name, cell.get(name, "")) for name in BOOLEAN_COLUMNS}
        if self.errors_total > errors_before:
            return None
        return {
            "center_id": self.center_id,
            "patient_key": self.hasher(raw_key),
            "visit_date": visit_date,
            "pga": pga,
            "diagnosis": diagnosis,
            **flags,
            "created_at": self.created_at,
        }

    def _choice(self, row: int, column: str, text: str, allowed: dict[str, Any]) -> Any:
        if not text:
            self._error(row, column, "is required")
            return None
        member = allowed.get(text.upper())
        if member is None:
            self._error(row, column, f"{_quoted(text)} is not one of {', '.join(allowed)}")
        return member

    def _flag(self, row: int, column: str, text: str) -> bool | None:
        lowered = text.lower()
        if not lowered:
            return None
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        self._error(row, column, f"{_quoted(text)} is not true/false, yes/no, 1/0 or blank")
        return None


def _upsert_statement(dialect: str) -> Any:
    table = Visit.__table__
    assert isinstance(table, Table)
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.on_conflict_do_update(
        index_elements=["center_id", "patient_key", "visit_date"],
        set_={name: insert.excluded[name] for name in UPDATED_COLUMNS},
    )
