"""Event ⇄ JSON: the payload an outbox row stores, and the typed event read back from it.

Field values are written as JSON: enums by value, dates and datetimes in ISO 8601, a
``SubjectRef`` as ``{"type": "Goal", "pk": 12}``, tuples as lists, nested dataclasses (a
``FieldChange``) as objects. Reading follows the field's annotation. A row stored by an older
version of the type is first brought up to date by the type's ``upgrade``.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

from icn_graph.events.types import DomainEvent, SubjectRef, field_types

D = TypeVar("D", bound=DomainEvent)


class PayloadError(ValueError):
    """A stored payload that does not fit its event type."""


def _dump(value: object) -> Any:
    if isinstance(value, SubjectRef):
        return {"type": value.type, "pk": value.pk}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_dump(item) for item in value]
    return value


def to_payload(event: DomainEvent) -> dict[str, Any]:
    """``event``'s fields as a JSON object."""
    assert dataclasses.is_dataclass(event)
    return {f.name: _dump(getattr(event, f.name)) for f in dataclasses.fields(event)}


def _load(kind: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        problems = []
        for option in [option for option in options if option is not type(None)]:
            try:
                return _load(option, value, where)
            except PayloadError as problem:
                problems.append(str(problem))
        raise PayloadError("; ".join(problems) or f"{where}: unexpected {value!r}")
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise PayloadError(f"{where}: expected a list, got {type(value).__name__}")
        inner = typing.get_args(kind)[0]
        return tuple(_load(inner, item, f"{where}[{n}]") for n, item in enumerate(value))
    if kind is Any or kind is object:
        return value
    if kind is SubjectRef:
        if isinstance(value, dict) and isinstance(value.get("type"), str):
            return SubjectRef(value["type"], int(value["pk"]))
        raise PayloadError(f"{where}: expected a subject reference, got {value!r}")
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(value)
        except ValueError as error:
            raise PayloadError(f"{where}: {value!r} is not a {kind.__name__}") from error
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return _construct(kind, value, where)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, bool):
        raise PayloadError(f"{where}: expected int, got bool")
    if isinstance(kind, type) and not isinstance(value, kind):
        raise PayloadError(f"{where}: expected {kind.__name__}, got {type(value).__name__}")
    return value


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return field_types(cls) if issubclass(cls, DomainEvent) else typing.get_type_hints(cls)


def _construct(cls: Any, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise PayloadError(f"{where}: expected an object, got {type(data).__name__}")
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            values[f.name] = _load(hints[f.name], data[f.name], f"{where}.{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise PayloadError(f"{where}: missing field {f.name!r}")
    return cls(**values)


def from_payload(cls: type[D], payload: dict[str, Any], *, version: int, subject: SubjectRef) -> D:
    """The ``cls`` event a row stored (``version`` of its payload format, about ``subject``)."""
    if version > cls.event_version:
        raise PayloadError(
            f"{cls.event_name}: payload version {version} is newer than this code's "
            f"{cls.event_version}"
        )
    current = (
        cls.upgrade(dict(payload), version, subject) if version < cls.event_version else payload
    )
    # The subject is stored on the row too: a payload need not repeat it.
    current = {cls.subject_field: _dump(subject)} | current
    event: D = _construct(cls, current, cls.event_name)
    return event
