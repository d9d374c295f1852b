"""The directory: centers, people, memberships, invitations, the viewer, global ids, the
plugins list."""

from __future__ import annotations

from collections.abc import Sequence

from icn_graph.events import DomainEvent
from icn_graph.notifications.core_subjects import DIRECTORY_SUBJECT_TYPES
from icn_graph.notifications.subject_types import SubjectType
from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.schema.root import CenterInvitations, DirectoryMutation, DirectoryQuery
from icn_graph.services.accounts.events import ACCOUNT_EVENT_TYPES
from icn_graph.services.directory_events import EVENT_TYPES


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(
        query=DirectoryQuery, mutation=DirectoryMutation, extend={"Center": CenterInvitations}
    )


@hookimpl
def register_event_types() -> Sequence[type[DomainEvent]]:
    return (*EVENT_TYPES, *ACCOUNT_EVENT_TYPES)


@hookimpl
def register_subject_types() -> Sequence[SubjectType]:
    return DIRECTORY_SUBJECT_TYPES
