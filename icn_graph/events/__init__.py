"""Domain events and the transactional outbox: record in the change's transaction, dispatch
after commit, sweep what a crashed process left behind."""

from icn_graph.events.record import Event, record_event

__all__ = ["Event", "record_event"]
