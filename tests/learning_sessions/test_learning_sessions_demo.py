"""The demo's Learning Sessions: a completed Fall 2013 and a Spring 2014 in planning with its
parent panel, about 300 registrations each in a realistic mix, no scheduling conflicts, and the
same sessions for the same seed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select

from icn_graph.db.base import Base
from icn_graph.db.database import Database
from icn_graph.demo import DEMO_PERSONAS, SMALL_VISIT_SCALE, load_demo
from icn_graph.demo.present import STORY_TODAY
from icn_graph.host import core_host
from icn_graph.models import (
    AgendaAssignment,
    AgendaItem,
    AgendaItemKind,
    AgendaPart,
    LearningSession,
    LearningSessionStatus,
    Person,
    PersonKind,
    Registration,
    RegistrationPart,
)
from icn_graph.services.learning_sessions.conflicts import Slot, outside_session


async def _by_title(db: Database) -> dict[str, LearningSession]:
    async with db.session() as session:
        return {row.title: row for row in await session.scalars(select(LearningSession))}


async def test_two_sessions_with_agendas_and_about_300_registrations(db: Database) -> None:
    await load_demo(db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY)
    sessions = await _by_title(db)
    assert set(sessions) == {"Fall 2013 Learning Session", "Spring 2014 Learning Session"}
    fall, spring = sessions["Fall 2013 Learning Session"], sessions["Spring 2014 Learning Session"]
    assert (fall.status, fall.timezone) == (LearningSessionStatus.COMPLETE, "America/Chicago")
    assert "Chicago" in fall.venue
    assert (spring.status, spring.timezone) == (LearningSessionStatus.PLANNING, "America/New_York")

    async with db.session() as session:
        for row in (fall, spring):
            kinds = Counter(
                (kind, attended)
                for kind, attended in await session.execute(
                    select(Person.kind, Registration.attended)
                    .join(Registration, Registration.person_id == Person.id)
                    .where(Registration.session_id == row.id)
                )
            )
            total = sum(kinds.values())
            assert 280 <= total <= 320, (row.title, total)
            registered: Counter[PersonKind] = Counter()
            for (kind, _), count in kinds.items():
                registered[kind] += count
            assert all(registered[kind] > 0 for kind in PersonKind), registered
            attended = sum(count for (_, came), count in kinds.items() if came)
            if row is fall:
                assert attended > 0.8 * total
            else:
                assert attended == 0
            items = (
                await session.scalars(select(AgendaItem).where(AgendaItem.session_id == row.id))
            ).all()
            assert {AgendaItemKind.PLENARY, AgendaItemKind.BREAKOUT, AgendaItemKind.BREAK} <= {
                item.kind for item in items
            }
        # Parents came from the fringes to the stage: more of them in Spring 2014.
        parents = {
            row.title: len(
                (
                    await session.scalars(
                        select(Registration.id)
                        .join(Person, Person.id == Registration.person_id)
                        .where(
                            Registration.session_id == row.id,
                            Person.kind == PersonKind.PARENT_PARTNER,
                        )
                    )
                ).all()
            )
            for row in (fall, spring)
        }
        assert parents[spring.title] > 2 * parents[fall.title]


async def test_the_spring_2014_parent_panel(db: Database) -> None:
    await load_demo(db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY)
    spring = (await _by_title(db))["Spring 2014 Learning Session"]
    async with db.session() as session:
        personas = {
            person.email: person
            for person in await session.scalars(
                select(Person).where(Person.email.in_(list(DEMO_PERSONAS.values())))
            )
        }
        panel = (
            await session.scalars(
                select(AgendaItem).where(
                    AgendaItem.session_id == spring.id, AgendaItem.kind == AgendaItemKind.PANEL
                )
            )
        ).one()
        people = (
            await session.execute(
                select(AgendaAssignment.part, Person)
                .join(Person, Person.id == AgendaAssignment.person_id)
                .where(AgendaAssignment.agenda_item_id == panel.id)
            )
        ).all()
        registrations = {
            person_id: part
            for person_id, part in await session.execute(
                select(Registration.person_id, Registration.part).where(
                    Registration.session_id == spring.id
                )
            )
        }
    assert panel.title.startswith("Parents as partners")
    assert (panel.ends_at - panel.starts_at).total_seconds() == 3600
    panelists = [person for part, person in people if part is AgendaPart.PANELIST]
    moderators = [person for part, person in people if part is AgendaPart.MODERATOR]
    assert len(panelists) >= 2
    assert all(person.kind is PersonKind.PARENT_PARTNER for person in panelists)
    assert personas[DEMO_PERSONAS["parent"]] in panelists
    assert moderators == [personas[DEMO_PERSONAS["clinician"]]]
    # Everyone on the panel is registered as a speaker; the staff persona as staff.
    for _, person in people:
        assert registrations[person.id] is RegistrationPart.SPEAKER
    assert registrations[personas[DEMO_PERSONAS["staff"]].id] is RegistrationPart.STAFF


async def test_the_demo_agendas_break_no_scheduling_rule(db: Database) -> None:
    await load_demo(db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY)
    async with db.session() as session:
        for row in await session.scalars(select(LearningSession)):
            items = (
                await session.scalars(select(AgendaItem).where(AgendaItem.session_id == row.id))
            ).all()
            slots = [Slot.of(item) for item in items]
            assert all(outside_session(row, slot) is None for slot in slots), row.title
            busy: dict[int, list[Slot]] = {}
            for item_id, person_id in await session.execute(
                select(AgendaAssignment.agenda_item_id, AgendaAssignment.person_id)
                .join(AgendaItem, AgendaItem.id == AgendaAssignment.agenda_item_id)
                .where(AgendaItem.session_id == row.id)
            ):
                busy.setdefault(person_id, []).append(
                    next(slot for slot in slots if slot.item_id == item_id)
                )
            for taken in busy.values():
                assert not any(a.clashes_with(b) for a in taken for b in taken if a is not b)
            for a in slots:
                for b in slots:
                    if a is not b and a.room and a.room == b.room:
                        assert not a.clashes_with(b), (a.title, b.title)


async def _rows(path: Path, seed: int) -> list[Any]:
    database = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        await load_demo(
            database,
            plugins=core_host(),
            seed=seed,
            visit_scale=SMALL_VISIT_SCALE,
            today=STORY_TODAY,
        )
        found: list[Any] = []
        async with database.session() as session:
            for model in (LearningSession, AgendaItem, AgendaAssignment, Registration):
                table = Base.metadata.tables[model.__tablename__]
                statement = select(table).order_by(*table.primary_key.columns)
                found += [tuple(row) for row in (await session.execute(statement)).all()]
        return found
    finally:
        await database.dispose()


async def test_same_seed_same_sessions(tmp_path: Path) -> None:
    first = await _rows(tmp_path / "a.db", 2014)
    again = await _rows(tmp_path / "b.db", 2014)
    other = await _rows(tmp_path / "c.db", 7)
    assert first == again
    assert first != other
