"""Typed domain events: one frozen dataclass per kind of thing that happens.

An event type is declared once, with a stable dotted name and typed fields::

    @event_type("goal.checked_in", subject="goal")
    class GoalCheckedIn(DomainEvent):
        \"\"\"Someone checked in on a goal.\"\"\"

        goal: SubjectRef
        title: str
        status: GoalStatus
        confidence: int | None

``subject`` names the field holding what the event is about (stored as the outbox row's
subject type and primary key); it defaults to the first ``SubjectRef`` field. The docstring's
first line is the type's description (``eventTypes`` in GraphQL, the table in docs/plugins.md).

Events carry what their readers need later, when the subject may be gone: a title, the name of
what contains it, the people involved (a *snapshot*), and for changes the old and new values
(``changes``). A few field names have a meaning for notifications (see docs/plugins.md):
``title`` (or ``name``) is quoted when nothing better is known, ``person`` is the person the event
is about (they hear of it), and ``goal``, ``owner``, ``center``, ``learning_session`` contain it.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, cast

from icn_graph.errors import BadInput
from icn_graph.ids import parse_global_id, to_global_id

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# What a FieldChange can hold: JSON scalars (dates as ISO strings).
ChangeValue = str | int | float | bool | None


@dataclass(frozen=True)
class SubjectRef:
    """A row by its GraphQL type name and primary key, e.g. ``SubjectRef("Goal", 12)``."""

    type: str
    pk: int

    @property
    def global_id(self) -> str:
        return to_global_id(self.type, self.pk)

    def __str__(self) -> str:
        return f"{self.type}:{self.pk}"


@dataclass(frozen=True)
class FieldChange:
    """One changed field, named as the API spells it: ``FieldChange("dueOn", "2027-03-01", …)``."""

    field: str
    old: ChangeValue
    new: ChangeValue


def plain(value: object) -> ChangeValue:
    """``value`` as a FieldChange holds it: enums by value, dates as ISO strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(str(plain(item)) for item in value)
    enum_value = getattr(value, "value", None)
    if enum_value is not None and isinstance(enum_value, str | int):
        return enum_value
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def api_names(values: Mapping[str, object]) -> dict[str, object]:
    """``{"starts_on": …}`` -> ``{"startsOn": …}``: fields named as the API spells them."""
    return {
        head + "".join(part.title() for part in rest): value
        for name, value in values.items()
        for head, *rest in [name.split("_")]
    }


def changes_between(
    old: Mapping[str, object], new: Mapping[str, object]
) -> tuple[FieldChange, ...]:
    """The fields whose value differs, in ``new``'s order (compared as FieldChange holds them,
    so a list and a tuple of the same items are no change)."""
    pairs = ((name, plain(old.get(name)), plain(value)) for name, value in new.items())
    return tuple(
        FieldChange(name, before, after) for name, before, after in pairs if before != after
    )


class DomainEvent:
    """Base of every event type. Subclasses are frozen dataclasses made by :func:`event_type`."""

    event_name: ClassVar[str]
    subject_field: ClassVar[str]
    # The payload format's version; bump it when fields change and teach ``upgrade`` the old one.
    event_version: ClassVar[int] = 1
    # Personal: only the person the event is about (its ``person`` field) hears of it, not the
    # subject's followers ("Sam mentioned you" is news to the one mentioned alone).
    personal: ClassVar[bool] = False
    # Fields left out of ``Notification.data`` (see ``icn_graph.events.shown``): what a reader
    # of the notification could not see through its subject (text that can be edited or hidden
    # later, who else was asked, staff's reasons).
    withheld: ClassVar[frozenset[str]] = frozenset()

    @property
    def subject(self) -> SubjectRef:
        value = getattr(self, self.subject_field)
        assert isinstance(value, SubjectRef)
        return value

    @property
    def snapshot_title(self) -> str | None:
        """The subject's title when the event happened (a ``title`` or ``name`` field)."""
        for candidate in ("title", "name"):
            value = getattr(self, candidate, None)
            if isinstance(value, str) and value:
                return value
        return None

    @property
    def mailed_once_as(self) -> str | None:
        """What the event shows in mail when another event can show the same (a message that
        is both posted and mentions the reader): of the events of one mail with the same key,
        only one is shown, the personal one if any ("Sam mentioned you" and the message, once).
        None (the default): always shown."""
        return None

    def summary(self, actor: str, title: str) -> str:
        """How the event reads in notifications and mail, in one line: override it to word your
        event type ("Sam added a note to 'An idea'"). ``actor`` is who acted ("Someone" when
        unknown); ``title`` the subject's title, already quoted ("'An idea'"), or "an item".
        The line is folded onto one line and capped at 200 characters. By default it is built
        from the type's name: "Sam: codesign note added on 'An idea'"."""
        return generic_summary(self.event_name, actor, title)

    @classmethod
    def description(cls) -> str:
        return (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int, subject: SubjectRef) -> dict[str, Any]:
        """A payload stored by an older ``version`` of this type, in the current shape.

        Override it when ``version`` goes up; ``subject`` is the stored row's subject.
        """
        return payload

    @classmethod
    async def as_mailed(
        cls, session: AsyncSession, events: Sequence[Self]
    ) -> Sequence[Self | None]:
        """How mail composed now shows these stored events of this type, one result each, in
        order: by default as they were recorded.

        Override it when what an event carries can change or be withdrawn after it was recorded
        (a message edited or hidden before its mail goes): read the current state in one query
        and return an updated copy (``dataclasses.replace``), or ``None`` to withdraw the event
        from mail (its notifications are not mailed; the in-app notification stays)."""
        return events


def generic_summary(event_name: str, actor: str, title: str) -> str:
    """The line of an event type that words none of its own, built from its name."""
    words = event_name.replace(".", " ").replace("_", " ").strip()
    return f"{actor}: {words} on {title}" if title != "an item" else f"{actor}: {words}"


E = TypeVar("E", bound=type[DomainEvent])

# Names DomainEvent itself uses, so no field may take them.
RESERVED = frozenset(
    {
        "event_name",
        "event_version",
        "personal",
        "subject_field",
        "subject",
        "snapshot_title",
        "mailed_once_as",
        "summary",
        "upgrade",
        "as_mailed",
        "withheld",
    }
)

# Every event type declared in this process, by name: what events are read with before a plugin
# host has installed its registry (see ``icn_graph.events.registry``).
DECLARED: dict[str, list[type[DomainEvent]]] = {}


def field_types(cls: type[DomainEvent]) -> dict[str, Any]:
    """``cls``'s fields' types, resolved (annotations may be strings)."""
    try:
        return typing.get_type_hints(cls)
    except NameError as error:
        raise EventTypeError(
            f"{cls.__qualname__}: cannot resolve a field's type: {error}"
        ) from error


class EventTypeError(TypeError):
    """An event type declared wrongly (no subject field, not a DomainEvent, …)."""


@typing.dataclass_transform(kw_only_default=True, frozen_default=True)
def event_type(
    name: str,
    *,
    subject: str | None = None,
    version: int | None = None,
    personal: bool = False,
    withheld: Sequence[str] = (),
) -> Callable[[E], E]:
    """Make ``cls`` a frozen dataclass event type named ``name`` ("area.happened"); a
    ``personal`` one reaches only the person in its ``person`` field; ``withheld`` names the
    fields ``Notification.data`` leaves out (each must be a field of the type)."""
    parts = name.split(".")
    if len(parts) < 2 or not all(part.isidentifier() and part.islower() for part in parts):
        raise EventTypeError(
            f"event type name {name!r} must be dotted lower_case, e.g. 'goal.closed'"
        )

    def declare(cls: E) -> E:
        if not issubclass(cls, DomainEvent):
            raise EventTypeError(f"{cls.__qualname__} ({name}) must subclass DomainEvent")
        clashes = sorted(RESERVED & set(getattr(cls, "__annotations__", {})))
        if clashes:
            raise EventTypeError(
                f"{cls.__qualname__} ({name}): {', '.join(clashes)} cannot be a field's name "
                "(DomainEvent uses it)"
            )
        made = cast("E", dataclass(frozen=True, kw_only=True)(cls))
        fields = {f.name: f for f in dataclasses.fields(cast("Any", made))}
        refs = [f.name for f in fields.values() if field_types(made).get(f.name) is SubjectRef]
        chosen = subject if subject is not None else (refs[0] if refs else None)
        if chosen is None or chosen not in fields:
            raise EventTypeError(
                f"{cls.__qualname__} ({name}) needs a SubjectRef field for its subject"
                + (f"; it has no field {subject!r}" if subject else "")
            )
        made.event_name = name
        made.subject_field = chosen
        if version is not None:
            made.event_version = version
        if personal and field_types(made).get("person") not in (SubjectRef, SubjectRef | None):
            raise EventTypeError(
                f"{cls.__qualname__} ({name}) is personal: it needs a 'person' SubjectRef field"
            )
        made.personal = personal
        if isinstance(withheld, str):
            raise EventTypeError(
                f"{cls.__qualname__} ({name}): withheld must list field names, not be the "
                f"string {withheld!r}"
            )
        unknown = sorted(set(withheld) - set(fields))
        if unknown:
            raise EventTypeError(
                f"{cls.__qualname__} ({name}): withheld names {', '.join(unknown)}, which it "
                "has no field of"
            )
        made.withheld = frozenset(withheld)
        DECLARED.setdefault(name, []).append(made)
        return made

    return declare


# ---------------------------------------------------------------------------------------------
# Reading version-1 payloads (the untyped dicts stored before events were typed)
# ---------------------------------------------------------------------------------------------


def legacy_ref(value: object) -> dict[str, Any] | None:
    """A global ID from a version-1 payload as a stored SubjectRef, or None."""
    if not isinstance(value, str):
        return None
    try:
        type_name, pk = parse_global_id(value)
    except BadInput:
        return None
    return {"type": type_name, "pk": pk}


def legacy_changes(names: object) -> list[dict[str, Any]]:
    """A version-1 list of changed field names as changes whose values are unknown (old and
    new both None: readers show the field's name alone)."""
    if not isinstance(names, list):
        return []
    return [{"field": str(name), "old": None, "new": None} for name in names]
