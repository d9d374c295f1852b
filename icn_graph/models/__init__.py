"""SQLAlchemy tables, one module per area. Importing this package registers them all on Base."""

from icn_graph.models.centers import Center, CenterStatus
from icn_graph.models.goals import CheckIn, CheckInValue, Goal, GoalKind, GoalStatus, KeyResult
from icn_graph.models.learning_sessions import (
    AgendaAssignment,
    AgendaItem,
    AgendaItemKind,
    AgendaPart,
    LearningSession,
    LearningSessionStatus,
    Registration,
    RegistrationPart,
    Season,
)
from icn_graph.models.measures import MeasureValue, NetworkValue
from icn_graph.models.memberships import CenterRole, Membership
from icn_graph.models.people import NetworkRole, Person, PersonKind
from icn_graph.models.tokens import ApiToken
from icn_graph.models.visits import Diagnosis, PhysicianGlobalAssessment, Visit

__all__ = [
    "AgendaAssignment",
    "AgendaItem",
    "AgendaItemKind",
    "AgendaPart",
    "ApiToken",
    "Center",
    "CenterRole",
    "CenterStatus",
    "CheckIn",
    "CheckInValue",
    "Diagnosis",
    "Goal",
    "GoalKind",
    "GoalStatus",
    "KeyResult",
    "LearningSession",
    "LearningSessionStatus",
    "MeasureValue",
    "Membership",
    "NetworkRole",
    "NetworkValue",
    "Person",
    "PersonKind",
    "PhysicianGlobalAssessment",
    "Registration",
    "RegistrationPart",
    "Season",
    "Visit",
]
