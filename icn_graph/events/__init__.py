"""Typed domain events and the transactional outbox: record in the change's transaction,
dispatch after commit, sweep what a crashed process left behind."""

from icn_graph.events.record import Event, history_time, record, recording_history
from icn_graph.events.types import (
    DomainEvent,
    EventTypeError,
    FieldChange,
    SubjectRef,
    changes_between,
    event_type,
)

__all__ = [
    "DomainEvent",
    "Event",
    "EventTypeError",
    "FieldChange",
    "SubjectRef",
    "changes_between",
    "event_type",
    "history_time",
    "record",
    "recording_history",
]
