"""The plugin's own event type: registered in plugin.py, recorded by services.give_kudos."""

from __future__ import annotations

from icn_graph.plugin_api import DomainEvent, SubjectRef, event_type


@event_type("kudos.given", subject="kudos")
class KudosGiven(DomainEvent):
    """Someone thanked a person or a center."""

    kudos: SubjectRef
    message: str = ""
    # The person thanked (None when a center is): notifications tell them "It is about you".
    person: SubjectRef | None = None
