"""Demo 90-day goals: the story's, then the present's (``goals_present``).

The story has center goals for the busiest centers and partner goals for 40 partners.

The goals live in the quarter leading up to the Spring 2014 Learning Session (with some closed
goals from the quarter before), checked in on every two or three weeks up to ``AS_OF``, the
demo's fixed "today" for goals (see ``goal_planner``). Every choice comes from
``context.rng("goals")``, so a seed fixes them all. The parent persona's goal of the story (her
panel) is inserted first: it is ``Goal:1`` in every demo network (the API guide reads its
history); loaded after the story, her current goal is one of the present's (goals_present.py).

The story is history once the demo's today is past it: a story goal whose 90 days ended before
today was finished by its owners back then (``_finish_story``: its check-ins went on to its due
date, then it closed ``DONE`` or ``DROPPED`` with a reflection), so no twelve-year-old goal is
still open and the open goals soonest due are the present's. Those closings draw on
``context.rng("goals-history")``, so the story up to ``AS_OF`` is the same whatever today.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.demo.context import DemoContext
from icn_graph.demo.goal_planner import (
    AS_OF,
    CURRENT_START,
    PREVIOUS_START,
    GoalPlanner,
    PlannedGoal,
)
from icn_graph.demo.goal_texts import CENTER_GOALS, PARTNER_GOALS
from icn_graph.demo.goals_present import plan_present_goals
from icn_graph.models import (
    CenterRole,
    CenterStatus,
    CheckIn,
    CheckInValue,
    Goal,
    GoalStatus,
    KeyResult,
)
from icn_graph.models.people import PARTNER_KINDS

__all__ = ["AS_OF", "CURRENT_START", "PREVIOUS_START", "contribute"]

CENTER_SHARE = 0.7  # of the active centers, those with the largest teams set goals
PARTNER_COUNT = 40  # the parent persona and 39 others


def _teams(context: DemoContext) -> dict[int, list[tuple[int, CenterRole]]]:
    """Each center's members by position: (person position, role), QI lead first."""
    teams: dict[int, list[tuple[int, CenterRole]]] = defaultdict(list)
    for membership in context.network.memberships:
        teams[membership.center].append((membership.person, membership.role))
    for team in teams.values():
        team.sort(key=lambda member: (member[1] is not CenterRole.QI_LEAD, member[0]))
    return teams


def _plan(context: DemoContext) -> list[PlannedGoal]:
    rng = context.rng("goals")
    planner = GoalPlanner(rng)
    network = context.network
    person_id = context.person_ids
    parent_id = context.persona_ids["parent"]
    current = CURRENT_START
    previous = PREVIOUS_START

    # The parent persona first, so her current goal is Goal:1.
    goals = [
        planner.goal(
            PARTNER_GOALS[0],
            owner=(None, parent_id),
            authors=[parent_id],
            starts_on=current,
            closing=False,
            health="good",
        ),
        planner.goal(
            PARTNER_GOALS[-1],
            owner=(None, parent_id),
            authors=[parent_id],
            starts_on=previous,
            closing=True,
            health="good",
        ),
    ]
    partners = [
        index
        for index, person in enumerate(network.people)
        if person.kind in PARTNER_KINDS and person_id[index] != parent_id
    ]
    for index in sorted(rng.sample(partners, PARTNER_COUNT - 1)):
        partner = person_id[index]
        first, second = rng.sample(PARTNER_GOALS[1:], 2)
        goals.append(
            planner.goal(
                first,
                owner=(None, partner),
                authors=[partner],
                starts_on=current + timedelta(days=rng.randint(0, 21)),
                closing=False,
            )
        )
        if rng.random() < 0.3:
            goals.append(
                planner.goal(
                    second,
                    owner=(None, partner),
                    authors=[partner],
                    starts_on=previous + timedelta(days=rng.randint(0, 14)),
                    closing=True,
                )
            )

    teams = _teams(context)
    active = [
        index
        for index, center in enumerate(network.centers)
        if center.status is CenterStatus.ACTIVE
    ]
    active.sort(key=lambda index: (-len(teams[index]), index))
    busiest = sorted(active[: round(len(active) * CENTER_SHARE)])
    for index in busiest:
        authors = [person_id[member] for member, _role in teams[index]]
        owner: tuple[int | None, int | None] = (context.center_ids[index], None)
        templates = rng.sample(CENTER_GOALS, 3)
        goals.append(
            planner.goal(
                templates[0],
                owner=owner,
                authors=authors,
                starts_on=current + timedelta(days=rng.randint(0, 21)),
                closing=False,
            )
        )
        if rng.random() < 0.25:
            goals.append(
                planner.goal(
                    templates[1],
                    owner=owner,
                    authors=authors,
                    starts_on=current + timedelta(days=rng.randint(0, 21)),
                    closing=False,
                )
            )
        if rng.random() < 0.5:
            goals.append(
                planner.goal(
                    templates[2],
                    owner=owner,
                    authors=authors,
                    starts_on=previous + timedelta(days=rng.randint(0, 14)),
                    closing=True,
                )
            )
    _finish_story(context, goals)
    return goals + plan_present_goals(context, teams)


def _finish_story(context: DemoContext, goals: list[PlannedGoal]) -> None:
    """Close the story's goals that were due before the demo's today (see the module's doc)."""
    planner = GoalPlanner(context.rng("goals-history"))
    yesterday = context.today - timedelta(days=1)
    for goal in goals:
        planner.finish(goal, AS_OF, yesterday)


def _goal_row(goal: PlannedGoal) -> dict[str, Any]:
    last = goal.check_ins[-1] if goal.check_ins else None
    return {
        "center_id": goal.center_id,
        "person_id": goal.person_id,
        "title": goal.template.title,
        "aim": goal.template.aim,
        "starts_on": goal.starts_on,
        "due_on": goal.due_on,
        "status": last.status if last else GoalStatus.ON_TRACK,
        "confidence": last.confidence if last else 7,
        "created_by_id": goal.created_by_id,
        "updated_by_id": last.author_id if last else goal.created_by_id,
        "created_at": goal.created_at,
        "updated_at": goal.archived_at or (last.at if last else goal.created_at),
        "closed_at": last.at if last and goal.closed else None,
        "archived_at": goal.archived_at,
    }


async def contribute(session: AsyncSession, context: DemoContext) -> None:
    goals = _plan(context)
    goal_ids = list(
        await session.scalars(
            insert(Goal).returning(Goal.id, sort_by_parameter_order=True),
            [_goal_row(goal) for goal in goals],
        )
    )
    key_result_rows: list[dict[str, Any]] = []
    for goal, goal_id in zip(goals, goal_ids, strict=True):
        last = goal.check_ins[-1].values if goal.check_ins else None
        for position, key_result in enumerate(goal.key_results):
            key_result_rows.append(
                {
                    "goal_id": goal_id,
                    "position": position,
                    "title": key_result.title,
                    "unit": key_result.unit,
                    "start_value": key_result.start,
                    "target_value": key_result.target,
                    "current_value": last[position] if last else key_result.start,
                    "created_at": goal.created_at,
                    "updated_at": goal.check_ins[-1].at if goal.check_ins else goal.created_at,
                }
            )
    key_result_ids = list(
        await session.scalars(
            insert(KeyResult).returning(KeyResult.id, sort_by_parameter_order=True),
            key_result_rows,
        )
    )
    check_in_rows: list[dict[str, Any]] = []
    check_in_keys: list[list[int]] = []  # each check-in's key result ids, in order
    cursor = 0
    for goal, goal_id in zip(goals, goal_ids, strict=True):
        own = key_result_ids[cursor : cursor + len(goal.key_results)]
        cursor += len(goal.key_results)
        for check_in in goal.check_ins:
            check_in_rows.append(
                {
                    "goal_id": goal_id,
                    "author_id": check_in.author_id,
                    "note": check_in.note,
                    "status": check_in.status,
                    "confidence": check_in.confidence,
                    "created_at": check_in.at,
                }
            )
            check_in_keys.append(own)
    check_in_ids = list(
        await session.scalars(
            insert(CheckIn).returning(CheckIn.id, sort_by_parameter_order=True), check_in_rows
        )
    )
    flat = [check_in for goal in goals for check_in in goal.check_ins]
    await session.execute(
        insert(CheckInValue),
        [
            {"check_in_id": check_in_id, "key_result_id": key_result_id, "value": value}
            for check_in_id, check_in, keys in zip(check_in_ids, flat, check_in_keys, strict=True)
            for key_result_id, value in zip(keys, check_in.values, strict=True)
        ],
    )
