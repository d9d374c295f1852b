"""A page of plain rows reads its columns by position (``icn_graph/db/plain_rows.py``)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from icn_graph.db.database import Database
from icn_graph.db.plain_rows import named_rows, plain_row_type
from icn_graph.models import NetworkRole, Person, PersonKind
from icn_graph.services import people
from icn_graph.services.viewer import Viewer
from tests.helpers import make_person


def test_the_row_type_names_the_columns_by_key_in_the_table_order() -> None:
    table = cast("Table", Person.__table__)
    row_type = plain_row_type(table)
    assert row_type._fields == tuple(column.key for column in table.columns)  # type: ignore[attr-defined]
    assert plain_row_type(table) is row_type  # one type per table
    row = named_rows(table, [tuple(range(len(table.columns)))])[0]
    assert isinstance(row, row_type)
    assert [getattr(row, column.key) for column in table.columns] == list(range(len(table.columns)))


async def test_a_page_of_people_is_named_tuples_with_the_stored_values(db: Database) -> None:
    nurse = await make_person(db, PersonKind.NURSE)
    staff = Viewer(person_id=nurse.id, network_role=NetworkRole.STAFF)
    page = await people.list_people(db, staff, filter=people.PersonFilter())
    [(_, row)] = page.items
    assert isinstance(row, plain_row_type(cast("Table", Person.__table__)))
    assert (row.id, row.display_name, row.kind, row.email) == (
        nurse.id,
        nurse.display_name,
        PersonKind.NURSE,
        nurse.email,
    )
    assert row.created_at == nurse.created_at
    assert row.deactivated_at is None
    assert await page.count_total() == 1
