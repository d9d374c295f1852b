"""The demo network: its shape, its well-known personas, and that a seed fixes it exactly."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from zoneinfo import available_timezones

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import icn_graph.models  # noqa: F401  (registers every table on Base.metadata)
from icn_graph.db.base import Base
from icn_graph.db.database import Database
from icn_graph.demo import (
    DEMO_PERSONAS,
    SMALL_VISIT_SCALE,
    DemoSummary,
    is_empty,
    load_demo,
)
from icn_graph.demo.generator import generate_network
from icn_graph.demo.present import STORY_TODAY
from icn_graph.host import core_host
from icn_graph.models import (
    Center,
    CenterRole,
    CenterStatus,
    Membership,
    NetworkRole,
    Person,
    PersonKind,
)

PARTNER_ROLES = (CenterRole.PARENT_PARTNER, CenterRole.PATIENT_PARTNER)


async def _fresh_db(path: Path) -> Database:
    db = Database.from_url("sqlite+aiosqlite:///" + str(path))
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    return db


async def _names_and_emails(tmp_path: Path, name: str, seed: int) -> list[tuple[str, str]]:
    database = await _fresh_db(tmp_path / name)
    try:
        await load_demo(
            database,
            plugins=core_host(),
            seed=seed,
            visit_scale=SMALL_VISIT_SCALE,
            today=STORY_TODAY,
        )
        async with database.session() as session:
            rows = await session.execute(
                select(Person.display_name, Person.email).order_by(Person.id)
            )
            return [(row.display_name, row.email) for row in rows]
    finally:
        await database.dispose()


async def test_loads_the_documented_network(db: Database) -> None:
    assert await is_empty(db)
    summary = await load_demo(
        db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY
    )
    assert not await is_empty(db)
    assert isinstance(summary, DemoSummary)
    assert summary.centers == 65
    assert summary.partners == 150

    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Center)) == 65
        assert await session.scalar(select(func.count()).select_from(Person)) == summary.people
        memberships = await session.scalar(select(func.count()).select_from(Membership))
        assert memberships == summary.memberships
        partners = await session.scalar(
            select(func.count()).where(
                Person.kind.in_([PersonKind.PARENT_PARTNER, PersonKind.PATIENT_PARTNER])
            )
        )
        assert partners == 150
        rows = (
            await session.execute(
                select(Membership.center_id, Membership.role).where(
                    Membership.role.not_in(PARTNER_ROLES)
                )
            )
        ).all()
        center_ids = list(await session.scalars(select(Center.id)))

    teams: dict[int, Counter[CenterRole]] = {center_id: Counter() for center_id in center_ids}
    for center_id, role in rows:
        teams[center_id][role] += 1
    for center_id, team in teams.items():
        assert 6 <= team.total() <= 12, center_id
        assert team[CenterRole.QI_LEAD] == 1, center_id
        assert team[CenterRole.CLINICIAN] >= 1, center_id
        assert team[CenterRole.DATA_MANAGER] >= 1, center_id


async def test_personas_exist_with_their_roles(db: Database) -> None:
    await load_demo(db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY)
    async with db.session() as session:
        first_center = await session.scalar(select(Center.id).order_by(Center.id).limit(1))
        people = {
            person.email: person
            for person in await session.scalars(
                select(Person).where(Person.email.in_(list(DEMO_PERSONAS.values())))
            )
        }
        memberships = {
            (row.email, row.center_id, row.role)
            for row in await session.execute(
                select(Person.email, Membership.center_id, Membership.role).join(
                    Membership, Membership.person_id == Person.id
                )
            )
            if row.email in people
        }

    assert set(DEMO_PERSONAS) == {"staff", "clinician", "parent"}
    staff = people[DEMO_PERSONAS["staff"]]
    assert (staff.kind, staff.network_role) == (PersonKind.STAFF, NetworkRole.STAFF)
    clinician = people[DEMO_PERSONAS["clinician"]]
    assert (clinician.kind, clinician.network_role) == (PersonKind.CLINICIAN, NetworkRole.MEMBER)
    parent = people[DEMO_PERSONAS["parent"]]
    assert (parent.kind, parent.network_role) == (PersonKind.PARENT_PARTNER, NetworkRole.MEMBER)
    assert memberships == {
        (DEMO_PERSONAS["clinician"], first_center, CenterRole.CLINICIAN),
        (DEMO_PERSONAS["parent"], first_center, CenterRole.PARENT_PARTNER),
    }


async def test_same_seed_same_network_other_seed_other_network(tmp_path: Path) -> None:
    first = await _names_and_emails(tmp_path, "a.db", 2014)
    again = await _names_and_emails(tmp_path, "b.db", 2014)
    other = await _names_and_emails(tmp_path, "c.db", 7)
    assert first == again
    assert first != other


async def test_loading_twice_fails_and_keeps_the_first_load(db: Database) -> None:
    summary = await load_demo(
        db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY
    )
    with pytest.raises(IntegrityError):
        await load_demo(db, plugins=core_host(), seed=99, today=STORY_TODAY)
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == summary.people


@pytest.mark.parametrize("seed", [2014, 1, 12345])
def test_generated_network_is_well_formed(seed: int) -> None:
    network = generate_network(seed)
    zones = available_timezones()

    assert len({c.name for c in network.centers}) == 65
    assert len({c.short_code for c in network.centers}) == 65
    assert all(re.fullmatch(r"[A-Z0-9][A-Z0-9-]{1,15}", c.short_code) for c in network.centers)
    assert {c.country for c in network.centers} == {"US", "CA", "GB"}
    assert {c.region for c in network.centers if c.country == "US"} == {
        "Northeast",
        "Southeast",
        "Midwest",
        "Southwest",
        "West",
    }
    assert sum(c.status is CenterStatus.INACTIVE for c in network.centers) == 4
    assert all(date(2007, 1, 1) <= c.joined_on <= date(2024, 12, 31) for c in network.centers)
    assert all(c.timezone in zones for c in network.centers)

    emails = [p.email.lower() for p in network.people]
    assert len(set(emails)) == len(emails)
    assert all(email.endswith(".example.org") for email in emails)
    assert all(re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+", email) for email in emails)
    assert all(p.timezone in zones for p in network.people)
    assert all(p.created_at.tzinfo is not None for p in network.people)

    kinds = Counter(p.kind for p in network.people)
    assert (kinds[PersonKind.PARENT_PARTNER], kinds[PersonKind.PATIENT_PARTNER]) == (90, 60)
    roles = Counter((p.kind, p.network_role) for p in network.people)
    assert roles[(PersonKind.STAFF, NetworkRole.STAFF)] == 6
    assert roles[(PersonKind.STAFF, NetworkRole.ADMIN)] == 1
    assert roles[(PersonKind.DATA_MANAGER, NetworkRole.DATA_MANAGER)] == 3

    linked_partners = 0
    seen_pairs: set[tuple[int, int]] = set()
    for membership in network.memberships:
        person = network.people[membership.person]
        center = network.centers[membership.center]
        assert person.kind.value == membership.role.value
        assert person.network_role is NetworkRole.MEMBER
        assert membership.since >= center.joined_on
        assert (membership.person, membership.center) not in seen_pairs
        seen_pairs.add((membership.person, membership.center))
        if membership.role in PARTNER_ROLES:
            linked_partners += 1
        else:
            assert person.timezone == center.timezone
            assert (
                person.email.endswith("@" + center.domain)
                or person.email == (DEMO_PERSONAS["clinician"])
            )
    assert linked_partners == 100
