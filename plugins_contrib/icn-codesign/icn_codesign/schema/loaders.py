"""This request's loaders for the plugin's fields: one query per field for every object in the
response. Named ``icn-codesign.*``; those that depend on the viewer read it from the request."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from icn_codesign import reading
from icn_codesign.models import MessageEdit, Participant, Thread
from icn_graph.plugin_api import Database, Info, Person


def threads(info: Info) -> DataLoader[int, Thread | None]:
    viewer = info.context.viewer

    async def batch(db: Database, pks: Sequence[int]) -> list[Thread | None]:
        found = await reading.threads_by_id(db, viewer, pks)
        return [found.get(pk) for pk in pks]

    return info.context.loaders.get("icn-codesign.threads", batch)


def visible_threads(info: Info) -> DataLoader[int, Thread | None]:
    return threads(info)


def participants(info: Info) -> DataLoader[int, list[Participant]]:
    return info.context.loaders.get("icn-codesign.participants", reading.participants_of)


def mentions(info: Info) -> DataLoader[int, list[Person]]:
    return info.context.loaders.get("icn-codesign.mentions", reading.mentions_of)


def edits(info: Info) -> DataLoader[int, list[MessageEdit]]:
    return info.context.loaders.get("icn-codesign.edits", reading.edits_of)


def unread(info: Info) -> DataLoader[int, int | None]:
    person_id = info.context.viewer.require_member()

    async def batch(db: Database, pks: Sequence[int]) -> list[int | None]:
        return await reading.unread_counts(db, person_id, pks)

    return info.context.loaders.get("icn-codesign.unread", batch)


def threads_of_subjects(info: Info) -> DataLoader[str, list[Thread]]:
    viewer = info.context.viewer

    async def batch(db: Database, subject_ids: Sequence[str]) -> list[list[Thread]]:
        return await reading.threads_of_subjects(db, viewer, subject_ids)

    return info.context.loaders.get("icn-codesign.threads_of_subjects", batch)


def threads_of_centers(info: Info) -> DataLoader[int, list[Thread]]:
    viewer = info.context.viewer

    async def batch(db: Database, center_ids: Sequence[int]) -> list[list[Thread]]:
        return await reading.threads_of_centers(db, viewer, center_ids)

    return info.context.loaders.get("icn-codesign.threads_of_centers", batch)
