"""This request's loaders for Learning Sessions, built on ``info.context.loaders.get``."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from icn_graph import models
from icn_graph.db.database import Database
from icn_graph.schema.context import Info
from icn_graph.schema.loaders import Loaders
from icn_graph.services.learning_sessions import agenda, attendance, registrations, sessions
from icn_graph.services.pagination import Page

PageKey = tuple[int, registrations.RegistrationQuery]


def learning_session(info: Info) -> DataLoader[int, models.LearningSession | None]:
    return info.context.loaders.get("learning_session", sessions.sessions_by_id)


def agenda_item(info: Info) -> DataLoader[int, models.AgendaItem | None]:
    return info.context.loaders.get("agenda_item", agenda.items_by_id)


def agenda_of_session(info: Info) -> DataLoader[int, list[models.AgendaItem]]:
    return info.context.loaders.get("agenda_of_session", agenda.items_by_session)


def agenda_of_person(info: Info) -> DataLoader[int, list[models.AgendaItem]]:
    return info.context.loaders.get("agenda_of_person", agenda.items_by_person)


def people_of_item(info: Info) -> DataLoader[int, list[models.AgendaAssignment]]:
    return info.context.loaders.get("agenda_people_of_item", agenda.assignments_by_item)


def registration(info: Info) -> DataLoader[int, models.Registration | None]:
    return info.context.loaders.get("registration", registrations.registrations_by_id)


def attendance_mix(info: Info) -> DataLoader[int, attendance.AttendanceMix]:
    return info.context.loaders.get("attendance_mix", attendance.attendance_mixes)


def _count_loader(
    loaders: Loaders,
) -> DataLoader[tuple[int, registrations.RegistrationFilter], int]:
    return loaders.get("registration_count", registrations.registration_counts)


def registration_page(info: Info) -> DataLoader[PageKey, Page[models.Registration]]:
    """Pages of registrations for many sessions at once: one statement per distinct request
    (the same ``first``/``after``/``filter`` for every session of a listing)."""
    loaders = info.context.loaders

    async def count(session_id: int, filter: registrations.RegistrationFilter) -> int:
        return await _count_loader(loaders).load((session_id, filter))

    async def batch(db: Database, keys: Sequence[PageKey]) -> list[Page[models.Registration]]:
        groups: dict[registrations.RegistrationQuery, list[int]] = {}
        for session_id, query in keys:
            groups.setdefault(query, []).append(session_id)
        pages: dict[PageKey, Page[models.Registration]] = {}
        for query, session_ids in groups.items():
            found = await registrations.registration_pages(db, session_ids, query, count)
            pages.update(
                ((session_id, query), page)
                for session_id, page in zip(session_ids, found, strict=True)
            )
        return [pages[key] for key in keys]

    return loaders.get("registration_page", batch)
