"""DataLoaders, created per request, so a field on many objects costs one query per batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar, overload

from strawberry.dataloader import DataLoader

from icn_graph.db.database import Database
from icn_graph.models import Center, Membership, Person
from icn_graph.services import memberships
from icn_graph.services.lookup import rows_by_id

V = TypeVar("V")


def _by_id(db: Database, model: type[V]) -> Callable[[list[int]], Awaitable[Sequence[V | None]]]:
    async def load(keys: list[int]) -> Sequence[V | None]:
        found = await rows_by_id(db, model, keys)  # type: ignore[type-var]
        return [found.get(key) for key in keys]

    return load


def _lists_by_key(
    db: Database, fetch: Callable[[Database, Iterable[int]], Awaitable[Mapping[int, list[V]]]]
) -> Callable[[list[int]], Awaitable[Sequence[list[V]]]]:
    async def load(keys: list[int]) -> Sequence[list[V]]:
        found = await fetch(db, keys)
        return [found.get(key, []) for key in keys]

    return load


K = TypeVar("K")
T = TypeVar("T")


@overload
def loaded(loader: DataLoader[K, V], key: K) -> V | Awaitable[V]: ...


@overload
def loaded(loader: DataLoader[K, V], key: K, convert: Callable[[V], T]) -> T | Awaitable[T]: ...


def loaded(
    loader: DataLoader[K, V], key: K, convert: Callable[[V], Any] | None = None
) -> Any | Awaitable[Any]:
    """``key``'s value (passed through ``convert``, if given) when this request has loaded it
    already: a resolver returning it costs no coroutine and no task (graphql-core gathers every
    awaitable item of a list in a task of its own). Otherwise, or if loading it failed, an
    awaitable of the same, as ``loader.load(key)``. A page that reads its rows' children ahead
    (``lookahead.read_ahead``) makes each child field answer at once this way."""
    future = loader.cache_map.get(key) if loader.cache else None
    if future is None or not future.done() or future.cancelled() or future.exception():
        pending = loader.load(key)
        return pending if convert is None else _converted(pending, convert)
    value = future.result()
    return value if convert is None else convert(value)


async def _converted(pending: Awaitable[V], convert: Callable[[V], T]) -> T:
    return convert(await pending)


class Loaders:
    """This request's DataLoaders: the core ones as attributes, any others through ``get``."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._named: dict[str, DataLoader[Any, Any]] = {}
        self.center: DataLoader[int, Center | None] = DataLoader(_by_id(db, Center))
        self.person: DataLoader[int, Person | None] = DataLoader(_by_id(db, Person))
        self.membership: DataLoader[int, Membership | None] = DataLoader(_by_id(db, Membership))
        self.memberships_of_center: DataLoader[int, list[Membership]] = DataLoader(
            _lists_by_key(db, memberships.memberships_by_center)
        )
        self.memberships_of_person: DataLoader[int, list[Membership]] = DataLoader(
            _lists_by_key(db, memberships.memberships_by_person)
        )

    def release(self) -> None:
        """Let go of what this request loaded. A request's context is held in reference cycles
        (Starlette's request, graphql-core's execution), so whatever its loaders still hold (the
        cache and each loader's last batch, with every row loaded) would otherwise wait for the
        cyclic garbage collector: about 400 objects a center page, collected in one pause of
        200-250 ms every second or two under load. Released, the rows die with the request.
        The loaders still work afterwards: they load again."""
        for loader in self._all():
            loader.clear_all()
            loader.batch = None
        self._named.clear()

    def forget(self) -> None:
        """Forget what this request loaded (a write is starting: any of it may change), so the
        fields resolved after the write read it again. Loads in flight still answer their
        waiters; the loaders stay, with their batch functions."""
        for loader in self._all():
            loader.clear_all()

    def _all(self) -> list[DataLoader[Any, Any]]:
        core: list[DataLoader[Any, Any]] = [
            self.center,
            self.person,
            self.membership,
            self.memberships_of_center,
            self.memberships_of_person,
        ]
        return [*core, *self._named.values()]

    def get(
        self, name: str, batch: Callable[[Database, list[K]], Awaitable[Sequence[V]]]
    ) -> DataLoader[K, V]:
        """The loader called ``name`` for this request, made from ``batch`` on first use.

        ``batch(db, keys)`` returns one value per key, in order. Feature modules and plugins keep
        their loaders next to their types this way instead of adding attributes here.
        """
        loader = self._named.get(name)
        if loader is None:
            db = self.db  # not ``self``: a loader holding its Loaders would make a cycle

            async def load(keys: list[K]) -> Sequence[V]:
                return await batch(db, keys)

            loader = self._named[name] = DataLoader(load)
        return loader
