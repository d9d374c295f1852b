"""``import_visits``: a center's registry CSV, validated row by row, upserted in one transaction.

The file is read once, as a stream (``csv`` over a text stream): valid rows are upserted in
batches inside one transaction while every row is validated; if any row (or the header) has a
problem, the transaction is rolled back and every problem is raised at once, so a file with
errors imports nothing. A visit is identified by (center, patient key, visit date): importing
the same rows again updates them instead of adding duplicates; one file listing a patient and
date twice with different values is refused, naming both rows.

Open the file with ``errors="surrogateescape"`` (as the CLI and the upload do): a byte that is
not UTF-8 then becomes an error naming its row and column instead of failing the whole read.
"""

from __future__ import annotations

import array
import asyncio
import csv
import itertools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import BadInput, NotFound
from icn_graph.lazy import lazy_module
from icn_graph.models import Center, Diagnosis, PhysicianGlobalAssessment, Visit
from icn_graph.services.registry.identifiers import (
    identifier_kind,
    normalize_column,
    refusal_message,
)
from icn_graph.services.registry.patient_keys import PatientKeyHasher
from icn_graph.services.registry.visit_writers import (
    BOOLEAN_COLUMNS,
    UPDATED_COLUMNS,
    VisitRow,
    VisitWriter,
    visit_writer,
)

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")

BATCH_SIZE = 5_000
# Rows checked between two turns of the event loop. A batch's upsert takes several round trips,
# and each goes on only when validation lets the loop run: handing it over only at the next
# batch left the database idle while a batch was checked (50,000 rows on PostgreSQL: 1.0 s, of
# which 0.65 s waiting for the database; with a turn every 100 rows, 0.7 s and 0.3 s).
YIELD_EVERY = 100
MAX_REPORTED_ERRORS = 1_000
MAX_RAW_KEY_LENGTH = 200
# How much of a bad cell an error message quotes: enough to find it, never a huge echo.
MAX_QUOTED_CHARACTERS = 40

EARLIEST_VISIT = date(1990, 1, 1)
# "Today" anywhere on Earth: a visit dated today in UTC+14 is not in the future.
LATEST_UTC_OFFSET = timedelta(hours=14)

REQUIRED_COLUMNS = ("patient_key", "visit_date", "pga", "diagnosis")

_FLAGS: dict[str, bool | None] = {
    "": None,
    **dict.fromkeys(("true", "yes", "1"), True),
    **dict.fromkeys(("false", "no", "0"), False),
}
# Cells read as they are, before any stripping: the spellings files usually have.
_FLAG_SPELLINGS = {
    **_FLAGS,
    **{spelling.upper(): flag for spelling, flag in _FLAGS.items()},
    **{spelling.capitalize(): flag for spelling, flag in _FLAGS.items()},
}
_PGA = {member.value: member for member in PhysicianGlobalAssessment}
_DIAGNOSIS = {member.value: member for member in Diagnosis}
_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}


def _undecodable(text: str) -> str | None:
    """The first byte that was not UTF-8 (read with ``surrogateescape``), as ``0xE9``."""
    if text.isascii():
        return None
    for character in text:
        if "\udc80" <= character <= "\udcff":
            return f"0x{ord(character) - 0xDC00:02X}"
    return None


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

    def __init__(
        self, errors: Sequence[RowError], *, total: int | None = None, rows_read: int = 0
    ) -> None:
        self.errors = list(errors)
        self.total = total if total is not None else len(self.errors)
        self.rows_read = rows_read
        """Data rows read (blank lines not counted) before the file was refused."""
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
    months: tuple[date, ...] = field(default=())
    """The months (first days, in order) of the visits imported: refresh only what they can
    change (``refresh_measures(..., visit_months={center_id: months})``)."""


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
        try:
            columns, ignored, width = _read_header(reader)
        except VisitImportError as refused:
            refused.rows_read = _count_rows(reader)
            raise
        importer = _RowImporter(columns, width, PatientKeyHasher(secret, center.id), center.id)
        writer = await visit_writer(session, db.dialect, center.id, importer.created_at)
        try:
            await _import_rows(importer, reader, writer)
        except BaseException:
            await writer.abandon()
            raise
        inserted = await _count(session, center.id) - before
    return VisitImportSummary(
        center_code=center.short_code,
        rows_read=importer.rows,
        inserted=inserted,
        updated=importer.rows - inserted,
        ignored_columns=ignored,
        months=tuple(sorted(importer.months)),
    )


async def _import_rows(importer: _RowImporter, reader: Any, writer: VisitWriter) -> None:
    """Validate every row, sending the valid ones to ``writer`` in batches until a problem is
    found; raise ``VisitImportError`` listing the problems, if any."""
    batch: list[VisitRow] = []
    row_number = 1
    try:
        for row_number, record in enumerate(reader, start=2):
            if row_number % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            values = importer.parse(row_number, record)
            if values is None or importer.errors_total:
                continue
            batch.append(values)
            if len(batch) >= BATCH_SIZE:
                await writer.write(batch)
                batch = []
    except UnicodeDecodeError as error:
        raise VisitImportError(
            [
                RowError(
                    row_number + 1,
                    None,
                    f"the file is not UTF-8 text ({error.reason}) at this row or soon after",
                )
            ],
            rows_read=importer.rows,
        ) from error
    except csv.Error as error:
        raise VisitImportError(
            [RowError(row_number + 1, None, f"not readable as CSV: {error}")],
            rows_read=importer.rows,
        ) from error
    importer.check_repeats()
    if importer.errors_total:
        raise VisitImportError(
            importer.errors, total=importer.errors_total, rows_read=importer.rows
        )
    if batch:
        await writer.write(batch)
    await writer.finish()


async def _center(session: AsyncSession, code: str) -> Center:
    wanted = code.strip().upper()
    center = await session.scalar(select(Center).where(func.upper(Center.short_code) == wanted))
    if center is None:
        raise NotFound(f"No center with code '{code.strip()}'.", field="center")
    return center


async def _count(session: AsyncSession, center_id: int) -> int:
    statement = select(func.count()).select_from(Visit).where(Visit.center_id == center_id)
    return int(await session.scalar(statement) or 0)


def _read_header(reader: Any) -> tuple[dict[str, int], tuple[str, ...], int]:
    """Column name -> position, the unknown columns that will be ignored, and the header's
    width."""
    try:
        header: list[str] | None = next(reader, None)
    except UnicodeDecodeError as error:
        raise VisitImportError(
            [RowError(1, None, f"the file is not UTF-8 text ({error.reason}) in the first rows")]
        ) from error
    except csv.Error as error:
        raise VisitImportError([RowError(1, None, f"unreadable header: {error}")]) from error
    if not header or not any(cell.strip() for cell in header):
        raise VisitImportError([RowError(1, None, "the file is empty: no header row")])
    errors: list[RowError] = []
    columns: dict[str, int] = {}
    ignored: list[str] = []
    known = {*REQUIRED_COLUMNS, *BOOLEAN_COLUMNS}
    for position, raw in enumerate(header):
        bad_byte = _undecodable(raw)
        if bad_byte is not None:
            errors.append(
                RowError(1, f"#{position + 1}", f"the header cell is not UTF-8 text ({bad_byte})")
            )
            continue
        name = normalize_column(raw)
        if not name:
            errors.append(
                RowError(
                    1,
                    f"#{position + 1}",
                    "the header cell is blank: name the column, or delete it if it is empty",
                )
            )
            continue
        kind = identifier_kind(raw)
        if kind is not None and name not in known:
            errors.append(RowError(1, raw.strip(), refusal_message(raw.strip(), kind)))
        elif name in columns or name in (normalize_column(other) for other in ignored):
            errors.append(RowError(1, raw.strip(), f"column '{name}' appears twice"))
        elif name in known:
            columns[name] = position
        else:
            ignored.append(raw.strip())
    missing = [required for required in REQUIRED_COLUMNS if required not in columns]
    delimiter = _other_delimiter(header) if missing else None
    if delimiter is not None:
        raise VisitImportError(
            [
                RowError(
                    1,
                    None,
                    f"the file looks {delimiter}-separated, not comma-separated: save it as CSV "
                    "with commas (e.g. 'CSV UTF-8 (Comma delimited)') and upload it again",
                )
            ]
        )
    errors.extend(RowError(1, required, "required column is missing") for required in missing)
    if errors:
        raise VisitImportError(errors)
    return columns, tuple(ignored), len(header)


def _count_rows(reader: Any) -> int:
    """The data rows left in a refused file (blank lines not counted), as far as readable."""
    rows = 0
    try:
        for record in reader:
            rows += any(cell.strip() for cell in record)
    except (UnicodeDecodeError, csv.Error):
        pass
    return rows


def _other_delimiter(header: list[str]) -> str | None:
    """The name of the delimiter a header not separated by commas seems to use, if any."""
    joined = ",".join(header)
    for delimiter, name in _DELIMITERS.items():
        cells = {normalize_column(cell) for cell in joined.split(delimiter)}
        if len(cells & set(REQUIRED_COLUMNS)) >= 2:
            return name
    return None


class _RowImporter:
    """Parses one record into the values of a ``visits`` row, collecting its problems."""

    def __init__(
        self, columns: dict[str, int], width: int, hasher: PatientKeyHasher, center_id: int
    ) -> None:
        self.columns = columns
        self.names = {position: name for name, position in columns.items()}
        self.key_at, self.date_at, self.pga_at, self.diagnosis_at = (
            columns[name] for name in REQUIRED_COLUMNS
        )
        # An optional column the file lacks reads as blank.
        self.flags_at = tuple((name, columns.get(name)) for name in BOOLEAN_COLUMNS)
        # With every flag column present, the usual spellings are read in one step.
        self.flag_cells = (
            operator.itemgetter(*(columns[name] for name in BOOLEAN_COLUMNS))
            if all(name in columns for name in BOOLEAN_COLUMNS)
            else None
        )
        self.width = width
        self.hasher = hasher
        self.center_id = center_id
        self.latest = (utcnow() + LATEST_UTC_OFFSET).date()
        self.rows = 0
        self.errors: list[RowError] = []
        self.errors_total = 0
        self.created_at = utcnow()
        # Every accepted row's (patient, date) key and values, compactly, to find repeats.
        self._visit_keys = array.array("q")
        self._visit_days = array.array("l")
        self._visit_values = array.array("l")
        self._visit_rows = array.array("l")
        self._month_days: set[int] = set()

    def _error(self, row: int, column: str | None, problem: str) -> None:
        self.errors_total += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, problem))

    def parse(self, row: int, record: list[str]) -> VisitRow | None:
        """The row's values in ``ROW_COLUMNS`` order, or None (a blank line, or errors)."""
        joined = "".join(record)
        if not joined.strip():
            return None  # a blank line
        self.rows += 1
        if len(record) < self.width:
            self._error(
                row,
                None,
                f"has {len(record)} fields where the header has {self.width}: is a comma "
                "missing, or a quote not closed?",
            )
            return None
        errors_before = self.errors_total
        if not joined.isascii():
            for position, text in enumerate(record):
                bad_byte = _undecodable(text)
                if bad_byte is not None:
                    column = self.names.get(position, f"#{position + 1}")
                    self._error(row, column, f"is not UTF-8 text ({bad_byte})")
            if self.errors_total > errors_before:
                return None

        raw_key = record[self.key_at].strip()
        if not raw_key:
            self._error(row, "patient_key", "is required")
        elif len(raw_key) > MAX_RAW_KEY_LENGTH:
            self._error(row, "patient_key", f"is longer than {MAX_RAW_KEY_LENGTH} characters")

        visit_date: date | None = None
        text = record[self.date_at].strip()
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
                    self._error(row, "visit_date", f"{text} is after today")
                elif visit_date < EARLIEST_VISIT:
                    self._error(
                        row, "visit_date", f"{text} is before {EARLIEST_VISIT.year}: a typo?"
                    )

        pga = _PGA.get(record[self.pga_at])  # the usual spelling, as is; else the full check
        if pga is None:
            pga = self._choice(row, "pga", record[self.pga_at].strip(), _PGA)
        diagnosis = _DIAGNOSIS.get(record[self.diagnosis_at])
        if diagnosis is None:
            text = record[self.diagnosis_at].strip()
            diagnosis = self._choice(row, "diagnosis", text, _DIAGNOSIS)
        flags = self._flags(row, record)
        if self.errors_total > errors_before:
            return None
        assert visit_date is not None
        key = self.hasher(raw_key)
        values = (pga, diagnosis, *flags)
        self._remember(row, key, visit_date, values)
        return (key, visit_date, *values)

    def _flags(self, row: int, record: list[str]) -> tuple[bool | None, ...]:
        if self.flag_cells is not None:
            try:
                return tuple(map(_FLAG_SPELLINGS.__getitem__, self.flag_cells(record)))
            except KeyError:
                pass  # an unusual spelling, or a bad cell: the full check names it
        return tuple(
            self._flag(row, name, "" if position is None else record[position].strip())
            for name, position in self.flags_at
        )

    def _remember(self, row: int, key: str, visit_date: date, values: tuple[Any, ...]) -> None:
        """Keep 24 bytes of the row: 64 bits of its patient's keyed hash, its date, its values
        (exactly, as one small number: ``_VALUE_CODES``) and its number."""
        day = visit_date.toordinal()
        self._visit_keys.append(int(key[:16], 16) - (1 << 63))
        self._visit_days.append(day)
        self._visit_values.append(_VALUE_CODES[values])
        self._visit_rows.append(row)
        self._month_days.add(day - visit_date.day + 1)

    @property
    def months(self) -> set[date]:
        """The first days of the months of the rows accepted."""
        return {date.fromordinal(day) for day in self._month_days}

    def check_repeats(self) -> None:
        """One error per row that repeats an earlier row's patient and date with different
        values, naming both rows and the first differing column."""
        if len(self._visit_rows) < 2:
            return
        keys = np.frombuffer(self._visit_keys, dtype=np.int64)
        small = np.dtype(f"i{self._visit_rows.itemsize}")
        order = np.lexsort(
            (
                np.frombuffer(self._visit_rows, dtype=small),
                np.frombuffer(self._visit_days, dtype=small),
                keys,
            )
        )
        keys = keys[order]
        days = np.frombuffer(self._visit_days, dtype=small)[order]
        values = np.frombuffer(self._visit_values, dtype=small)[order]
        rows = np.frombuffer(self._visit_rows, dtype=small)[order]
        same = np.r_[False, (keys[1:] == keys[:-1]) & (days[1:] == days[:-1])]
        # Each row of a run of one patient and date is compared with the run's first row.
        first = np.maximum.accumulate(np.where(same, 0, np.arange(len(rows))))
        conflicting = np.flatnonzero(same & (values != values[first]))
        for index in sorted(conflicting.tolist(), key=lambda index: int(rows[index])):
            column = _first_difference(int(values[first[index]]), int(values[index]))
            visit_date = date.fromordinal(int(days[index]))
            self._error(
                int(rows[index]),
                column,
                f"the same patient and visit date ({visit_date.isoformat()}) as row "
                f"{int(rows[first[index]])}, with a different {column}: keep one of the two rows",
            )

    def _choice(self, row: int, column: str, text: str, allowed: dict[str, Any]) -> Any:
        if not text:
            self._error(row, column, "is required")
            return None
        member = allowed.get(text.upper())
        if member is None:
            self._error(row, column, f"{_quoted(text)} is not one of {', '.join(allowed)}")
        return member

    def _flag(self, row: int, column: str, text: str) -> bool | None:
        try:
            return _FLAGS[text.lower()]
        except KeyError:
            self._error(row, column, f"{_quoted(text)} is not true/false, yes/no, 1/0 or blank")
            return None


_PGA_CODES = {member: code for code, member in enumerate(PhysicianGlobalAssessment)}
_DIAGNOSIS_CODES = {member: code for code, member in enumerate(Diagnosis)}
_FLAG_CODES: dict[bool | None, int] = {None: 0, False: 1, True: 2}


def _value_code(values: tuple[Any, ...]) -> int:
    pga, diagnosis, *flags = values
    code = _PGA_CODES[pga] * len(_DIAGNOSIS_CODES) + _DIAGNOSIS_CODES[diagnosis]
    for flag in flags:
        code = code * 3 + _FLAG_CODES[flag]
    return code


# Every possible (pga, diagnosis, *flags) as its small number, read back by _first_difference.
_VALUE_CODES = {
    values: _value_code(values)
    for values in itertools.product(
        PhysicianGlobalAssessment, Diagnosis, *([None, False, True],) * len(BOOLEAN_COLUMNS)
    )
}


def _first_difference(first: int, second: int) -> str:
    """The first column (in file order of ``UPDATED_COLUMNS``) where two value codes differ."""
    digits: dict[str, tuple[int, int]] = {}
    for name in reversed(BOOLEAN_COLUMNS):
        digits[name] = (first % 3, second % 3)
        first, second = first // 3, second // 3
    size = len(_DIAGNOSIS_CODES)
    digits["diagnosis"] = (first % size, second % size)
    digits["pga"] = (first // size, second // size)
    return next(name for name in UPDATED_COLUMNS if digits[name][0] != digits[name][1])
