"""The demo's present goals: the 90-day window containing the demo's today, and the one before.

Windows are 13 weeks long and follow on from the story's quarter (which starts on Monday
6 January 2014), so a window always starts on a Monday. Every active center and 20 partners
(the parent persona among them) have a goal in the current window, checked in on every two or
three weeks up to today, some on track and some at risk or off track; their goals of the previous
window are closed (done or dropped) in its last days. While today is still in the story's own
quarter there is nothing to add: the story's goals are the current ones.

Every owner gets exactly two goals, in a fixed order (the parent persona, the partners, the
active centers), so for a seed the present goals' IDs do not depend on today: with seed 2014 the
parent persona's current goal is ``Goal:133`` and Cincinnati's ``Goal:173``, which the API guide's
goal examples use (their titles, after the parent persona's, and check-ins do depend on today).
"""

from __future__ import annotations

from datetime import date, timedelta

from icn_graph.demo.context import DemoContext
from icn_graph.demo.goal_planner import CURRENT_START, GoalPlanner, PlannedGoal
from icn_graph.demo.goal_texts import CENTER_GOALS, PARTNER_GOALS
from icn_graph.models import CenterRole, CenterStatus
from icn_graph.models.people import PARTNER_KINDS

WINDOW = timedelta(weeks=13)
PRESENT_PARTNERS = 20  # the parent persona and 19 others


def window_start(day: date) -> date:
    """The first day of the 90-day goal window that contains ``day``."""
    return CURRENT_START + WINDOW * ((day - CURRENT_START).days // WINDOW.days)


def plan_present_goals(
    context: DemoContext, teams: dict[int, list[tuple[int, CenterRole]]]
) -> list[PlannedGoal]:
    current = window_start(context.today)
    if current <= CURRENT_START:
        return []
    rng = context.rng("goals-present")
    planner = GoalPlanner(rng)
    previous = current - WINDOW
    yesterday = context.today - timedelta(days=1)
    goals: list[PlannedGoal] = []

    network = context.network
    owners: list[tuple[tuple[int | None, int | None], list[int], bool]] = []
    parent_id = context.persona_ids["parent"]
    owners.append(((None, parent_id), [parent_id], False))
    partners = [
        context.person_ids[index]
        for index, person in enumerate(network.people)
        if person.kind in PARTNER_KINDS and context.person_ids[index] != parent_id
    ]
    chosen = sorted(rng.sample(partners, min(PRESENT_PARTNERS - 1, len(partners))))
    owners += [((None, partner), [partner], False) for partner in chosen]
    for index, center in enumerate(network.centers):
        if center.status is CenterStatus.ACTIVE and teams[index]:
            authors = [context.person_ids[member] for member, _role in teams[index]]
            owners.append(((context.center_ids[index], None), authors, True))

    for owner, authors, is_center in owners:
        templates = CENTER_GOALS if is_center else PARTNER_GOALS
        now, before = rng.sample(templates, 2)
        health = "good" if owner[1] == parent_id else None
        goals.append(
            planner.goal(
                before,
                owner=owner,
                authors=authors,
                starts_on=previous + timedelta(days=rng.randint(0, 7)),
                closing=True,
                as_of=yesterday,
            )
        )
        goals.append(
            planner.goal(
                now,
                owner=owner,
                authors=authors,
                starts_on=current + timedelta(days=rng.randint(0, 7)),
                closing=False,
                health=health,
                as_of=yesterday,
            )
        )
    return goals
