"""What ``threadActivity`` subscribers hear: activity in a thread, as it is committed.

The plugin's ``on_event`` publishes each committed event about a thread (see ``live_events``)
on core's live topics: ``codesign.thread.<id>`` for the thread's activity, and
``codesign.person.<id>`` to ask a person's subscriptions to *recheck* (their membership of a
center was removed). Every item makes a subscription check the audience rules again, and it
ends once they no longer let the person see the thread (so leaving a thread, whose activity is
``PARTICIPANT_LEFT``, ends the leaver's).

On PostgreSQL topics travel between processes (``LISTEN``/``NOTIFY``): a subscriber on one API
process hears what was committed through another, or swept by a worker. On SQLite only this
process's subscribers hear. Messages carry ids only; what is sent is read as the subscriber.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime


class ActivityKind(enum.StrEnum):
    """What happened in a thread. The drafts module adds its kinds here."""

    MESSAGE_POSTED = "MESSAGE_POSTED"
    MESSAGE_EDITED = "MESSAGE_EDITED"
    MESSAGE_HIDDEN = "MESSAGE_HIDDEN"
    PARTICIPANT_JOINED = "PARTICIPANT_JOINED"
    PARTICIPANT_LEFT = "PARTICIPANT_LEFT"
    # Drafts and decisions (draft_live.py):
    DRAFT_REVISED = "DRAFT_REVISED"
    REVISION_AGREED = "REVISION_AGREED"
    DRAFT_FINALISED = "DRAFT_FINALISED"
    DECISION_RECORDED = "DECISION_RECORDED"


@dataclass(frozen=True)
class Activity:
    """Something that happened in thread ``thread_id``; ``subject_id`` is the global ID of what
    it is about (the message, the person who joined or left)."""

    thread_id: int
    kind: ActivityKind
    subject_id: str | None
    occurred_at: datetime

    def encode(self) -> str:
        return json.dumps(
            {
                "thread": self.thread_id,
                "kind": self.kind.value,
                "subject": self.subject_id,
                "at": self.occurred_at.isoformat(),
            }
        )


@dataclass(frozen=True)
class Recheck:
    """Not activity: check again that the subscriber ``person_id`` may still see the thread."""

    person_id: int

    def encode(self) -> str:
        return json.dumps({"recheck": self.person_id})


def thread_topic(thread_id: int) -> str:
    return f"codesign.thread.{thread_id}"


def person_topic(person_id: int) -> str:
    return f"codesign.person.{person_id}"


def decode(message: str) -> Activity | Recheck | None:
    """The item a topic message carries; None for one this version does not read."""
    try:
        data = json.loads(message)
        if "recheck" in data:
            return Recheck(int(data["recheck"]))
        subject = data["subject"]
        return Activity(
            thread_id=int(data["thread"]),
            kind=ActivityKind(data["kind"]),
            subject_id=str(subject) if subject is not None else None,
            occurred_at=datetime.fromisoformat(data["at"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
