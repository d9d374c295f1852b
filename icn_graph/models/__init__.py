"""SQLAlchemy tables, one module per area. Importing this package registers them all on Base."""

from icn_graph.models.centers import Center, CenterStatus
from icn_graph.models.memberships import CenterRole, Membership
from icn_graph.models.people import NetworkRole, Person, PersonKind
from icn_graph.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "Center",
    "CenterRole",
    "CenterStatus",
    "Membership",
    "NetworkRole",
    "Person",
    "PersonKind",
]
