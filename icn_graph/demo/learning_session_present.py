"""The Learning Sessions after the story: twice a year from Fall 2014 to the next one ahead.

Spring sessions start on the first Thursday of April, fall ones on the first Thursday on or after
24 September, each for three days, in a city that changes from one to the next (online in 2020
and 2021). Each has a theme: its breakouts, a panel of parents, patients and a clinician, and a
closing plenary that a parent partner gives with a QI lead. Sessions before the demo's today are
complete; the first one after it is open for registration, with the parent persona on its panel
and the clinician persona leading a breakout, and about half of its registrations in so far.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from icn_graph.demo.learning_session_plans import (
    BREAK,
    BREAKOUT,
    FACILITATOR,
    MODERATOR,
    PANEL,
    PANELIST,
    PLENARY,
    POSTER,
    SPEAKER,
    WORKSHOP,
    ItemPlan,
    K,
    SessionPlan,
)
from icn_graph.models import LearningSessionStatus, PersonKind, Season

FIRST_YEAR = 2014  # Fall 2014 follows the story's Spring 2014
THURSDAY = 3


@dataclass(frozen=True)
class Venue:
    name: str
    timezone: str


@dataclass(frozen=True)
class Theme:
    title: str
    panel: str
    breakouts: tuple[tuple[str, PersonKind], tuple[str, PersonKind]]
    priorities: tuple[str, ...]


VENUES = (
    Venue("Hyatt Regency Chicago", "America/Chicago"),
    Venue("Hilton Cincinnati Netherland Plaza", "America/New_York"),
    Venue("Hyatt Regency Columbus", "America/New_York"),
    Venue("Sheraton Grand Seattle", "America/Los_Angeles"),
    Venue("Renaissance Baltimore Harborplace", "America/New_York"),
    Venue("Hyatt Regency Denver", "America/Denver"),
)
ONLINE = Venue("Online (video conference)", "America/New_York")
ONLINE_YEARS = (2020, 2021)

THEMES = (
    Theme(
        "Family engagement at every center",
        "Parents on the care team: what changed since the call to action",
        (("Recruiting parent partners", K.QI_LEAD), ("Shared decision making", K.CLINICIAN)),
        ("family engagement", "remission"),
    ),
    Theme(
        "Data that centers trust",
        "Living with IBD: what the numbers miss",
        (("Automated population reports", K.DATA_MANAGER), ("Fixing missing data", K.NURSE)),
        ("data quality", "population management"),
    ),
    Theme(
        "Transition to adult care",
        "Growing up with IBD: patients on moving to adult care",
        (("A transition readiness checklist", K.NURSE), ("Self-management skills", K.PSYCHOLOGIST)),
        ("transition", "self-management"),
    ),
    Theme(
        "Nutrition and growth",
        "Food, school and IBD: families' view",
        (
            ("Growth charts at every visit", K.DIETITIAN),
            ("Exclusive enteral nutrition", K.CLINICIAN),
        ),
        ("nutrition", "growth"),
    ),
    Theme(
        "Mental health and resilience",
        "Anxiety, stress and flares: patients and parents speak",
        (
            ("Screening for depression", K.PSYCHOLOGIST),
            ("Support beyond the clinic", K.SOCIAL_WORKER),
        ),
        ("psychosocial care", "remission"),
    ),
    Theme(
        "Sustaining remission",
        "What keeps my child well: parents and patients on remission",
        (("Pre-visit planning that sticks", K.NURSE), ("Therapeutic drug monitoring", K.CLINICIAN)),
        ("remission", "pre-visit planning"),
    ),
)

COMPLETE_MIX: tuple[tuple[PersonKind, int], ...] = (
    (K.PATIENT_PARTNER, 12),
    (K.PARENT_PARTNER, 20),
    (K.CLINICIAN, 35),
    (K.NURSE, 25),
    (K.DIETITIAN, 8),
    (K.SOCIAL_WORKER, 6),
    (K.PSYCHOLOGIST, 5),
    (K.QI_LEAD, 28),
    (K.DATA_MANAGER, 18),
    (K.STAFF, 5),
)
"""About 160 registrations a session (the story's sessions have about 300)."""
OPEN_SHARE = 0.5
"""Of that mix, the share registered so far for the session ahead."""


def _first_thursday(on_or_after: date) -> date:
    return on_or_after + timedelta(days=(THURSDAY - on_or_after.weekday()) % 7)


def starts_on(season: Season, year: int) -> date:
    """When the session of ``season`` and ``year`` starts."""
    return _first_thursday(date(year, 4, 1) if season is Season.SPRING else date(year, 9, 24))


def _agenda(theme: Theme, ahead: bool) -> tuple[ItemPlan, ...]:
    """The session's agenda; ``ahead``: the parent and clinician personas are on it."""
    (first, first_lead), (second, second_lead) = theme.breakouts
    panel_parent: K | str = "parent" if ahead else K.PARENT_PARTNER
    first_speaker: K | str = "clinician" if ahead else first_lead
    return (
        ItemPlan(
            0,
            "11:00",
            "12:30",
            WORKSHOP,
            "QI 101 for new centers",
            "Room A",
            people=((FACILITATOR, K.QI_LEAD, 1), (SPEAKER, K.STAFF, 1)),
        ),
        ItemPlan(
            0,
            "11:00",
            "12:30",
            WORKSHOP,
            "Partner orientation",
            "Room B",
            "For parents and patients new to a Learning Session: where you fit in.",
            people=((FACILITATOR, K.PARENT_PARTNER, 1), (FACILITATOR, K.PATIENT_PARTNER, 1)),
        ),
        ItemPlan(0, "12:30", "13:30", BREAK, "Lunch", "Foyer"),
        ItemPlan(
            0,
            "13:30",
            "15:00",
            PLENARY,
            f"Welcome: {theme.title.lower()}",
            "Ballroom",
            people=((SPEAKER, K.CLINICIAN, 1), (SPEAKER, K.STAFF, 1)),
        ),
        ItemPlan(
            0,
            "15:15",
            "16:30",
            BREAKOUT,
            first,
            "Room A",
            f"What centers learned about {first.lower()}, and how to start on Monday.",
            people=((SPEAKER, first_speaker, 1), (FACILITATOR, K.QI_LEAD, 1)),
        ),
        ItemPlan(
            0,
            "15:15",
            "16:30",
            BREAKOUT,
            second,
            "Room B",
            people=((SPEAKER, second_lead, 1), (FACILITATOR, K.PARENT_PARTNER, 1)),
        ),
        ItemPlan(
            0,
            "17:00",
            "18:30",
            POSTER,
            "Storyboard reception",
            "Foyer",
            people=((FACILITATOR, K.QI_LEAD, 1),),
        ),
        ItemPlan(1, "07:30", "08:30", BREAK, "Breakfast", "Foyer"),
        ItemPlan(
            1,
            "08:30",
            "10:00",
            PANEL,
            theme.panel,
            "Ballroom",
            "Parents and patients with a clinician, on equal footing.",
            people=(
                (MODERATOR, K.STAFF, 1),
                (PANELIST, panel_parent, 1),
                (PANELIST, K.PARENT_PARTNER, 1),
                (PANELIST, K.PATIENT_PARTNER, 1),
                (PANELIST, K.CLINICIAN, 1),
            ),
        ),
        ItemPlan(
            1,
            "10:30",
            "12:00",
            PLENARY,
            "Closing: your next 90-day goal",
            "Ballroom",
            people=((SPEAKER, K.QI_LEAD, 1), (SPEAKER, K.PARENT_PARTNER, 1)),
        ),
    )


def _plan(season: Season, year: int, index: int, today: date) -> SessionPlan:
    theme = THEMES[index % len(THEMES)]
    venue = ONLINE if year in ONLINE_YEARS else VENUES[index % len(VENUES)]
    first_day = starts_on(season, year)
    last_day = first_day + timedelta(days=2)
    ahead = first_day > today
    if ahead:
        status = LearningSessionStatus.REGISTRATION_OPEN
    elif last_day < today:
        status = LearningSessionStatus.COMPLETE
    else:
        status = LearningSessionStatus.IN_PROGRESS
    share = OPEN_SHARE if ahead else 1.0
    return SessionPlan(
        season=season,
        year=year,
        starts_on=first_day,
        ends_on=last_day,
        venue=venue.name,
        timezone=venue.timezone,
        status=status,
        objectives=(
            f"Learn together about {theme.title.lower()}.",
            "Hear from parents and patients, on equal footing, what to change next.",
            "Leave with a 90-day goal for every center and partner.",
        ),
        priorities=theme.priorities,
        agenda=_agenda(theme, ahead),
        mix=tuple((kind, round(count * share)) for kind, count in COMPLETE_MIX),
        attendance_rate=0.88 if status is LearningSessionStatus.COMPLETE else 0.0,
        known_on=today if ahead else None,
    )


def present_plans(today: date) -> list[SessionPlan]:
    """The sessions after the story's, up to and including the first that starts after
    ``today``; none while the story's Spring 2014 is still ahead."""
    plans: list[SessionPlan] = []
    if starts_on(Season.SPRING, FIRST_YEAR) > today:
        return plans
    season, year = Season.FALL, FIRST_YEAR
    while True:
        plan = _plan(season, year, len(plans), today)
        plans.append(plan)
        if plan.starts_on > today:
            return plans
        season, year = (Season.FALL, year) if season is Season.SPRING else (Season.SPRING, year + 1)
