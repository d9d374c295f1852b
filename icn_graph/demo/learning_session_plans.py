"""What the demo's two Learning Sessions look like: dates, places, agendas and who comes.

Fall 2013 in Chicago is the last meeting before the change the story tells of: parents and
patients attend but sit on the fringes. Spring 2014 in Cincinnati, still being planned, has the
parent panel that a clinician, several parents and staff co-designed over three months.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from icn_graph.models import AgendaItemKind, AgendaPart, LearningSessionStatus, PersonKind, Season

PLENARY, PANEL, BREAKOUT = AgendaItemKind.PLENARY, AgendaItemKind.PANEL, AgendaItemKind.BREAKOUT
WORKSHOP, POSTER, BREAK = AgendaItemKind.WORKSHOP, AgendaItemKind.POSTER, AgendaItemKind.BREAK
SPEAKER, MODERATOR = AgendaPart.SPEAKER, AgendaPart.MODERATOR
PANELIST, FACILITATOR = AgendaPart.PANELIST, AgendaPart.FACILITATOR

K = PersonKind
# Who fills a part: a kind of person (drawn at random), or a persona ("staff", "clinician",
# "parent"), and how many.
Who = K | str


@dataclass(frozen=True)
class ItemPlan:
    day: int  # 0 is the session's first day
    starts: str  # local wall-clock "HH:MM"
    ends: str
    kind: AgendaItemKind
    title: str
    room: str = ""
    description: str = ""
    people: tuple[tuple[AgendaPart, Who, int], ...] = ()


@dataclass(frozen=True)
class SessionPlan:
    season: Season
    year: int
    starts_on: date
    ends_on: date
    venue: str
    timezone: str
    status: LearningSessionStatus
    objectives: tuple[str, ...]
    priorities: tuple[str, ...]
    agenda: tuple[ItemPlan, ...]
    # Registrations by kind of person (agenda people included); about 300 in all.
    mix: tuple[tuple[PersonKind, int], ...]
    attendance_rate: float  # the share of registrants marked attended (0 before the session)
    known_on: date | None = None
    """For a session still ahead of the demo's today: planning and registrations happen before
    this day (``None``: the session is history, planned on its own schedule)."""

    @property
    def title(self) -> str:
        return f"{self.season.value.title()} {self.year} Learning Session"


FALL_2013 = SessionPlan(
    season=Season.FALL,
    year=2013,
    starts_on=date(2013, 9, 26),
    ends_on=date(2013, 9, 28),
    venue="Hyatt Regency Chicago",
    timezone="America/Chicago",
    status=LearningSessionStatus.COMPLETE,
    objectives=(
        "Share the network's remission results and what drove them.",
        "Spread pre-visit planning to every center.",
        "Welcome the centers that joined this year.",
    ),
    priorities=("remission", "pre-visit planning", "population management"),
    agenda=(
        ItemPlan(
            0,
            "13:00",
            "14:30",
            WORKSHOP,
            "QI 101 for new centers",
            "Regency A",
            people=((FACILITATOR, K.QI_LEAD, 1), (SPEAKER, K.STAFF, 1)),
        ),
        ItemPlan(
            0,
            "13:00",
            "14:30",
            WORKSHOP,
            "Data manager training: registry basics",
            "Regency B",
            people=((FACILITATOR, K.DATA_MANAGER, 2),),
        ),
        ItemPlan(0, "14:30", "14:45", BREAK, "Break"),
        ItemPlan(
            0,
            "14:45",
            "16:00",
            PLENARY,
            "Welcome and network update",
            "Grand Ballroom",
            people=((SPEAKER, K.CLINICIAN, 1), (SPEAKER, K.STAFF, 1)),
        ),
        ItemPlan(
            0,
            "16:30",
            "18:00",
            POSTER,
            "Storyboard reception",
            "Riverside Hall",
            people=((FACILITATOR, K.QI_LEAD, 1),),
        ),
        ItemPlan(1, "07:30", "08:30", BREAK, "Breakfast", "Riverside Hall"),
        ItemPlan(
            1,
            "08:30",
            "09:45",
            PLENARY,
            "The model for improvement, revisited",
            "Grand Ballroom",
            people=((SPEAKER, K.QI_LEAD, 1),),
        ),
        ItemPlan(
            1,
            "10:00",
            "11:15",
            BREAKOUT,
            "Pre-visit planning",
            "Regency A",
            people=((SPEAKER, K.NURSE, 1), (FACILITATOR, K.QI_LEAD, 1)),
        ),
        ItemPlan(
            1,
            "10:00",
            "11:15",
            BREAKOUT,
            "Population management reports",
            "Regency B",
            people=((SPEAKER, K.DATA_MANAGER, 1),),
        ),
        ItemPlan(
            1,
            "10:00",
            "11:15",
            BREAKOUT,
            "Growth and nutrition",
            "Regency C",
            people=((SPEAKER, K.DIETITIAN, 1), (SPEAKER, K.CLINICIAN, 1)),
        ),
        ItemPlan(1, "11:15", "12:15", BREAK, "Lunch", "Riverside Hall"),
        ItemPlan(
            1,
            "12:15",
            "13:30",
            PANEL,
            "Patients and parents on the stage",
            "Grand Ballroom",
            "What families see from the waiting room, and what they would change.",
            people=(
                (MODERATOR, K.STAFF, 1),
                (PANELIST, K.PARENT_PARTNER, 1),
                (PANELIST, K.PATIENT_PARTNER, 1),
            ),
        ),
        ItemPlan(
            1,
            "13:45",
            "15:15",
            WORKSHOP,
            "Testing changes with PDSA cycles",
            "Regency A",
            people=((FACILITATOR, K.QI_LEAD, 2),),
        ),
        ItemPlan(
            1,
            "13:45",
            "15:15",
            WORKSHOP,
            "Psychosocial screening",
            "Regency B",
            people=((FACILITATOR, K.PSYCHOLOGIST, 1), (FACILITATOR, K.SOCIAL_WORKER, 1)),
        ),
        ItemPlan(
            1,
            "15:30",
            "16:30",
            PLENARY,
            "Center spotlights",
            "Grand Ballroom",
            people=((SPEAKER, K.CLINICIAN, 2),),
        ),
        ItemPlan(
            2,
            "08:30",
            "09:45",
            BREAKOUT,
            "Sustaining gains",
            "Regency A",
            people=((FACILITATOR, K.QI_LEAD, 1),),
        ),
        ItemPlan(
            2,
            "08:30",
            "09:45",
            BREAKOUT,
            "Nursing huddles",
            "Regency B",
            people=((FACILITATOR, K.NURSE, 1),),
        ),
        ItemPlan(
            2,
            "10:00",
            "11:00",
            PLENARY,
            "Closing: the next 90 days",
            "Grand Ballroom",
            people=((SPEAKER, "staff", 1),),
        ),
    ),
    mix=(
        (K.PATIENT_PARTNER, 6),
        (K.PARENT_PARTNER, 14),
        (K.CLINICIAN, 78),
        (K.NURSE, 55),
        (K.DIETITIAN, 18),
        (K.SOCIAL_WORKER, 14),
        (K.PSYCHOLOGIST, 11),
        (K.QI_LEAD, 55),
        (K.DATA_MANAGER, 42),
        (K.STAFF, 7),
    ),
    attendance_rate=0.9,
)

PARENT_PANEL = "Parents as partners: engaging families in QI"

SPRING_2014 = SessionPlan(
    season=Season.SPRING,
    year=2014,
    starts_on=date(2014, 4, 3),
    ends_on=date(2014, 4, 5),
    venue="Hilton Cincinnati Netherland Plaza",
    timezone="America/New_York",
    status=LearningSessionStatus.PLANNING,
    objectives=(
        "Show how centers can engage families in QI work, from the parent panel's call to action.",
        "Use shared remission data, with each center's permission, to tell the network's story.",
        "Leave with a 90-day goal for every center and partner.",
    ),
    priorities=("family engagement", "remission", "data sharing", "90-day goals"),
    agenda=(
        ItemPlan(
            0,
            "11:00",
            "12:30",
            WORKSHOP,
            "QI 101 for new centers",
            "Salon A",
            people=((FACILITATOR, K.QI_LEAD, 1), (SPEAKER, K.STAFF, 1)),
        ),
        ItemPlan(
            0,
            "11:00",
            "12:30",
            WORKSHOP,
            "Data manager bootcamp: automated reports",
            "Salon B",
            people=((FACILITATOR, K.DATA_MANAGER, 2),),
        ),
        ItemPlan(
            0,
            "11:00",
            "12:30",
            WORKSHOP,
            "Partner orientation",
            "Salon C",
            "For parents and patients new to a Learning Session: where you fit in.",
            people=((FACILITATOR, K.PARENT_PARTNER, 1), (FACILITATOR, K.PATIENT_PARTNER, 1)),
        ),
        ItemPlan(0, "12:30", "13:30", BREAK, "Lunch", "Pavilion"),
        ItemPlan(
            0,
            "13:30",
            "15:00",
            PLENARY,
            "Welcome: where the network stands",
            "Hall of Mirrors",
            people=((SPEAKER, K.CLINICIAN, 1), (SPEAKER, K.STAFF, 1)),
        ),
        ItemPlan(0, "15:00", "15:15", BREAK, "Break"),
        ItemPlan(
            0,
            "15:15",
            "16:30",
            BREAKOUT,
            "Pre-visit planning that sticks",
            "Salon A",
            people=((SPEAKER, K.NURSE, 1), (FACILITATOR, K.QI_LEAD, 1)),
        ),
        ItemPlan(
            0,
            "15:15",
            "16:30",
            BREAKOUT,
            "Nutrition screening at every visit",
            "Salon B",
            people=((SPEAKER, K.DIETITIAN, 1), (FACILITATOR, K.CLINICIAN, 1)),
        ),
        ItemPlan(
            0,
            "15:15",
            "16:30",
            BREAKOUT,
            "Starting the psychosocial conversation",
            "Salon C",
            people=((SPEAKER, K.PSYCHOLOGIST, 1), (SPEAKER, K.SOCIAL_WORKER, 1)),
        ),
        ItemPlan(
            0,
            "17:00",
            "19:00",
            POSTER,
            "Storyboard and poster reception",
            "Pavilion",
            people=((FACILITATOR, K.QI_LEAD, 1),),
        ),
        ItemPlan(1, "07:30", "08:30", BREAK, "Breakfast", "Pavilion"),
        ItemPlan(
            1,
            "08:30",
            "09:30",
            PLENARY,
            "Remission data, shared with permission",
            "Hall of Mirrors",
            "A parent and the network's data manager on telling the story with centers' "
            "remission data, shown with each center's permission.",
            people=((SPEAKER, K.PARENT_PARTNER, 1), (SPEAKER, K.DATA_MANAGER, 1)),
        ),
        ItemPlan(1, "09:30", "10:00", BREAK, "Break"),
        ItemPlan(
            1,
            "10:00",
            "11:00",
            PANEL,
            PARENT_PANEL,
            "Hall of Mirrors",
            "Co-designed over three months by a clinician, parents and staff: how centers "
            "can better engage families in QI work, and a call to action for the network.",
            people=(
                (MODERATOR, "clinician", 1),
                (PANELIST, "parent", 1),
                (PANELIST, K.PARENT_PARTNER, 2),
            ),
        ),
        ItemPlan(
            1,
            "10:00",
            "11:00",
            WORKSHOP,
            "Data managers' roundtable",
            "Salon B",
            "For those who would rather talk registry exports than listen to a panel.",
            people=((FACILITATOR, K.DATA_MANAGER, 1),),
        ),
        ItemPlan(
            1,
            "11:15",
            "12:30",
            BREAKOUT,
            "Co-designing with families",
            "Salon A",
            people=((FACILITATOR, K.PARENT_PARTNER, 1), (FACILITATOR, K.QI_LEAD, 1)),
        ),
        ItemPlan(
            1,
            "11:15",
            "12:30",
            BREAKOUT,
            "Transition to adult care",
            "Salon B",
            people=((SPEAKER, K.PATIENT_PARTNER, 1), (SPEAKER, K.NURSE, 1)),
        ),
        ItemPlan(
            1,
            "11:15",
            "12:30",
            BREAKOUT,
            "Posting on the knowledge exchange",
            "Salon C",
            people=((FACILITATOR, K.STAFF, 1),),
        ),
        ItemPlan(1, "12:30", "13:30", BREAK, "Lunch", "Pavilion"),
        ItemPlan(
            1,
            "13:30",
            "15:00",
            WORKSHOP,
            "90-day goals: set them, check in on them",
            "Salon A",
            people=((FACILITATOR, K.QI_LEAD, 2),),
        ),
        ItemPlan(
            1,
            "13:30",
            "15:00",
            WORKSHOP,
            "Run charts and control charts",
            "Salon B",
            people=((FACILITATOR, K.DATA_MANAGER, 1), (FACILITATOR, K.CLINICIAN, 1)),
        ),
        ItemPlan(
            1,
            "15:15",
            "16:15",
            PLENARY,
            "The parent panel's call to action",
            "Hall of Mirrors",
            people=((SPEAKER, "parent", 1),),
        ),
        ItemPlan(2, "08:00", "09:00", BREAK, "Breakfast", "Pavilion"),
        ItemPlan(
            2,
            "09:00",
            "10:15",
            BREAKOUT,
            "Center spotlights",
            "Salon A",
            people=((SPEAKER, K.CLINICIAN, 2),),
        ),
        ItemPlan(
            2,
            "09:00",
            "10:15",
            BREAKOUT,
            "Patients leading QI",
            "Salon B",
            people=((FACILITATOR, K.PATIENT_PARTNER, 2),),
        ),
        ItemPlan(
            2,
            "10:30",
            "11:30",
            PLENARY,
            "Closing: the next 90 days",
            "Hall of Mirrors",
            people=((SPEAKER, "staff", 1),),
        ),
    ),
    mix=(
        (K.PATIENT_PARTNER, 22),
        (K.PARENT_PARTNER, 34),
        (K.CLINICIAN, 65),
        (K.NURSE, 48),
        (K.DIETITIAN, 16),
        (K.SOCIAL_WORKER, 12),
        (K.PSYCHOLOGIST, 10),
        (K.QI_LEAD, 50),
        (K.DATA_MANAGER, 36),
        (K.STAFF, 7),
    ),
    attendance_rate=0.0,
)

PLANS = (FALL_2013, SPRING_2014)
