"""Which event types exist: core's and every plugin's, by name, each with its owner.

Built once at start-up from the ``register_event_types`` hook (core's areas implement it like a
plugin does). Two owners declaring the same name stop start-up with a message naming both. The
registry in use is process-wide (every replica loads the same plugins, so it is the same
everywhere): the outbox reads rows back through it, and an unknown name (a plugin uninstalled
since) reads as an :class:`UnknownEvent` rather than failing.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from icn_graph.events.serialize import PayloadError, from_payload
from icn_graph.events.types import (
    DECLARED,
    DomainEvent,
    SubjectRef,
    event_type,
    generic_summary,
)

log = logging.getLogger(__name__)


class EventTypeConflict(Exception):
    """Two owners declared the same event type name, or a plugin returned a non-event."""


@event_type("unknown.event", subject="about")
class UnknownEvent(DomainEvent):
    """An event whose type no installed code declares, or whose payload no longer reads."""

    about: SubjectRef
    type_name: str
    fields: dict[str, Any]
    problem: str | None = None

    def summary(self, actor: str, title: str) -> str:
        return generic_summary(self.type_name, actor, title)


@dataclass(frozen=True)
class RegisteredEventType:
    name: str
    cls: type[DomainEvent]
    owner: str  # the plugin (or core's internal plugin) that declared it

    @property
    def description(self) -> str:
        return self.cls.description()

    @property
    def fields(self) -> list[tuple[str, str]]:
        """``(field name, type as written)`` in declaration order."""
        return [(f.name, _written(f.type)) for f in dataclasses.fields(cast("Any", self.cls))]


def _written(annotation: object) -> str:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return str(text or annotation).replace("typing.", "")


class EventTypeRegistry:
    def __init__(self, entries: Iterable[RegisteredEventType] = ()) -> None:
        self._by_name: dict[str, RegisteredEventType] = {}
        for entry in entries:
            self._add(entry)

    @classmethod
    def build(cls, contributions: Iterable[tuple[str, Sequence[object]]]) -> EventTypeRegistry:
        """From ``(owner, event classes)`` pairs; EventTypeConflict naming both owners of a name."""
        registry = cls()
        for owner, classes in contributions:
            for candidate in classes:
                if not (isinstance(candidate, type) and issubclass(candidate, DomainEvent)):
                    raise EventTypeConflict(
                        f"plugin '{owner}': register_event_types returned {candidate!r}, "
                        "which is not an event type (a class made with @event_type)"
                    )
                if "event_name" not in vars(candidate):
                    raise EventTypeConflict(
                        f"plugin '{owner}': {candidate.__qualname__} has no @event_type(...) name"
                    )
                registry._add(RegisteredEventType(candidate.event_name, candidate, owner))
        return registry

    def _add(self, entry: RegisteredEventType) -> None:
        known = self._by_name.get(entry.name)
        if known is not None and known.cls is not entry.cls:
            raise EventTypeConflict(
                f"event type '{entry.name}' is declared twice: by '{known.owner}' "
                f"({known.cls.__module__}.{known.cls.__qualname__}) and by '{entry.owner}' "
                f"({entry.cls.__module__}.{entry.cls.__qualname__})"
            )
        self._by_name[entry.name] = entry

    def __iter__(self) -> Iterator[RegisteredEventType]:
        return iter(sorted(self._by_name.values(), key=lambda entry: entry.name))

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def get(self, name: str) -> RegisteredEventType | None:
        return self._by_name.get(name)

    def read(
        self, name: str, payload: dict[str, Any] | None, *, version: int, subject: SubjectRef
    ) -> DomainEvent:
        """The typed event a row stored; an UnknownEvent when it cannot be read."""
        entry = self._by_name.get(name)
        fields = dict(payload or {})
        if entry is None:
            return UnknownEvent(about=subject, type_name=name, fields=fields)
        try:
            return from_payload(entry.cls, fields, version=version, subject=subject)
        except (PayloadError, TypeError, ValueError, KeyError) as error:
            log.warning("event %s on %s (v%d) does not read: %s", name, subject, version, error)
            return UnknownEvent(about=subject, type_name=name, fields=fields, problem=str(error))


def _declared_registry() -> EventTypeRegistry:
    """Every event type declared so far under a name nobody else declared (no host yet)."""
    return EventTypeRegistry(
        RegisteredEventType(name, classes[0], classes[0].__module__)
        for name, classes in DECLARED.items()
        if len(classes) == 1 and name != UnknownEvent.event_name
    )


_current: EventTypeRegistry | None = None


def use_event_types(registry: EventTypeRegistry) -> None:
    """Make ``registry`` the one events are read with (start-up, after loading plugins)."""
    global _current
    _current = registry


def event_types() -> EventTypeRegistry:
    """The registry in use: the last one a plugin host installed, or, before any, every type
    declared so far (not kept: more may be declared later)."""
    return _current if _current is not None else _declared_registry()
