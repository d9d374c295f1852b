"""This request's stewardship loaders: one query per batch, whatever the size of the page.

Each serves objects the caller already checked the viewer may see.
"""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from icn_graph import models
from icn_graph.db.database import Database
from icn_graph.schema.context import Info
from icn_graph.services.lookup import rows_by_id
from icn_graph.services.stewardship import queries
from icn_graph.services.stewardship.access import Parties


async def _requests(db: Database, keys: list[int]) -> list[models.DataRequest | None]:
    found = await rows_by_id(db, models.DataRequest, keys)
    return [found.get(key) for key in keys]


async def _views(db: Database, keys: list[int]) -> list[models.DataView | None]:
    found = await rows_by_id(db, models.DataView, keys)
    return [found.get(key) for key in keys]


async def _consents(db: Database, keys: list[int]) -> list[models.DisplayConsent | None]:
    found = await rows_by_id(db, models.DisplayConsent, keys)
    return [found.get(key) for key in keys]


async def _standing(db: Database, keys: list[int]) -> list[models.StandingConsent | None]:
    found = await rows_by_id(db, models.StandingConsent, keys)
    return [found.get(key) for key in keys]


async def _parties(db: Database, keys: list[int]) -> Sequence[Parties | None]:
    return await queries.parties(db, keys)


async def _views_of_request(db: Database, keys: list[int]) -> Sequence[list[models.DataView]]:
    return await queries.views_of_requests(db, keys)


async def _centers_of_view(db: Database, keys: list[int]) -> Sequence[list[models.DataViewCenter]]:
    return await queries.centers_of_views(db, keys)


async def _centers_of_request(db: Database, keys: list[int]) -> Sequence[list[int]]:
    return await queries.centers_of_requests(db, keys)


async def _consents_of_view(db: Database, keys: list[int]) -> Sequence[list[models.DisplayConsent]]:
    return await queries.consents_of_views(db, keys)


async def _latest_standing(
    db: Database, keys: list[int]
) -> Sequence[models.StandingConsent | None]:
    return await queries.latest_standing(db, keys)


async def _comments_of_request(
    db: Database, keys: list[int]
) -> Sequence[list[models.DataRequestComment]]:
    return await queries.comments_of_requests(db, keys)


def request(info: Info) -> DataLoader[int, models.DataRequest | None]:
    return info.context.loaders.get("stewardship:request", _requests)


def view(info: Info) -> DataLoader[int, models.DataView | None]:
    return info.context.loaders.get("stewardship:view", _views)


def consent(info: Info) -> DataLoader[int, models.DisplayConsent | None]:
    return info.context.loaders.get("stewardship:consent", _consents)


def standing(info: Info) -> DataLoader[int, models.StandingConsent | None]:
    return info.context.loaders.get("stewardship:standing", _standing)


def parties(info: Info) -> DataLoader[int, Parties | None]:
    return info.context.loaders.get("stewardship:parties", _parties)


def views_of_request(info: Info) -> DataLoader[int, list[models.DataView]]:
    return info.context.loaders.get("stewardship:views_of_request", _views_of_request)


def centers_of_view(info: Info) -> DataLoader[int, list[models.DataViewCenter]]:
    return info.context.loaders.get("stewardship:centers_of_view", _centers_of_view)


def centers_of_request(info: Info) -> DataLoader[int, list[int]]:
    return info.context.loaders.get("stewardship:centers_of_request", _centers_of_request)


def consents_of_view(info: Info) -> DataLoader[int, list[models.DisplayConsent]]:
    return info.context.loaders.get("stewardship:consents_of_view", _consents_of_view)


def latest_standing(info: Info) -> DataLoader[int, models.StandingConsent | None]:
    """A center's latest standing preference, in force or not."""
    return info.context.loaders.get("stewardship:latest_standing", _latest_standing)


def comments_of_request(info: Info) -> DataLoader[int, list[models.DataRequestComment]]:
    return info.context.loaders.get("stewardship:comments_of_request", _comments_of_request)


def forget(info: Info) -> None:
    """Drop what this request's stewardship loaders cached, after a mutation changed them."""
    for loader in (
        request(info),
        view(info),
        consent(info),
        standing(info),
        parties(info),
        views_of_request(info),
        centers_of_view(info),
        centers_of_request(info),
        consents_of_view(info),
        latest_standing(info),
        comments_of_request(info),
    ):
        loader.clear_all()
