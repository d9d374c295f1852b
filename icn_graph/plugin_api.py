"""The public plugin API: every name a plugin needs, in one module.

A plugin imports from ``icn_graph.plugin_api`` (and its tests from ``icn_graph.testing``) and
from nowhere else in ``icn_graph``; anything else may change without notice. Every name below is
documented in docs/plugins.md, "The public API" (a test checks both ways).

This module only re-exports. To publish a name, import it below and list it in ``__all__`` (and
document it). A name whose module loads pandas is imported on first use instead, so that this
module stays cheap to import: list it under ``TYPE_CHECKING`` and in ``_LAZY``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from icn_graph.config import Settings
from icn_graph.db.any_of import any_of
from icn_graph.db.base import Base
from icn_graph.db.database import Database
from icn_graph.db.types import UTCDateTime, utcnow
from icn_graph.errors import (
    BadInput,
    Forbidden,
    NotFound,
    ServiceError,
    Unauthenticated,
    UserErrorCode,
)
from icn_graph.events import (
    DomainEvent,
    Event,
    FieldChange,
    SubjectRef,
    changes_between,
    event_type,
    record,
    recording_history,
)
from icn_graph.events.consumers import EventConsumer
from icn_graph.models import (
    AgendaAssignment,
    AgendaItem,
    AgendaItemKind,
    AgendaPart,
    Center,
    CenterRole,
    CenterStatus,
    CheckIn,
    Goal,
    GoalKind,
    GoalStatus,
    KeyResult,
    LearningSession,
    Membership,
    NetworkRole,
    Person,
    PersonKind,
    Registration,
)
from icn_graph.models.people import PARTNER_KINDS
from icn_graph.notifications.auto_follow import add_member_follows, remove_member_follow
from icn_graph.notifications.history import MailedHistory
from icn_graph.notifications.mail.render import MailContext, MailItem, MailRenderer, MailSection
from icn_graph.notifications.models import DeliveryMode
from icn_graph.notifications.preferences import choose_delivery
from icn_graph.notifications.realtime.topics import TopicFeed, TopicOverflow, publish_topic
from icn_graph.notifications.reply_handlers import InboundReply, ReplyHandle, ReplyHandler
from icn_graph.notifications.subject_types import (
    SubjectDescription,
    SubjectType,
    every_member,
    nobody,
)
from icn_graph.notifications.subjects import SubjectInfo, visible_subjects
from icn_graph.plugins.contributions import MigrationLocation, SchemaContribution
from icn_graph.plugins.hookspecs import hookimpl, hookspec
from icn_graph.plugins.manager import PluginHost
from icn_graph.plugins.settings import plugin_settings
from icn_graph.plugins.worker_jobs import WorkerJob
from icn_graph.reports.measures import Direction, Measure
from icn_graph.schema.connections import Connection, Edge, PageInfo, connection_from_page
from icn_graph.schema.context import Info
from icn_graph.schema.described_enums import described_enum
from icn_graph.schema.descriptions import (
    USER_ERRORS_DESCRIPTION,
    AfterArgument,
    FirstArgument,
    InputArgument,
)
from icn_graph.schema.following import Followable
from icn_graph.schema.learning_sessions.agenda import AgendaItem as AgendaItemType
from icn_graph.schema.learning_sessions.sessions import LearningSession as LearningSessionType
from icn_graph.schema.loaders import loaded
from icn_graph.schema.lookahead import in_connection, read_ahead, selects
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.people import Person as PersonType
from icn_graph.schema.relay import Node, expect_global_id, parse_global_id, to_global_id
from icn_graph.schema.topics import listen_topics
from icn_graph.services.accounts.events import (
    PersonDeactivated,
    PersonReactivated,
    PersonUpdated,
)
from icn_graph.services.directory_events import (
    CenterCreated,
    CenterUpdated,
    MembershipAdded,
    MembershipRemoved,
    PersonCreated,
)
from icn_graph.services.goals.drafts import GoalDraft
from icn_graph.services.goals.events import (
    GoalArchived,
    GoalCheckedIn,
    GoalClosed,
    GoalCreated,
    GoalUpdated,
    KeyResultAdded,
    KeyResultUpdated,
)
from icn_graph.services.goals.goals import create_goal_in
from icn_graph.services.goals.rules import Owner as GoalOwner
from icn_graph.services.learning_sessions.agenda import AgendaItemDraft, add_agenda_item_in
from icn_graph.services.learning_sessions.events import (
    AgendaItemAdded,
    AgendaItemAssigned,
    AgendaItemRemoved,
    AgendaItemUnassigned,
    AgendaItemUpdated,
    LearningSessionCreated,
    LearningSessionUpdated,
    RegistrationAttendanceMarked,
    RegistrationCancelled,
    RegistrationCreated,
)
from icn_graph.services.lookup import grouped, rows_by_id, rows_by_parent
from icn_graph.services.pagination import Page, SortKey, aware_datetime, paginate, text_value
from icn_graph.services.stewardship.discussion import DataRequestDiscussion, DiscussionOpening
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer
from icn_graph.services.viewers import viewers_of
from icn_graph.web.auth import viewer_from_headers

# -- heavy names (their modules load pandas): imported on first use -----------------------------
if TYPE_CHECKING:
    from icn_graph.demo.context import DemoContext
    from icn_graph.reports.measures.monthly import (
        CenterSpans,
        PatientMonths,
        month_index,
        visit_share,
    )
    from icn_graph.schema.centers import Center as CenterType
    from icn_graph.schema.goals import Goal as GoalType
    from icn_graph.schema.nodes import fetch_node
    from icn_graph.schema.viewer import ViewerHome as ViewerType
    from icn_graph.services.reports.report import Report, ReportQuery, build_report

_LAZY: dict[str, tuple[str, str]] = {
    "CenterSpans": ("icn_graph.reports.measures.monthly", "CenterSpans"),
    "CenterType": ("icn_graph.schema.centers", "Center"),
    "DemoContext": ("icn_graph.demo.context", "DemoContext"),
    "GoalType": ("icn_graph.schema.goals", "Goal"),
    "PatientMonths": ("icn_graph.reports.measures.monthly", "PatientMonths"),
    "Report": ("icn_graph.services.reports.report", "Report"),
    "ReportQuery": ("icn_graph.services.reports.report", "ReportQuery"),
    "ViewerType": ("icn_graph.schema.viewer", "ViewerHome"),
    "build_report": ("icn_graph.services.reports.report", "build_report"),
    "fetch_node": ("icn_graph.schema.nodes", "fetch_node"),
    "month_index": ("icn_graph.reports.measures.monthly", "month_index"),
    "visit_share": ("icn_graph.reports.measures.monthly", "visit_share"),
}

if not TYPE_CHECKING:
    # Hidden from type checkers, which see the imports above: a misspelt name stays an error.
    def __getattr__(name: str) -> object:
        if name not in _LAZY:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value


__all__ = [
    "PARTNER_KINDS",
    "USER_ERRORS_DESCRIPTION",
    "AfterArgument",
    "AgendaAssignment",
    "AgendaItem",
    "AgendaItemAdded",
    "AgendaItemAssigned",
    "AgendaItemDraft",
    "AgendaItemKind",
    "AgendaItemRemoved",
    "AgendaItemType",
    "AgendaItemUnassigned",
    "AgendaItemUpdated",
    "AgendaPart",
    "BadInput",
    "Base",
    "Center",
    "CenterCreated",
    "CenterRole",
    "CenterSpans",
    "CenterStatus",
    "CenterType",
    "CenterUpdated",
    "CheckIn",
    "Checker",
    "Connection",
    "DataRequestDiscussion",
    "Database",
    "DeliveryMode",
    "DemoContext",
    "Direction",
    "DiscussionOpening",
    "DomainEvent",
    "Edge",
    "Event",
    "EventConsumer",
    "FieldChange",
    "FirstArgument",
    "Followable",
    "Forbidden",
    "Goal",
    "GoalArchived",
    "GoalCheckedIn",
    "GoalClosed",
    "GoalCreated",
    "GoalDraft",
    "GoalKind",
    "GoalOwner",
    "GoalStatus",
    "GoalType",
    "GoalUpdated",
    "InboundReply",
    "Info",
    "InputArgument",
    "KeyResult",
    "KeyResultAdded",
    "KeyResultUpdated",
    "LearningSession",
    "LearningSessionCreated",
    "LearningSessionType",
    "LearningSessionUpdated",
    "MailContext",
    "MailItem",
    "MailRenderer",
    "MailSection",
    "MailedHistory",
    "Measure",
    "Membership",
    "MembershipAdded",
    "MembershipRemoved",
    "MigrationLocation",
    "NetworkRole",
    "Node",
    "NotFound",
    "Page",
    "PageInfo",
    "PatientMonths",
    "Person",
    "PersonCreated",
    "PersonDeactivated",
    "PersonKind",
    "PersonReactivated",
    "PersonType",
    "PersonUpdated",
    "PluginHost",
    "Registration",
    "RegistrationAttendanceMarked",
    "RegistrationCancelled",
    "RegistrationCreated",
    "ReplyHandle",
    "ReplyHandler",
    "Report",
    "ReportQuery",
    "SchemaContribution",
    "ServiceError",
    "Settings",
    "SortKey",
    "SubjectDescription",
    "SubjectInfo",
    "SubjectRef",
    "SubjectType",
    "TopicFeed",
    "TopicOverflow",
    "UTCDateTime",
    "Unauthenticated",
    "UserError",
    "UserErrorCode",
    "Viewer",
    "ViewerType",
    "WorkerJob",
    "add_agenda_item_in",
    "add_member_follows",
    "any_of",
    "attempt",
    "aware_datetime",
    "build_report",
    "changes_between",
    "choose_delivery",
    "connection_from_page",
    "create_goal_in",
    "described_enum",
    "event_type",
    "every_member",
    "expect_global_id",
    "fetch_node",
    "grouped",
    "hookimpl",
    "hookspec",
    "in_connection",
    "listen_topics",
    "loaded",
    "month_index",
    "nobody",
    "paginate",
    "parse_global_id",
    "plugin_settings",
    "publish_topic",
    "read_ahead",
    "record",
    "recording_history",
    "remove_member_follow",
    "rows_by_id",
    "rows_by_parent",
    "selects",
    "text_value",
    "to_global_id",
    "utcnow",
    "viewer_from_headers",
    "viewers_of",
    "visible_subjects",
    "visit_share",
]
