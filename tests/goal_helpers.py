"""Factories and GraphQL documents shared by the goal tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models import Center, CheckIn, Goal, GoalStatus, KeyResult, Person

GOAL_FIELDS = """
id title aim startsOn dueOn status confidence kind progress archivedAt closedAt
owner { __typename ... on Center { name } ... on Person { displayName } }
createdBy { displayName } updatedBy { displayName }
keyResults { id title unit startValue targetValue currentValue progress }
"""

CREATE_GOAL = f"""
mutation Create($input: CreateGoalInput!) {{
  createGoal(input: $input) {{ goal {{ {GOAL_FIELDS} }} userErrors {{ field message code }} }}
}}
"""

UPDATE_GOAL = f"""
mutation Update($input: UpdateGoalInput!) {{
  updateGoal(input: $input) {{ goal {{ {GOAL_FIELDS} }} userErrors {{ field message code }} }}
}}
"""

ADD_KEY_RESULT = f"""
mutation Add($input: AddKeyResultInput!) {{
  addKeyResult(input: $input) {{
    keyResult {{ id title unit startValue targetValue currentValue progress }}
    goal {{ {GOAL_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

UPDATE_KEY_RESULT = f"""
mutation UpdateKr($input: UpdateKeyResultInput!) {{
  updateKeyResult(input: $input) {{
    keyResult {{ id title unit startValue targetValue currentValue progress }}
    goal {{ {GOAL_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

CHECK_IN = f"""
mutation CheckIn($input: CheckInGoalInput!) {{
  checkInGoal(input: $input) {{
    checkIn {{
      id note status confidence createdAt author {{ displayName }}
      keyResultValues {{ value keyResult {{ title }} }}
    }}
    goal {{ {GOAL_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

CLOSE_GOAL = f"""
mutation Close($input: CloseGoalInput!) {{
  closeGoal(input: $input) {{
    checkIn {{ id note status confidence author {{ displayName }} }}
    goal {{ {GOAL_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

ARCHIVE_GOAL = f"""
mutation Archive($input: ArchiveGoalInput!) {{
  archiveGoal(input: $input) {{ goal {{ {GOAL_FIELDS} }} userErrors {{ field message code }} }}
}}
"""

_moment = iter(range(1, 1_000_000))


def _created_at() -> datetime:
    """Distinct, increasing creation times, so orderings by creation are deterministic."""
    return datetime(2014, 1, 1, tzinfo=UTC) + timedelta(minutes=next(_moment))


async def make_goal(
    db: Database,
    *,
    created_by: Person,
    center: Center | None = None,
    person: Person | None = None,
    title: str = "Raise remission",
    starts_on: date = date(2014, 1, 6),
    due_on: date | None = None,
    status: GoalStatus = GoalStatus.ON_TRACK,
    confidence: int = 6,
    key_results: list[tuple[float, float, float]] | None = None,
    archived: bool = False,
) -> Goal:
    """A goal written straight to the database, with key results as (start, target, current)."""
    created_at = _created_at()
    goal = Goal(
        center_id=center.id if center else None,
        person_id=person.id if person else None,
        title=title,
        aim=f"Aim of {title}",
        starts_on=starts_on,
        due_on=due_on or starts_on + timedelta(days=90),
        status=status,
        confidence=confidence,
        created_by_id=created_by.id,
        updated_by_id=created_by.id,
        created_at=created_at,
        updated_at=created_at,
        closed_at=created_at if status in (GoalStatus.DONE, GoalStatus.DROPPED) else None,
        archived_at=created_at if archived else None,
    )
    async with db.transaction() as session:
        session.add(goal)
        await session.flush()
        for position, (start, target, current) in enumerate(key_results or []):
            session.add(
                KeyResult(
                    goal_id=goal.id,
                    position=position,
                    title=f"Key result {position + 1}",
                    unit="%",
                    start_value=start,
                    target_value=target,
                    current_value=current,
                )
            )
    return goal


async def make_center_goal(db: Database, center: Center, author: Person, title: str) -> Goal:
    """A center's goal, May to July 2026, written straight to the database as ``author``'s."""
    goal = Goal(
        center_id=center.id,
        title=title,
        aim="Fewer children on steroids.",
        starts_on=date(2026, 5, 1),
        due_on=date(2026, 7, 30),
        status=GoalStatus.ON_TRACK,
        confidence=7,
        created_by_id=author.id,
        updated_by_id=author.id,
    )
    async with db.transaction() as session:
        session.add(goal)
    return goal


async def key_results_of(db: Database, goal: Goal) -> list[KeyResult]:
    async with db.session() as session:
        statement = (
            select(KeyResult).where(KeyResult.goal_id == goal.id).order_by(KeyResult.position)
        )
        return list(await session.scalars(statement))


async def check_ins_of(db: Database, goal: Goal) -> list[CheckIn]:
    async with db.session() as session:
        statement = select(CheckIn).where(CheckIn.goal_id == goal.id).order_by(CheckIn.id)
        return list(await session.scalars(statement))


async def reload(db: Database, goal: Goal) -> Goal:
    async with db.session() as session:
        found = await session.get(Goal, goal.id)
    assert found is not None
    return found
