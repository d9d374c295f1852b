"""This request's goal loaders: one query per batch, whatever the size of the page."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from icn_graph import models
from icn_graph.db.database import Database
from icn_graph.schema.context import Info
from icn_graph.services import goals as service
from icn_graph.services.lookup import rows_by_id
from icn_graph.services.pagination import Page


async def _goals(db: Database, keys: list[int]) -> list[models.Goal | None]:
    found = await rows_by_id(db, models.Goal, keys)
    return [found.get(key) for key in keys]


async def _key_results(db: Database, keys: list[int]) -> list[models.KeyResult | None]:
    found = await rows_by_id(db, models.KeyResult, keys)
    return [found.get(key) for key in keys]


async def _check_ins(db: Database, keys: list[int]) -> list[models.CheckIn | None]:
    found = await rows_by_id(db, models.CheckIn, keys)
    return [found.get(key) for key in keys]


async def _key_results_of_goal(db: Database, keys: list[int]) -> list[list[models.KeyResult]]:
    found = await service.key_results_by_goal(db, keys)
    return [found.get(key, []) for key in keys]


async def _values_of_check_in(db: Database, keys: list[int]) -> list[list[models.CheckInValue]]:
    found = await service.values_by_check_in(db, keys)
    return [found.get(key, []) for key in keys]


async def _check_in_pages(
    db: Database, keys: list[service.PageRequest]
) -> Sequence[Page[models.CheckIn]]:
    return await service.check_in_pages(db, keys)


async def _center_goal_pages(
    db: Database, keys: list[service.OwnerGoalsRequest]
) -> Sequence[Page[models.Goal]]:
    return await service.center_goal_pages(db, keys)


async def _person_goal_pages(
    db: Database, keys: list[service.OwnerGoalsRequest]
) -> Sequence[Page[models.Goal]]:
    return await service.person_goal_pages(db, keys)


def goal(info: Info) -> DataLoader[int, models.Goal | None]:
    return info.context.loaders.get("goals.goal", _goals)


def key_result(info: Info) -> DataLoader[int, models.KeyResult | None]:
    return info.context.loaders.get("goals.key_result", _key_results)


def check_in(info: Info) -> DataLoader[int, models.CheckIn | None]:
    return info.context.loaders.get("goals.check_in", _check_ins)


def key_results_of_goal(info: Info) -> DataLoader[int, list[models.KeyResult]]:
    return info.context.loaders.get("goals.key_results_of_goal", _key_results_of_goal)


def values_of_check_in(info: Info) -> DataLoader[int, list[models.CheckInValue]]:
    return info.context.loaders.get("goals.values_of_check_in", _values_of_check_in)


def measure_readings(info: Info) -> DataLoader[service.MeasureLink, service.Measured | None]:
    """The latest months of linked measures, as the viewer reads them (audited: see
    ``services.goals.progress``)."""
    viewer = info.context.viewer

    async def batch(db: Database, keys: list[service.MeasureLink]) -> list[service.Measured | None]:
        return await service.measure_readings(db, viewer, keys)

    return info.context.loaders.get("goals.measure_readings", batch)


def check_in_pages(info: Info) -> DataLoader[service.PageRequest, Page[models.CheckIn]]:
    return info.context.loaders.get("goals.check_in_pages", _check_in_pages)


def center_goal_pages(info: Info) -> DataLoader[service.OwnerGoalsRequest, Page[models.Goal]]:
    return info.context.loaders.get("goals.center_goal_pages", _center_goal_pages)


def person_goal_pages(info: Info) -> DataLoader[service.OwnerGoalsRequest, Page[models.Goal]]:
    return info.context.loaders.get("goals.person_goal_pages", _person_goal_pages)


def forget(info: Info) -> None:
    """Drop what this request's goal loaders cached, after a mutation changed goals."""
    for loader in (
        goal(info),
        key_result(info),
        check_in(info),
        key_results_of_goal(info),
        values_of_check_in(info),
        measure_readings(info),
        check_in_pages(info),
        center_goal_pages(info),
        person_goal_pages(info),
    ):
        loader.clear_all()
