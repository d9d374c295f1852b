"""Roll-up: the subject a person follows that a notification belongs to, for mail threads.

People follow Learning Sessions, goals and centers, not each registration or key result. A
notification's mail is batched, threaded and unsubscribed on its *followed subject*:

- the subject of the follow that made the person hear of the event: the event's subject when
  they follow it, else the container they watch (a session watcher's mail about an agenda item
  or a registration threads on the session; a center watcher's about a goal on the center);
- for someone who hears because the event is about them (no follow decided), the event's
  subject, or its container when the subject is a part of it (:data:`PARTS`).

So a burst of 5 registrations is one mail to a session's watcher, every mail about the session
is one thread, and "Stop mail about this Learning Session" mutes the session, which stops the
next registration's mail too.
"""

from __future__ import annotations

from collections.abc import Sequence

from icn_graph.errors import BadInput
from icn_graph.ids import parse_global_id

# Types that only exist inside their container: a registration (its Learning Session), a key
# result and a check-in (their goal). Their events thread on the container.
PARTS = frozenset({"Registration", "KeyResult", "CheckIn"})


def _type_of(subject_id: str) -> str | None:
    try:
        return parse_global_id(subject_id)[0]
    except BadInput:
        return None


def followed_subject(chain: Sequence[str], followed: str | None) -> str:
    """The subject a notification rolls up to. ``chain`` is the event's subject and what
    contains it, nearest first; ``followed`` the subject of the follow that decided the person
    hears of it (None when they hear because it is about them)."""
    if followed is not None:
        return followed
    subject = chain[0]
    if _type_of(subject) in PARTS and len(chain) > 1:
        return chain[1]
    return subject
