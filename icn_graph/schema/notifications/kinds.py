"""``Notification.kind``: the enum ``NotificationKind``, one value per event type.

Made each time a schema is built, from the event types that schema serves (core's and its
plugins'), so installing a plugin adds its kinds: ``goal.checked_in`` is ``GOAL_CHECKED_IN``,
described by the type's description. Two event types whose names make one value stop start-up
naming both. A notification whose event type is no longer installed (its plugin was removed) is
``UNKNOWN``; ``type`` still has its name. The field reaches ``Notification`` the way a plugin's
field reaches a core type (``IcnSchema.get_fields``), so each schema has its own enum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

import strawberry
from strawberry.types.base import get_object_definition

from icn_graph.events.registry import RegisteredEventType
from icn_graph.schema.described_enums import described_enum
from icn_graph.schema.merge import SchemaConflict
from icn_graph.schema.notifications.types import Notification
from icn_graph.schema.type_extensions import ExtensionField

NAME = "NotificationKind"
UNKNOWN = "UNKNOWN"
OWNER = "core.notifications"
DESCRIPTION = (
    "What a notification is about: one value per event type of `eventTypes` (core's and the "
    "installed plugins'), its name in capitals with `_` for `.` (goal.checked_in: "
    "GOAL_CHECKED_IN); UNKNOWN for an event type no longer installed."
)
UNKNOWN_DESCRIPTION = (
    "An event type no installed code declares any more (its plugin was removed or disabled); "
    "`type` still has its name and `data` is null."
)


def kind_name(event_type: str) -> str:
    """``goal.checked_in`` -> ``GOAL_CHECKED_IN``."""
    return event_type.replace(".", "_").upper()


@dataclass(frozen=True)
class NotificationKinds:
    enum: type[Enum]
    by_event_type: Mapping[str, Enum]

    def of(self, event_type: str) -> Enum:
        """The value of ``event_type``; UNKNOWN for one this schema was not built with."""
        found = self.by_event_type.get(event_type)
        return found if found is not None else self.enum[UNKNOWN]


def notification_kinds(entries: Iterable[RegisteredEventType]) -> NotificationKinds:
    """The enum for these event types; SchemaConflict naming both of two that make one value."""
    claimed: dict[str, RegisteredEventType] = {}
    for entry in entries:
        name = kind_name(entry.name)
        other = claimed.get(name)
        if other is not None:
            raise SchemaConflict(
                f"event types '{other.name}' (of '{other.owner}') and '{entry.name}' (of "
                f"'{entry.owner}') would both be {NAME}.{name}; rename one of them"
            )
        claimed[name] = entry
    enum = Enum(  # type: ignore[misc]
        NAME, [(name, entry.name) for name, entry in claimed.items()] + [(UNKNOWN, "")]
    )
    descriptions = {enum[name]: _described(entry) for name, entry in claimed.items()}
    described_enum(
        enum,
        name=NAME,
        description=DESCRIPTION,
        values=descriptions | {enum[UNKNOWN]: UNKNOWN_DESCRIPTION},
    )
    return NotificationKinds(enum, {entry.name: enum[name] for name, entry in claimed.items()})


def _described(entry: RegisteredEventType) -> str:
    said = entry.description or "Something happened."
    return f"{said} Event type `{entry.name}`, of {entry.owner}."


def kind_field(kinds: NotificationKinds) -> ExtensionField:
    """``Notification.kind`` for a schema whose kinds are ``kinds``."""

    def kind(root: Notification) -> Enum:
        return kinds.of(root.event_type)

    carrier = strawberry.type(
        type(
            "NotificationKindField",
            (),
            {
                "kind": strawberry.field(
                    resolver=kind,
                    graphql_type=kinds.enum,
                    description="What it is about: switch on this (`type` is the same as a "
                    "string).",
                )
            },
        )
    )
    definition = get_object_definition(carrier, strict=True)
    (field,) = definition.fields
    return ExtensionField(OWNER, "Notification", "kind", field)


def add_kind_field(extensions: dict[str, list[ExtensionField]], kinds: NotificationKinds) -> None:
    """Add ``Notification.kind`` to the plugins' extension fields; a plugin that adds a
    ``kind`` of its own to Notification stops start-up naming it."""
    added = extensions.setdefault("Notification", [])
    taken = next((field for field in added if field.graphql_name == "kind"), None)
    if taken is not None:
        raise SchemaConflict(
            f"Notification.kind is defined by both '{OWNER}' and '{taken.owner}'; "
            "rename the plugin's field"
        )
    added.insert(0, kind_field(kinds))
