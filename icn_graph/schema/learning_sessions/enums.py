"""The Learning Session enums, registered with Strawberry once (imported by every module here)."""

from __future__ import annotations

import strawberry

from icn_graph.models import (
    AgendaItemKind,
    AgendaPart,
    LearningSessionStatus,
    RegistrationPart,
    Season,
)

SeasonEnum = strawberry.enum(Season, name="Season")
LearningSessionStatusEnum = strawberry.enum(
    LearningSessionStatus,
    name="LearningSessionStatus",
    description="PLANNING and REGISTRATION_OPEN take registrations; attendance is taken once "
    "IN_PROGRESS or COMPLETE.",
)
AgendaItemKindEnum = strawberry.enum(
    AgendaItemKind,
    name="AgendaItemKind",
    description="BREAK items may overlap anything and have no people.",
)
AgendaPartEnum = strawberry.enum(
    AgendaPart, name="AgendaPart", description="What a person does on an agenda item."
)
RegistrationPartEnum = strawberry.enum(
    RegistrationPart, name="RegistrationPart", description="Why a person comes to a session."
)
