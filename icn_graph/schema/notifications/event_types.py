"""``eventTypes``: the registry of event types, so clients know every ``Notification.type``."""

from __future__ import annotations

import strawberry

from icn_graph.events.registry import RegisteredEventType, event_types


@strawberry.type(description="A field an event of this type carries.")
class EventTypeField:
    name: str = strawberry.field(description="As stored, e.g. session_title.")
    type: str = strawberry.field(description="Its Python type, e.g. SubjectRef or str | None.")
    in_data: bool = strawberry.field(
        description="Whether `Notification.data` shows it (false: its type keeps it out)."
    )


@strawberry.type(
    description="A kind of event (and so of notification): core's, or a plugin's. "
    "`Notification.type` is always one of these names."
)
class EventType:
    name: str = strawberry.field(description="The stable dotted name, e.g. goal.checked_in.")
    description: str = strawberry.field(description="What happened, in one sentence.")
    owner: str = strawberry.field(
        description="Who declares it: a core area (core.goals) or a plugin's name."
    )
    fields: list[EventTypeField] = strawberry.field(
        description="What the event carries, in declaration order."
    )

    @classmethod
    def of(cls, entry: RegisteredEventType) -> EventType:
        return cls(
            name=entry.name,
            description=entry.description,
            owner=entry.owner,
            fields=[
                EventTypeField(name=name, type=kind, in_data=name not in entry.cls.withheld)
                for name, kind in entry.fields
            ],
        )


def resolve_event_types() -> list[EventType]:
    return [EventType.of(entry) for entry in event_types()]
