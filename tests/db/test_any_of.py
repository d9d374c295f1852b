"""``any_of`` binds a key list as one value (icn_graph/db/any_of.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from icn_graph.db.any_of import any_of, any_of_keys, key_list
from icn_graph.db.database import Database
from icn_graph.models import Person, PersonKind
from icn_graph.services.lookup import rows_by_id
from tests.helpers import make_person


async def test_it_finds_the_rows_whose_key_is_listed(db: Database) -> None:
    people = [await make_person(db, PersonKind.PARENT_PARTNER) for _ in range(3)]
    first, second, third = (person.id for person in people)
    async with db.session() as session:
        for keys, expected in (
            ([], []),
            ([second], [second]),
            ([third, first, third, 10**9], [first, third]),
        ):
            statement = select(Person.id).where(any_of(Person.id, keys)).order_by(Person.id)
            assert list(await session.scalars(statement)) == expected, keys


async def test_one_statement_serves_any_number_of_keys(db: Database) -> None:
    dialect = db.engine.sync_engine.dialect
    one, many = (
        str(select(Person.id).where(any_of(Person.id, keys)).compile(dialect=dialect))
        for keys in ([1], range(500))
    )
    assert one == many
    assert ("ANY(" if db.dialect == "postgresql" else "json_each(") in one


async def test_more_keys_than_a_statement_may_bind(db: Database) -> None:
    # asyncpg refuses more than 32,767 arguments; an IN list binds one per key.
    parent = await make_person(db, PersonKind.PARENT_PARTNER)
    keys = [parent.id, *range(10**8, 10**8 + 40_000)]
    assert list(await rows_by_id(db, Person, keys)) == [parent.id]


async def test_it_brings_its_table_and_groups_itself_like_in(db: Database) -> None:
    parent = await make_person(db, PersonKind.PARENT_PARTNER)
    async with db.session() as session:
        counted = select(func.count()).where(any_of(Person.id, [parent.id, 10**9]))
        assert await session.scalar(counted) == 1
        both = any_of(Person.id, [parent.id]) == any_of(Person.id, [10**9])
        assert list(await session.scalars(select(Person.id).where(both))) == []


@pytest.mark.parametrize("key", ["3", 2.0, True, None, 2**63, -(2**63) - 1])
def test_a_key_that_is_not_a_bigint_is_refused(key: object) -> None:
    with pytest.raises((TypeError, ValueError), match="any_of"):
        any_of(Person.id, [1, key])  # type: ignore[list-item]


async def test_keys_given_when_it_runs_go_to_their_own_name(db: Database) -> None:
    first = await make_person(db, PersonKind.PARENT_PARTNER)
    second = await make_person(db, PersonKind.PARENT_PARTNER)
    statement = (
        select(Person.id)
        .where(any_of_keys(Person.id, "wanted") & ~any_of_keys(Person.id, "unwanted"))
        .order_by(Person.id)
    )
    async with db.session() as session:
        found = await session.scalars(
            statement,
            {"wanted": key_list([first.id, second.id]), "unwanted": key_list([second.id])},
        )
        assert list(found) == [first.id]
