"""Planning one demo goal: its key results and a history of check-ins that follows a pace.

A goal's *health* sets how fast its key results move towards their targets; each check-in's
status compares the progress made with the time gone, so a slow goal drifts to AT_RISK or
OFF_TRACK. A closing goal ends with a reflection: DONE (targets reached) or DROPPED. A goal left
open at one "today" can be finished later (``GoalPlanner.finish``): its check-ins go on at the
same pace to the end of its 90 days, then it closes the same way.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from icn_graph.demo.goal_texts import NOTES, REFLECTIONS, GoalTemplate
from icn_graph.demo.present import STORY_TODAY
from icn_graph.models import GoalStatus

# Fixed dates, not today: the quarter before the Spring 2014 Learning Session, the one before it,
# and the demo's "today" for goals (no check-in is later, except on closed goals).
PREVIOUS_START = date(2013, 10, 1)
CURRENT_START = date(2014, 1, 6)
AS_OF = STORY_TODAY
GOAL_LENGTH = timedelta(days=90)

HEALTHS = ("good", "risky", "off")
HEALTH_WEIGHTS = (6, 3, 1)
PACE = {"good": 1.05, "risky": 0.7, "off": 0.3}
CONFIDENCE = {GoalStatus.ON_TRACK: 8, GoalStatus.AT_RISK: 5, GoalStatus.OFF_TRACK: 3}


@dataclass
class PlannedKeyResult:
    title: str
    unit: str
    start: float
    target: float
    whole: bool

    def at(self, fraction: float) -> float:
        value = self.start + (self.target - self.start) * max(0.0, min(1.0, fraction))
        return float(round(value)) if self.whole else round(value, 1)


@dataclass
class PlannedCheckIn:
    at: datetime
    author_id: int
    note: str
    status: GoalStatus
    confidence: int
    values: list[float]


@dataclass
class PlannedGoal:
    center_id: int | None
    person_id: int | None
    template: GoalTemplate
    starts_on: date
    created_by_id: int
    created_at: datetime
    key_results: list[PlannedKeyResult]
    health: str
    authors: list[int]
    check_ins: list[PlannedCheckIn] = field(default_factory=list)
    archived_at: datetime | None = None

    @property
    def due_on(self) -> date:
        return self.starts_on + GOAL_LENGTH

    @property
    def closed(self) -> bool:
        return bool(self.check_ins) and self.check_ins[-1].status in (
            GoalStatus.DONE,
            GoalStatus.DROPPED,
        )


def _moment(rng: random.Random, day: date) -> datetime:
    return datetime.combine(
        day, time(hour=rng.randint(13, 23), minute=rng.randint(0, 59)), tzinfo=UTC
    )


def _status(progress: float, elapsed: float) -> GoalStatus:
    if progress >= 0.85 * elapsed:
        return GoalStatus.ON_TRACK
    if progress >= 0.5 * elapsed:
        return GoalStatus.AT_RISK
    return GoalStatus.OFF_TRACK


class GoalPlanner:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def key_results(self, template: GoalTemplate) -> list[PlannedKeyResult]:
        rng = self.rng
        return [
            PlannedKeyResult(
                title=item.title,
                unit=item.unit,
                start=float(round(rng.uniform(*item.start))),
                target=float(round(rng.uniform(*item.target))),
                whole=item.whole,
            )
            for item in template.key_results
        ]

    def goal(
        self,
        template: GoalTemplate,
        *,
        owner: tuple[int | None, int | None],
        authors: list[int],
        starts_on: date,
        closing: bool,
        health: str | None = None,
        as_of: date = AS_OF,
    ) -> PlannedGoal:
        rng = self.rng
        health = health or rng.choices(HEALTHS, weights=HEALTH_WEIGHTS)[0]
        created_on = starts_on - timedelta(days=rng.randint(0, 7))
        goal = PlannedGoal(
            center_id=owner[0],
            person_id=owner[1],
            template=template,
            starts_on=starts_on,
            created_by_id=authors[0],
            created_at=_moment(rng, created_on),
            key_results=self.key_results(template),
            health=health,
            authors=authors,
        )
        last_day = min(goal.due_on - timedelta(days=3) if closing else goal.due_on, as_of)
        self._check_in(goal, starts_on + timedelta(days=rng.randint(10, 16)), last_day)
        if closing:
            self._close(goal, as_of)
        return goal

    def finish(self, goal: PlannedGoal, told_until: date, as_of: date) -> None:
        """Close an open goal, planned up to ``told_until``, whose 90 days ended before
        ``as_of``, as its owners would have: check-ins go on every two or three weeks after
        ``told_until`` to the end of its 90 days (none after ``as_of``), then the reflection,
        ``DONE`` or ``DROPPED`` by its health."""
        if goal.closed or goal.due_on >= as_of:
            return
        last = goal.check_ins[-1].at.date() if goal.check_ins else goal.starts_on
        day = max(last + timedelta(days=self.rng.randint(12, 20)), told_until + timedelta(days=1))
        self._check_in(goal, day, min(goal.due_on - timedelta(days=3), as_of))
        self._close(goal, as_of)

    def _check_in(self, goal: PlannedGoal, day: date, last_day: date) -> None:
        """Check-ins from ``day`` to ``last_day``, every two or three weeks, at the goal's pace."""
        rng = self.rng
        length = GOAL_LENGTH.days
        while day <= last_day:
            elapsed = (day - goal.starts_on).days / length
            progress = elapsed * (PACE[goal.health] + rng.uniform(-0.1, 0.1))
            status = _status(progress, elapsed)
            said = {check_in.note for check_in in goal.check_ins[-1:]}
            goal.check_ins.append(
                PlannedCheckIn(
                    at=_moment(rng, day),
                    author_id=self._author(goal.authors),
                    note=rng.choice([note for note in NOTES[status] if note not in said]),
                    status=status,
                    confidence=max(1, min(10, CONFIDENCE[status] + rng.randint(-1, 1))),
                    values=[key_result.at(progress) for key_result in goal.key_results],
                )
            )
            day += timedelta(days=rng.randint(12, 20))

    def _author(self, authors: list[int]) -> int:
        # The goal's creator writes most check-ins; teammates chip in.
        return authors[0] if self.rng.random() < 0.6 else self.rng.choice(authors)

    def _close(self, goal: PlannedGoal, as_of: date) -> None:
        rng = self.rng
        outcome = GoalStatus.DROPPED if goal.health == "off" else GoalStatus.DONE
        previous = goal.check_ins[-1] if goal.check_ins else None
        values = (
            [key_result.at(1.0) for key_result in goal.key_results]
            if outcome is GoalStatus.DONE
            else (previous.values if previous else [kr.start for kr in goal.key_results])
        )
        at = _moment(rng, min(goal.due_on + timedelta(days=rng.randint(0, 6)), as_of))
        goal.check_ins.append(
            PlannedCheckIn(
                at=at,
                author_id=goal.authors[0],
                note=rng.choice(REFLECTIONS[outcome]),
                status=outcome,
                confidence=previous.confidence if previous else 5,
                values=values,
            )
        )
        if rng.random() < 0.25:
            goal.archived_at = at + timedelta(days=rng.randint(14, 40))
