"""From committed events to ``threadActivity``: what each event means for a thread's
subscribers (called by the plugin's ``on_event``, after the commit)."""

from __future__ import annotations

from icn_codesign.draft_live import draft_activity
from icn_codesign.events import Invited, Left, MessageEdited, MessageHidden, MessagePosted
from icn_codesign.live import Activity, ActivityKind, Recheck, person_topic, thread_topic
from icn_graph.plugin_api import Database, Event, MembershipRemoved, publish_topic


def activity_of(event: Event) -> Activity | None:
    data = event.data
    when = event.occurred_at
    match data:
        case MessagePosted():
            kind, thread, subject = ActivityKind.MESSAGE_POSTED, data.thread, data.message
        case MessageEdited():
            kind, thread, subject = ActivityKind.MESSAGE_EDITED, data.thread, data.message
        case MessageHidden():
            kind, thread, subject = ActivityKind.MESSAGE_HIDDEN, data.thread, data.message
        case Invited():
            kind, thread, subject = ActivityKind.PARTICIPANT_JOINED, data.thread, data.person
        case Left():
            kind, thread, subject = ActivityKind.PARTICIPANT_LEFT, data.thread, data.leaver
        case _:
            return draft_activity(event)
    return Activity(thread.pk, kind, subject.global_id, when)


async def deliver(db: Database, event: Event) -> None:
    """Publish what ``event`` means for ``threadActivity`` subscribers, in every API process."""
    activity = activity_of(event)
    if activity is not None:
        await publish_topic(db, thread_topic(activity.thread_id), activity.encode())
    if isinstance(event.data, MembershipRemoved):
        person = event.data.person.pk
        await publish_topic(db, person_topic(person), Recheck(person).encode())
