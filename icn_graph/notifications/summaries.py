"""One plain-text line saying what happened, for the app's notification list and mail subjects.

``summarize("goal.checked_in", payload, "Maria Lopez", "Reduce steroid use")`` gives
"Maria Lopez checked in on 'Reduce steroid use': on track, confidence 7/10". Types without a
phrase here (plugins' events) get a generic line built from the type's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

MAX_LENGTH = 200
_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")

Phrase = Callable[[str, str, Mapping[str, Any]], str]


def one_line(text: str, limit: int = MAX_LENGTH) -> str:
    """``text`` with line breaks and control characters folded into single spaces, capped."""
    flat = _SPACE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _words(value: object) -> str:
    """An enum value for people: ``ON_TRACK`` -> ``on track``."""
    return str(value).replace("_", " ").lower()


def _changed(payload: Mapping[str, Any]) -> str:
    """`` (title, room)`` from the payload's list of changed fields, or nothing."""
    fields = payload.get("fields") or payload.get("changed") or []
    if not isinstance(fields, list | tuple) or not fields:
        return ""
    names = [re.sub(r"(?<!^)([A-Z])", r" \1", str(name)).lower() for name in fields[:5]]
    return f" ({', '.join(names)})"


def _check_in(actor: str, title: str, payload: Mapping[str, Any]) -> str:
    details = []
    if payload.get("status"):
        details.append(_words(payload["status"]))
    if isinstance(payload.get("confidence"), int | float):
        details.append(f"confidence {payload['confidence']}/10")
    suffix = f": {', '.join(details)}" if details else ""
    return f"{actor} checked in on {title}{suffix}"


def _closed(actor: str, title: str, payload: Mapping[str, Any]) -> str:
    outcome = payload.get("outcome")
    if outcome == "DONE":
        return f"{actor} marked {title} done"
    if outcome == "DROPPED":
        return f"{actor} dropped {title}"
    return f"{actor} closed {title}"


def _learning_session_created(actor: str, title: str, payload: Mapping[str, Any]) -> str:
    return f"{actor} created the Learning Session {title}"


def _assigned(actor: str, title: str, payload: Mapping[str, Any]) -> str:
    part = payload.get("part")
    role = f" as {_words(part)}" if part else ""
    return f"{actor} added someone to {title}{role}"


def _registration(verb: str) -> Phrase:
    def phrase(actor: str, title: str, payload: Mapping[str, Any]) -> str:
        part = payload.get("part")
        role = f" as {_words(part)}" if part and part != "ATTENDEE" else ""
        return f"{actor} {verb}{role}: {title}"

    return phrase


def _attendance(actor: str, title: str, payload: Mapping[str, Any]) -> str:
    mark = "attended" if payload.get("attended") else "did not attend"
    return f"{actor} marked {title}: {mark}"


def _membership(verb: str) -> Phrase:
    def phrase(actor: str, title: str, payload: Mapping[str, Any]) -> str:
        role = payload.get("role")
        suffix = f" ({_words(role)})" if role else ""
        return f"{actor} {verb} {title}{suffix}"

    return phrase


def _simple(template: str) -> Phrase:
    def phrase(actor: str, title: str, payload: Mapping[str, Any]) -> str:
        return template.format(actor=actor, title=title)

    return phrase


def _updated(template: str) -> Phrase:
    def phrase(actor: str, title: str, payload: Mapping[str, Any]) -> str:
        return template.format(actor=actor, title=title) + _changed(payload)

    return phrase


PHRASES: dict[str, Phrase] = {
    "goal.created": _simple("{actor} set a new goal: {title}"),
    "goal.updated": _updated("{actor} updated {title}"),
    "goal.archived": _simple("{actor} archived {title}"),
    "goal.checked_in": _check_in,
    "goal.closed": _closed,
    "key_result.added": _simple("{actor} added the key result {title}"),
    "key_result.updated": _updated("{actor} updated the key result {title}"),
    "learning_session.created": _learning_session_created,
    "learning_session.updated": _updated("{actor} updated {title}"),
    "agenda_item.added": _simple("{actor} added {title} to the agenda"),
    "agenda_item.updated": _updated("{actor} changed {title} on the agenda"),
    "agenda_item.removed": _simple("{actor} removed {title} from the agenda"),
    "agenda_item.assigned": _assigned,
    "agenda_item.unassigned": _simple("{actor} took someone off {title}"),
    "registration.created": _registration("registered"),
    "registration.cancelled": _registration("cancelled a registration"),
    "registration.attendance_marked": _attendance,
    "membership.added": _membership("added"),
    "membership.removed": _membership("removed"),
    "center.created": _simple("{actor} added the center {title}"),
    "center.updated": _updated("{actor} updated {title}"),
    "person.created": _simple("{actor} created an account for {title}"),
}

KNOWN_EVENT_TYPES = frozenset(PHRASES)


def _title(subject_title: str | None, payload: Mapping[str, Any]) -> str:
    title = subject_title or payload.get("title")
    return f"'{one_line(str(title), 120)}'" if title else "an item"


def _generic(event_type: str, actor: str, title: str) -> str:
    words = event_type.replace(".", " ").replace("_", " ").strip()
    return f"{actor}: {words} on {title}" if title != "an item" else f"{actor}: {words}"


def summarize(
    event_type: str, payload: Mapping[str, Any], actor_name: str | None, subject_title: str | None
) -> str:
    """What happened, in one line of at most 200 characters, with no markup and no line breaks."""
    actor = one_line(actor_name, 80) if actor_name and actor_name.strip() else "Someone"
    title = _title(subject_title, payload)
    phrase = PHRASES.get(event_type)
    try:
        text = phrase(actor, title, payload) if phrase else _generic(event_type, actor, title)
    except (TypeError, ValueError, KeyError):  # a payload shaped otherwise than ours
        text = _generic(event_type, actor, title)
    return one_line(text)
