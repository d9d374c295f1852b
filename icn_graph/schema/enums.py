"""Domain enums exposed to GraphQL; the Python enums live with the models and services."""

from __future__ import annotations

import strawberry

from icn_graph.errors import UserErrorCode
from icn_graph.models import CenterRole, CenterStatus, NetworkRole, PersonKind
from icn_graph.services.centers import CenterOrderField
from icn_graph.services.ordering import OrderDirection
from icn_graph.services.people import DeactivatedPeople, PersonOrderField

CenterStatusEnum = strawberry.enum(CenterStatus, name="CenterStatus")
CenterRoleEnum = strawberry.enum(
    CenterRole, name="CenterRole", description="A person's role on a center's team."
)
PersonKindEnum = strawberry.enum(
    PersonKind, name="PersonKind", description="What a person does in the network."
)
NetworkRoleEnum = strawberry.enum(
    NetworkRole, name="NetworkRole", description="Network-wide permissions."
)
OrderDirectionEnum = strawberry.enum(OrderDirection, name="OrderDirection")
CenterOrderFieldEnum = strawberry.enum(CenterOrderField, name="CenterOrderField")
PersonOrderFieldEnum = strawberry.enum(PersonOrderField, name="PersonOrderField")
DeactivatedPeopleEnum = strawberry.enum(
    DeactivatedPeople,
    name="DeactivatedPeople",
    description="Whether a listing of people shows deactivated accounts.",
)
UserErrorCodeEnum = strawberry.enum(UserErrorCode, name="UserErrorCode")
