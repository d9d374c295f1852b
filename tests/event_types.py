"""An event type of the tests' own, recorded where any event will do."""

from __future__ import annotations

from icn_graph.events import DomainEvent, SubjectRef, event_type


@event_type("test.happened")
class Happened(DomainEvent):
    """Something happened to a center (tests only)."""

    center: SubjectRef
