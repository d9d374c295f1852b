"""Core's root fields, one class per area; each area's internal plugin contributes its own
(``icn_graph.builtin``), and the schema merges them like any plugin's."""

from __future__ import annotations

import strawberry

from icn_graph.schema.accounts import AccountMutations
from icn_graph.schema.calendar_feeds import CalendarFeedMutations
from icn_graph.schema.centers import Center, CenterMutations, resolve_centers
from icn_graph.schema.connections import Connection
from icn_graph.schema.context import Info
from icn_graph.schema.goals import Goal, GoalMutations, resolve_goals
from icn_graph.schema.invitations import CenterInvitations, InvitationMutations
from icn_graph.schema.learning_sessions import (
    LearningSession,
    LearningSessionMutations,
    resolve_learning_sessions,
)
from icn_graph.schema.memberships import MembershipMutations
from icn_graph.schema.network import Network
from icn_graph.schema.nodes import resolve_node, resolve_nodes
from icn_graph.schema.notifications import NotificationMutations
from icn_graph.schema.notifications.event_types import EventType, resolve_event_types
from icn_graph.schema.notifications.mail_status import (
    NotificationDelivery,
    resolve_notification_delivery,
)
from icn_graph.schema.people import Person, PersonMutations, resolve_people
from icn_graph.schema.plugins import Plugin, resolve_plugins
from icn_graph.schema.relay import Node
from icn_graph.schema.reports.mutations import ReportMutations
from icn_graph.schema.reports.queries import resolve_measures, resolve_report
from icn_graph.schema.reports.types import Measure, Report
from icn_graph.schema.sign_in import SignInMutations
from icn_graph.schema.stewardship.audit import (
    CenterIdentifiedReads,
    IdentifiedRead,
    resolve_identified_reads,
)
from icn_graph.schema.viewer import ViewerHome, resolve_viewer


@strawberry.type
class DirectoryQuery:
    node: Node | None = strawberry.field(
        resolver=resolve_node, description="Any object, by its global ID."
    )
    plugins: list[Plugin] = strawberry.field(
        resolver=resolve_plugins,
        description="Installed plugins: state, hooks, settings, recent failures. Staff only.",
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=resolve_nodes,
        description="Several objects by global ID (at most 100); an unknown ID gives null.",
    )
    centers: Connection[Center] = strawberry.field(
        resolver=resolve_centers,
        description="Care centers, a page at a time (`first` at most 100). Members only.",
    )
    people: Connection[Person] = strawberry.field(
        resolver=resolve_people,
        description="The directory, a page at a time (`first` at most 100). Members only.",
    )

    @strawberry.field(description="The network this server serves.")
    def network(self, info: Info) -> Network:
        return Network(name=info.context.settings.network_name)

    viewer: ViewerHome | None = strawberry.field(
        resolver=resolve_viewer,
        description="The person making the request and their day; null when anonymous. A token "
        "that is unknown, expired or revoked is an UNAUTHENTICATED error here too.",
    )


@strawberry.type
class DirectoryMutation(
    CenterMutations,
    PersonMutations,
    AccountMutations,
    MembershipMutations,
    SignInMutations,
    CalendarFeedMutations,
    InvitationMutations,
):
    pass


@strawberry.type
class GoalsQuery:
    goals: Connection[Goal] = strawberry.field(
        resolver=resolve_goals,
        description="90-day goals of centers and partners, soonest due first (`first` at most "
        "100). Members only.",
    )


@strawberry.type
class LearningSessionsQuery:
    learning_sessions: Connection[LearningSession] = strawberry.field(
        resolver=resolve_learning_sessions,
        description="Learning Sessions, the newest first (`first` at most 100). Members only.",
    )


@strawberry.type
class ReportsQuery:
    measures: list[Measure] = strawberry.field(
        resolver=resolve_measures,
        description="Outcome and process measures, computed monthly from registry visits.",
    )
    report: Report = strawberry.field(
        resolver=resolve_report,
        description="A measure's monthly series for a center (`centerId`) or the network, with "
        "run-chart or p-chart signals. Another center's values: network staff and data "
        "managers only; counts from 1 to 10 are suppressed outside the owning center.",
    )
    identified_reads: Connection[IdentifiedRead] = strawberry.field(
        resolver=resolve_identified_reads,
        description="The audit log of identified reads: every read or download of a center's "
        "identified data by someone outside it, newest first (`first` at most 100). Network "
        "staff and data managers see every read; a center's QI lead the reads of their "
        "center's data; anyone else gets FORBIDDEN.",
    )


@strawberry.type
class NotificationsQuery:
    notification_delivery: NotificationDelivery = strawberry.field(
        resolver=resolve_notification_delivery,
        description="Notification mail: queue depth, sent in 24 h, failures, dead letters and "
        "suppressed addresses. Staff only.",
    )
    event_types: list[EventType] = strawberry.field(
        resolver=resolve_event_types,
        description="Every event type, by name: the values `Notification.type` takes.",
    )


__all__ = [
    "CenterIdentifiedReads",
    "CenterInvitations",
    "DirectoryMutation",
    "DirectoryQuery",
    "GoalMutations",
    "GoalsQuery",
    "LearningSessionMutations",
    "LearningSessionsQuery",
    "NotificationMutations",
    "NotificationsQuery",
    "ReportMutations",
    "ReportsQuery",
]
