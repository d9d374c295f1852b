"""The Learning Session enums, registered with Strawberry once (imported by every module here)."""

from __future__ import annotations

from icn_graph.models import (
    AgendaItemKind,
    AgendaPart,
    LearningSessionStatus,
    RegistrationPart,
    Season,
)
from icn_graph.schema.described_enums import described_enum

SeasonEnum = described_enum(
    Season,
    name="Season",
    description="Which of the year's two Learning Sessions.",
    values={Season.SPRING: "The spring session.", Season.FALL: "The fall session."},
)
LearningSessionStatusEnum = described_enum(
    LearningSessionStatus,
    name="LearningSessionStatus",
    description="PLANNING and REGISTRATION_OPEN take registrations; attendance is taken once "
    "IN_PROGRESS or COMPLETE. Staff move a session from one to the next.",
    values={
        LearningSessionStatus.PLANNING: "Being planned; members may already register.",
        LearningSessionStatus.REGISTRATION_OPEN: "Registration is announced and open.",
        LearningSessionStatus.IN_PROGRESS: "Under way: registration is closed to members, "
        "attendance is taken.",
        LearningSessionStatus.COMPLETE: "Over; attendance may still be corrected.",
    },
)
AgendaItemKindEnum = described_enum(
    AgendaItemKind,
    name="AgendaItemKind",
    description="BREAK items may overlap anything and have no people.",
    values={
        AgendaItemKind.PLENARY: "Everyone together in one room.",
        AgendaItemKind.PANEL: "A moderated discussion among panelists.",
        AgendaItemKind.BREAKOUT: "One of several smaller sessions at the same time.",
        AgendaItemKind.WORKSHOP: "A hands-on working session, led by facilitators.",
        AgendaItemKind.POSTER: "A poster session.",
        AgendaItemKind.BREAK: "A meal or a break.",
    },
)
AgendaPartEnum = described_enum(
    AgendaPart,
    name="AgendaPart",
    description="What a person does on an agenda item.",
    values={
        AgendaPart.SPEAKER: "Gives a talk.",
        AgendaPart.MODERATOR: "Moderates a panel or discussion.",
        AgendaPart.PANELIST: "Sits on the panel.",
        AgendaPart.FACILITATOR: "Leads a workshop or breakout.",
    },
)
RegistrationPartEnum = described_enum(
    RegistrationPart,
    name="RegistrationPart",
    description="Why a person comes to a session.",
    values={
        RegistrationPart.ATTENDEE: "To take part; the only part members may register themselves "
        "with.",
        RegistrationPart.SPEAKER: "To speak (registered by staff).",
        RegistrationPart.STAFF: "To run the session (registered by staff).",
    },
)
