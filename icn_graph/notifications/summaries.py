"""One plain-text line saying what happened, for the app's notification list and mail.

``summarize(checked_in, "Maria Lopez", "Reduce steroid use")`` gives "Maria Lopez checked in on
'Reduce steroid use': on track, confidence 7/10". The line reads from the typed event, which
keeps what its subject was called at the time: a removed agenda item or a cancelled registration
still says what it was. The subject's current title, when it still exists, names it; otherwise
the event's snapshot does. Core's event types are worded by the table below; every other type
(a plugin's) by its own ``DomainEvent.summary``, which by default builds a generic line from
the type's name.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from icn_graph.events.registry import UnknownEvent
from icn_graph.events.types import DomainEvent, FieldChange, generic_summary
from icn_graph.models import GoalStatus, RegistrationPart
from icn_graph.services.directory_events import (
    CenterCreated,
    CenterUpdated,
    MembershipAdded,
    MembershipRemoved,
    PersonCreated,
)
from icn_graph.services.goals.events import (
    GoalArchived,
    GoalCheckedIn,
    GoalClosed,
    GoalCreated,
    GoalUpdated,
    KeyResultAdded,
    KeyResultUpdated,
)
from icn_graph.services.learning_sessions.events import (
    AgendaItemAdded,
    AgendaItemAssigned,
    AgendaItemRemoved,
    AgendaItemUnassigned,
    AgendaItemUpdated,
    LearningSessionCreated,
    LearningSessionUpdated,
    RegistrationAttendanceMarked,
    RegistrationCancelled,
    RegistrationCreated,
)

log = logging.getLogger(__name__)

MAX_LENGTH = 200
# The person an event names, when they read it (see ``mail.addressed``).
YOU = "you"
VALUE_LENGTH = 40
_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")

Phrase = Callable[[str, str, Any], str]
PHRASES: dict[str, Phrase] = {}

D = TypeVar("D", bound=DomainEvent)


def one_line(text: str, limit: int = MAX_LENGTH) -> str:
    """``text`` with line breaks and control characters folded into single spaces, capped."""
    flat = _SPACE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _words(value: object) -> str:
    """An enum value for people: ``ON_TRACK`` -> ``on track``."""
    return str(value).replace("_", " ").lower()


def _quoted(text: str) -> str:
    return f"'{one_line(text, 120)}'"


def _field_words(name: str) -> str:
    """``dueOn`` -> ``due on``."""
    return re.sub(r"(?<!^)([A-Z])", r" \1", name).lower()


def shown_value(value: object, limit: int = VALUE_LENGTH) -> str:
    """A changed field's value for people: "—" for nothing, times readable, the rest as is."""
    if value is None or value == "":
        return "—"
    text = str(value)
    if isinstance(value, str) and "T" in text:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return moment.strftime("%Y-%m-%d %H:%M") + (" UTC" if moment.tzinfo else "")
    return one_line(text, limit)


def change_line(
    change: FieldChange, shown: Callable[[FieldChange], tuple[str, str]] | None = None
) -> str:
    """``due on: 2027-03-01 → 2027-04-01``, or the field's name alone when the values are
    unknown (events stored before they carried them). ``shown`` words the old and new values
    another way (mail shows times in the reader's time zone)."""
    name = _field_words(change.field)
    if change.old == change.new:
        return name
    old, new = shown(change) if shown else (shown_value(change.old), shown_value(change.new))
    return f"{name}: {old} → {new}"


def _changed(changes: Sequence[FieldChange]) -> str:
    """``: title: A → B; room: — → Hall B`` for a change event, or nothing."""
    if not changes:
        return ""
    return ": " + "; ".join(change_line(change) for change in changes[:5])


def phrase(kind: type[D]) -> Callable[[Callable[[str, str, D], str]], Callable[[str, str, D], str]]:
    """Register the line for events of ``kind``."""

    def register(function: Callable[[str, str, D], str]) -> Callable[[str, str, D], str]:
        PHRASES[kind.event_name] = function
        return function

    return register


def _simple(kind: type[DomainEvent], template: str) -> None:
    PHRASES[kind.event_name] = lambda actor, title, event: template.format(actor=actor, title=title)


_simple(GoalCreated, "{actor} set a new goal: {title}")
_simple(GoalArchived, "{actor} archived {title}")
_simple(KeyResultAdded, "{actor} added the key result {title}")
_simple(LearningSessionCreated, "{actor} created the Learning Session {title}")
_simple(AgendaItemAdded, "{actor} added {title} to the agenda")
_simple(CenterCreated, "{actor} added the center {title}")
_simple(PersonCreated, "{actor} created an account for {title}")


def _changed_by(kind: type[DomainEvent], template: str) -> None:
    """A change event's line: ``template``, then what changed (old → new)."""

    def line(actor: str, title: str, event: DomainEvent) -> str:
        changes: Sequence[FieldChange] = getattr(event, "changes", ())
        return template.format(actor=actor, title=title) + _changed(changes)

    PHRASES[kind.event_name] = line


_changed_by(GoalUpdated, "{actor} updated {title}")
_changed_by(KeyResultUpdated, "{actor} updated the key result {title}")
_changed_by(LearningSessionUpdated, "{actor} updated {title}")
_changed_by(AgendaItemUpdated, "{actor} changed {title} on the agenda")
_changed_by(CenterUpdated, "{actor} updated {title}")


@phrase(GoalCheckedIn)
def _check_in(actor: str, title: str, event: GoalCheckedIn) -> str:
    details = [_words(event.status.value)]
    if event.confidence is not None:
        details.append(f"confidence {event.confidence}/10")
    return f"{actor} checked in on {title}: {', '.join(details)}"


@phrase(GoalClosed)
def _closed(actor: str, title: str, event: GoalClosed) -> str:
    if event.outcome is GoalStatus.DONE:
        return f"{actor} marked {title} done"
    if event.outcome is GoalStatus.DROPPED:
        return f"{actor} dropped {title}"
    return f"{actor} closed {title}"


def _of_session(event: AgendaItemRemoved | AgendaItemAssigned | AgendaItemUnassigned) -> str:
    return f" of {_quoted(event.session_title)}" if event.session_title else ""


@phrase(AgendaItemRemoved)
def _removed(actor: str, title: str, event: AgendaItemRemoved) -> str:
    return f"{actor} removed {title} from the agenda{_of_session(event)}"


def _someone(name: str) -> str:
    return one_line(name, 80) if name.strip() else "someone"


@phrase(AgendaItemAssigned)
def _assigned(actor: str, title: str, event: AgendaItemAssigned) -> str:
    return f"{actor} added {_someone(event.person_name)} to {title} as {_words(event.part.value)}"


@phrase(AgendaItemUnassigned)
def _unassigned(actor: str, title: str, event: AgendaItemUnassigned) -> str:
    return f"{actor} took {_someone(event.person_name)} off {title}"


def _session_and_role(event: RegistrationCreated | RegistrationCancelled) -> tuple[str, str]:
    """The quoted session, and " as <part>" unless the person simply attends."""
    session = _quoted(event.session_title) if event.session_title else "a Learning Session"
    role = f" as {_words(event.part.value)}" if event.part is not RegistrationPart.ATTENDEE else ""
    return session, role


@phrase(RegistrationCreated)
def _registered(actor: str, title: str, event: RegistrationCreated) -> str:
    session, role = _session_and_role(event)
    if event.person_name and event.person_name != actor:
        return f"{actor} registered {_someone(event.person_name)} for {session}{role}"
    return f"{actor} registered for {session}{role}"


@phrase(RegistrationCancelled)
def _cancelled(actor: str, title: str, event: RegistrationCancelled) -> str:
    session, role = _session_and_role(event)
    if event.person_name == YOU:
        whose = "your"
    elif event.person_name and event.person_name != actor:
        whose = f"{_someone(event.person_name)}'s"
    else:
        whose = "their"
    return f"{actor} cancelled {whose} registration for {session}{role}"


@phrase(RegistrationAttendanceMarked)
def _attendance(actor: str, title: str, event: RegistrationAttendanceMarked) -> str:
    mark = "attended" if event.attended else "did not attend"
    session = _quoted(event.session_title) if event.session_title else title
    return f"{actor} marked that {_someone(event.person_name)} {mark} {session}"


def _membership(verb: str, preposition: str) -> Phrase:
    def line(actor: str, title: str, event: MembershipAdded | MembershipRemoved) -> str:
        if not (event.person_name and event.center_name):
            return f"{actor} {verb} {title} ({_words(event.role.value)})"
        return (
            f"{actor} {verb} {_someone(event.person_name)} {preposition} the "
            f"{one_line(event.center_name, 80)} team ({_words(event.role.value)})"
        )

    return line


PHRASES[MembershipAdded.event_name] = _membership("added", "to")
PHRASES[MembershipRemoved.event_name] = _membership("removed", "from")

KNOWN_EVENT_TYPES = frozenset(PHRASES)


def _title(subject_title: str | None, event: DomainEvent) -> str:
    title = subject_title or event.snapshot_title
    return _quoted(title) if title else "an item"


def _own_summary(event: DomainEvent, name: str, actor: str, title: str) -> str:
    """The event type's own wording; the generic line when it fails (a plugin's defect must not
    break the inbox or mail)."""
    try:
        text = event.summary(actor, title)
    except Exception:
        log.exception("%s.summary failed; using the generic line", type(event).__qualname__)
        return generic_summary(name, actor, title)
    return text if isinstance(text, str) and text.strip() else generic_summary(name, actor, title)


def event_type_name(event: DomainEvent) -> str:
    return event.type_name if isinstance(event, UnknownEvent) else event.event_name


def summarize(
    event: DomainEvent,
    actor_name: str | None,
    subject_title: str | None,
    *,
    changes: bool = True,
) -> str:
    """What happened, in one line of at most 200 characters, with no markup and no line breaks.

    ``subject_title``: the subject's title now, or None when it is gone (then the title the
    event kept is used). ``changes=False`` leaves a change event's old → new values out (mail
    lists them below the line).
    """
    actor = one_line(actor_name, 80) if actor_name and actor_name.strip() else "Someone"
    title = _title(subject_title, event)
    name = event_type_name(event)
    line = PHRASES.get(name) if not isinstance(event, UnknownEvent) else None
    if not changes and isinstance(getattr(event, "changes", None), tuple):
        event = dataclasses.replace(event, changes=())  # type: ignore[type-var]
    text = line(actor, title, event) if line else _own_summary(event, name, actor, title)
    return one_line(text)
