"""SQLAlchemy tables, one module per area. Importing this package registers them all on Base."""

from icn_graph.models.accounts import EmailChange, Invitation
from icn_graph.models.calendar_feeds import CalendarFeed
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
from icn_graph.models.stewardship import (
    ConsentDecision,
    DataAudience,
    DataRequest,
    DataRequestCenter,
    DataRequestComment,
    DataRequestState,
    DataView,
    DataViewCenter,
    DataViewChart,
    DataViewLink,
    DataViewStatus,
    DisplayConsent,
    IdentifiedRead,
    IdentifiedReadCenter,
    OthersShown,
    StandingConsent,
    StandingPreference,
)
from icn_graph.models.tokens import ApiToken, SignInLink, TokenKind
from icn_graph.models.visits import Diagnosis, PhysicianGlobalAssessment, Visit

__all__ = [
    "AgendaAssignment",
    "AgendaItem",
    "AgendaItemKind",
    "AgendaPart",
    "ApiToken",
    "CalendarFeed",
    "Center",
    "CenterRole",
    "CenterStatus",
    "CheckIn",
    "CheckInValue",
    "ConsentDecision",
    "DataAudience",
    "DataRequest",
    "DataRequestCenter",
    "DataRequestComment",
    "DataRequestState",
    "DataView",
    "DataViewCenter",
    "DataViewChart",
    "DataViewLink",
    "DataViewStatus",
    "Diagnosis",
    "DisplayConsent",
    "EmailChange",
    "Goal",
    "GoalKind",
    "GoalStatus",
    "IdentifiedRead",
    "IdentifiedReadCenter",
    "Invitation",
    "KeyResult",
    "LearningSession",
    "LearningSessionStatus",
    "MeasureValue",
    "Membership",
    "NetworkRole",
    "NetworkValue",
    "OthersShown",
    "Person",
    "PersonKind",
    "PhysicianGlobalAssessment",
    "Registration",
    "RegistrationPart",
    "Season",
    "SignInLink",
    "StandingConsent",
    "StandingPreference",
    "TokenKind",
    "Visit",
]
