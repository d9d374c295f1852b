"""The demo network's goals: who owns them, their history, and that a seed fixes them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from icn_graph.db.base import Base
from icn_graph.db.database import Database
from icn_graph.demo import DEMO_PERSONAS, SMALL_VISIT_SCALE, load_demo
from icn_graph.demo.goals import AS_OF, PREVIOUS_START
from icn_graph.demo.present import STORY_TODAY
from icn_graph.host import core_host
from icn_graph.models import (
    Center,
    CenterRole,
    CenterStatus,
    CheckIn,
    CheckInValue,
    Goal,
    GoalStatus,
    KeyResult,
    Membership,
    Person,
)
from icn_graph.models.people import PARTNER_KINDS
from icn_graph.services.goals import Owner, may_edit
from icn_graph.services.viewer import Viewer


@dataclass(frozen=True)
class Rows:
    goals: list[Goal]
    key_results: list[KeyResult]
    check_ins: list[CheckIn]
    values: list[CheckInValue]
    people: dict[int, Person]
    centers: dict[int, Center]
    roles: dict[int, dict[int, CenterRole]]


async def _rows(db: Database) -> Rows:
    async with db.session() as session:
        roles: dict[int, dict[int, CenterRole]] = defaultdict(dict)
        for membership in await session.scalars(select(Membership)):
            roles[membership.person_id][membership.center_id] = membership.role
        return Rows(
            goals=list(await session.scalars(select(Goal).order_by(Goal.id))),
            key_results=list(await session.scalars(select(KeyResult).order_by(KeyResult.id))),
            check_ins=list(
                await session.scalars(select(CheckIn).order_by(CheckIn.created_at, CheckIn.id))
            ),
            values=list(await session.scalars(select(CheckInValue))),
            people={person.id: person for person in await session.scalars(select(Person))},
            centers={center.id: center for center in await session.scalars(select(Center))},
            roles=roles,
        )


async def test_demo_goals_have_owners_key_results_and_history(db: Database) -> None:
    await load_demo(db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY)
    rows = await _rows(db)
    goals, people, centers = rows.goals, rows.people, rows.centers

    center_goals = Counter(goal.center_id for goal in goals if goal.center_id is not None)
    partner_goals = Counter(goal.person_id for goal in goals if goal.person_id is not None)
    active = [center for center in centers.values() if center.status is CenterStatus.ACTIVE]
    assert len(center_goals) >= len(active) // 2
    assert all(1 <= count <= 3 for count in center_goals.values())
    assert all(centers[center_id].status is CenterStatus.ACTIVE for center_id in center_goals)
    assert len(partner_goals) == 40
    assert all(people[person_id].kind in PARTNER_KINDS for person_id in partner_goals)

    # The parent persona's current goal is Goal:1, as the API guide's examples assume.
    parent = next(p for p in people.values() if p.email == DEMO_PERSONAS["parent"])
    assert goals[0].id == 1
    assert goals[0].person_id == parent.id
    assert goals[0].status in (GoalStatus.ON_TRACK, GoalStatus.AT_RISK)

    statuses = Counter(goal.status for goal in goals)
    assert statuses[GoalStatus.ON_TRACK] > statuses[GoalStatus.AT_RISK] > 0
    assert statuses[GoalStatus.DONE] > 0
    assert statuses[GoalStatus.OFF_TRACK] > 0

    by_goal: dict[int, list[KeyResult]] = defaultdict(list)
    for key_result in rows.key_results:
        by_goal[key_result.goal_id].append(key_result)
    history: dict[int, list[CheckIn]] = defaultdict(list)
    for check_in in rows.check_ins:
        history[check_in.goal_id].append(check_in)
    recorded = {(value.check_in_id, value.key_result_id): value.value for value in rows.values}
    earliest = datetime.combine(PREVIOUS_START, datetime.min.time(), tzinfo=UTC)
    latest = datetime.combine(AS_OF, datetime.max.time(), tzinfo=UTC)
    for goal in goals:
        assert 1 <= len(by_goal[goal.id]) <= 3
        assert (goal.due_on - goal.starts_on).days == 90
        entries = history[goal.id]
        assert len(entries) >= 2, goal.title  # a few months of check-ins
        last = entries[-1]
        # The goal shows what its latest check-in said, and its key results their last values.
        assert (goal.status, goal.confidence) == (last.status, last.confidence)
        for key_result in by_goal[goal.id]:
            assert key_result.current_value == recorded[(last.id, key_result.id)]
        assert goal.is_closed == (goal.closed_at is not None)
        assert goal.archived_at is None or goal.is_closed
        for entry in entries:
            assert earliest <= entry.created_at
            assert goal.is_closed or entry.created_at <= latest
            assert entry.status not in (GoalStatus.DONE, GoalStatus.DROPPED) or entry is last
            # Every author may edit the goal under the rules.
            author = Viewer(person_id=entry.author_id, center_roles=rows.roles[entry.author_id])
            assert may_edit(author, Owner.of(goal)), (goal.title, entry.author_id)


async def _goal_rows(path: Path, seed: int) -> list[tuple[Any, ...]]:
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
        async with database.session() as session:
            goals = (
                await session.execute(
                    select(Goal.title, Goal.center_id, Goal.person_id, Goal.status, Goal.due_on)
                )
            ).all()
            notes = (await session.execute(select(CheckIn.note, CheckIn.created_at))).all()
        return [tuple(row) for row in goals] + [tuple(row) for row in notes]
    finally:
        await database.dispose()


async def test_same_seed_same_goals(tmp_path: Path) -> None:
    first = await _goal_rows(tmp_path / "a.db", 2014)
    again = await _goal_rows(tmp_path / "b.db", 2014)
    other = await _goal_rows(tmp_path / "c.db", 7)
    assert first == again
    assert first != other
