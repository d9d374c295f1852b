"""Domain events and the transactional outbox: record in the change's transaction, dispatch
after commit, sweep what a crashed process left behind."""

from icn_graph.events.record import (
    Event,
    discard_pending_events,
    record_event,
    take_pending_events,
)

__all__ = ["Event", "discard_pending_events", "record_event", "take_pending_events"]
