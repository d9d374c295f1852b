"""A request's rows die with the request, by reference counting. Its context is held in reference
cycles (Starlette's request, graphql-core's execution context); whatever its loaders still held
when it ended would wait for the cyclic collector, and under load that came as one pause of
200-250 ms every second or two, stalling every request in flight (docs/operations.md)."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from icn_graph.db.database import Database
from icn_graph.models import Center, Goal, KeyResult, Membership, Person
from icn_graph.schema.loaders import Loaders
from tests.goals.test_goals_n_plus_one import build
from tests.helpers import GraphQLClient

CENTER_PAGE = """
query CenterPage($first: Int!) {
  centers(first: $first) {
    nodes {
      name
      members { role person { displayName } }
      goals(first: 5) { nodes { title keyResults { title } } }
    }
  }
}
"""

ROW_TYPES = (Center, Person, Membership, Goal, KeyResult)


def live_rows() -> int:
    """Instances of the page's models the collector tracks, garbage not yet collected included."""
    return sum(isinstance(thing, ROW_TYPES) for thing in gc.get_objects())


@contextmanager
def no_cyclic_collection() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def test_the_rows_a_request_loaded_are_freed_when_it_ends(
    db: Database, client: GraphQLClient
) -> None:
    token = await build(db, 10)
    await client.data("{ viewer { id } }", token=token)  # the token's first use is written
    with no_cyclic_collection():
        before = live_rows()
        data = await client.data(CENTER_PAGE, {"first": 10}, token=token)
        left = live_rows() - before
    pages = data["centers"]["nodes"]
    assert sum(len(center["members"]) for center in pages) == 20  # the page did load rows
    assert left == 0


async def test_released_loaders_hold_nothing_and_load_again(db: Database) -> None:
    await build(db, 2)
    loaders = Loaders(db)
    held: list[object] = [loaders]
    held.append(held)  # a cycle, as a request's context is in
    with no_cyclic_collection():
        center = await loaders.center.load(1)
        assert center is not None
        members = await loaders.memberships_of_center.load(center.id)
        named = await loaders.get("center-again", _centers).load(center.id)
        loaded = [weakref.ref(row) for row in (center, *members, named)]
        del center, members, named
        await asyncio.sleep(0)  # the batches' done callbacks run, as they have when a request ends

        loaders.release()

        assert [row() for row in loaded] == [None] * len(loaded)
    again = await loaders.center.load(1)
    assert again is not None
    assert again.id == 1


async def _centers(db: Database, keys: list[int]) -> list[Center | None]:
    async with db.session() as session:
        return [await session.get(Center, key) for key in keys]


async def test_loaders_dropped_without_release_are_freed_with_what_they_loaded(
    db: Database,
) -> None:
    """A websocket's subscription replaces its loaders for each batch of notifications: the
    old ones, named loaders included, go with their rows as soon as nothing refers to them."""
    await build(db, 1)
    loaders = Loaders(db)
    with no_cyclic_collection():
        center = await loaders.get("center-again", _centers).load(1)
        assert center is not None
        await asyncio.sleep(0)
        loaders_ref, center_ref = weakref.ref(loaders), weakref.ref(center)
        del loaders, center
        assert loaders_ref() is None
        assert center_ref() is None
