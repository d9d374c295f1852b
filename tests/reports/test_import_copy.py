"""How an import writes: on PostgreSQL, COPY into a staging table and one set-based upsert per
batch (never a statement per row); on SQLite, one executemany per batch. A failure in the
database half-way through leaves nothing written, like a refused file."""

from __future__ import annotations

import asyncio
import io
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError

from icn_graph.db.database import Database
from icn_graph.models import Visit
from icn_graph.services.registry import (
    VisitImportError,
    VisitImportSummary,
    csv_import,
    import_visits,
)
from icn_graph.testing import StatementCounter, make_center, snapshot

SECRET = "test-patient-key-secret"
HEADER = "patient_key,visit_date,pga,diagnosis,on_steroids\n"


def visits_file(count: int, *, first_day: int = 1) -> str:
    rows = (f"K{n},2024-01-{first_day + n:02d},MILD,UC,yes\n" for n in range(count))
    return HEADER + "".join(rows)


async def run_import(db: Database, center: str, text_: str) -> VisitImportSummary:
    return await import_visits(db, center, io.StringIO(text_, newline=""), secret=SECRET)


async def stored(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Visit)) or 0)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("icn_graph.services.registry.csv_import.BATCH_SIZE", 2)
    return 2


async def statements_of_import(db: Database, center: str, rows: int) -> list[str]:
    counter = StatementCounter()
    event.listen(db.engine.sync_engine, "before_cursor_execute", counter.record)
    try:
        summary = await run_import(db, center, visits_file(rows))
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", counter.record)
    assert (summary.rows_read, summary.inserted) == (rows, rows)
    return [" ".join(statement.split()) for statement in counter.statements]


async def test_rows_travel_by_copy_and_one_upsert_per_batch_never_a_statement_per_row(
    db: Database, small_batches: int
) -> None:
    few = await statements_of_import(db, (await make_center(db)).short_code, 6)
    many = await statements_of_import(db, (await make_center(db)).short_code, 20)
    assert await stored(db) == 26
    for statements, rows in ((few, 6), (many, 20)):
        inserts = [statement for statement in statements if statement.startswith("INSERT")]
        assert len(inserts) == rows // small_batches  # one per batch, whatever it holds
        if db.dialect == "postgresql":
            # No statement carries a row's values: they came by COPY into the staging table.
            assert all(" VALUES " not in statement for statement in statements)
            assert all(
                statement.startswith("INSERT INTO visits (center_id, patient_key, visit_date")
                and " FROM visit_import ON CONFLICT " in statement
                for statement in inserts
            )
            [staging] = [s for s in statements if s.startswith("CREATE TEMPORARY TABLE")]
            assert "visit_import ON COMMIT DROP" in staging
        else:
            assert all(" VALUES (" in statement for statement in inserts)
    if db.dialect == "postgresql":
        async with db.session() as session:  # the staging table went with its transaction
            assert await session.scalar(text("SELECT to_regclass('visit_import')")) is None


async def test_identical_repeats_in_one_batch_and_across_batches_are_one_visit(
    db: Database, small_batches: int
) -> None:
    center = await make_center(db)
    row = "K1,2024-01-05,MILD,UC,yes\n"
    summary = await run_import(
        db, center.short_code, HEADER + row + row + "K2,2024-01-05,MILD,UC,\n" + row
    )
    assert (summary.rows_read, summary.inserted, summary.updated) == (4, 2, 2)
    assert await stored(db) == 2


@pytest.fixture
async def refuses_one_day(db: Database) -> AsyncIterator[str]:
    """A rule in the database (not the importer's) refusing visits on 2024-01-09: a failure
    that only shows when a batch reaches ``visits``."""
    if db.dialect == "postgresql":
        create = [
            "ALTER TABLE visits ADD CONSTRAINT ck_test_refused_day "
            "CHECK (visit_date <> DATE '2024-01-09')"
        ]
        drop = ["ALTER TABLE visits DROP CONSTRAINT ck_test_refused_day"]
    else:
        create = [
            f"CREATE TRIGGER test_refused_day_{when} BEFORE {when} ON visits "
            "WHEN NEW.visit_date = '2024-01-09' BEGIN SELECT RAISE(ABORT, 'refused day'); END"
            for when in ("INSERT", "UPDATE")
        ]
        drop = [f"DROP TRIGGER test_refused_day_{when}" for when in ("INSERT", "UPDATE")]
    async with db.transaction() as session:
        for statement in create:
            await session.execute(text(statement))
    try:
        yield "2024-01-09"
    finally:
        async with db.transaction() as session:
            for statement in drop:
                await session.execute(text(statement))


async def test_a_failure_at_a_later_batchs_upsert_rolls_back_every_batch(
    db: Database, small_batches: int, refuses_one_day: str
) -> None:
    center = await make_center(db)
    await run_import(db, center.short_code, visits_file(4))  # K0..K3, days 1-4
    before = await snapshot(db)
    # Updates K0..K3 (now SEVERE), then adds K4..K9 on days 5-10: the refused day is in the
    # last of five batches, after four have reached visits.
    changed = visits_file(10).replace(",MILD,", ",SEVERE,")
    assert changed.splitlines()[9].startswith(f"K8,{refuses_one_day}")
    with pytest.raises(IntegrityError):
        await run_import(db, center.short_code, changed)
    assert await snapshot(db) == before
    assert await stored(db) == 4


@pytest.mark.parametrize("bad_second_row", [False, True], ids=["valid", "refused"])
async def test_validation_hands_the_event_loop_over_every_hundred_rows(
    db: Database, monkeypatch: pytest.MonkeyPatch, bad_second_row: bool
) -> None:
    """A batch's statements (COPY, then the upsert: several round trips) go on while the next
    batch is checked, not only once it is sent; a file refused early is checked to its end the
    same way, without holding the loop. Seen by a bystander task: how many rows were checked
    between two of its turns."""
    monkeypatch.setattr(csv_import, "BATCH_SIZE", 1_000)
    monkeypatch.setattr(csv_import, "YIELD_EVERY", 100)
    checked = 0
    parse = csv_import._RowImporter.parse

    def counting_parse(self: Any, row: int, record: list[str]) -> Any:
        nonlocal checked
        checked += 1
        return parse(self, row, record)

    monkeypatch.setattr(csv_import._RowImporter, "parse", counting_parse)
    center = await make_center(db)
    rows = [f"K{n},2024-{1 + n % 12:02d}-{1 + n % 28:02d},MILD,UC,yes\n" for n in range(3_000)]
    if bad_second_row:
        rows[0] = "K0,2024-13-01,MILD,UC,yes\n"
    seen: list[int] = []
    stop = asyncio.Event()

    async def bystander() -> None:
        while not stop.is_set():
            seen.append(checked)
            await asyncio.sleep(0)

    task = asyncio.create_task(bystander())
    try:
        if bad_second_row:
            with pytest.raises(VisitImportError):
                await run_import(db, center.short_code, HEADER + "".join(rows))
        else:
            summary = await run_import(db, center.short_code, HEADER + "".join(rows))
            assert summary.rows_read == 3_000
    finally:
        stop.set()
        await task
    assert checked == 3_000
    longest = max(later - earlier for earlier, later in itertools.pairwise(seen))
    assert longest <= 100, longest  # never a whole batch (1,000 rows) without a turn
