"""From committed events to ``threadActivity``: what each event means for a thread's
subscribers (called by the plugin's ``on_event``, after the commit)."""

from __future__ import annotations

from icn_codesign.draft_live import draft_activity
from icn_codesign.events import Invited, Left, MessageEdited, MessageHidden, MessagePosted
from icn_codesign.live import Activity, ActivityHub, ActivityKind, hub_for
from icn_graph.plugin_api import Database, Event, MembershipRemoved


def hub_of(db: Database) -> ActivityHub:
    return hub_for(db.engine.url.render_as_string(hide_password=True))


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


def deliver(db: Database, event: Event) -> None:
    """Hand ``event`` to the subscribers it concerns in this process."""
    hub = hub_of(db)
    activity = activity_of(event)
    if activity is not None:
        hub.publish(activity)
    if isinstance(event.data, Left):
        hub.recheck(thread_id=event.data.thread.pk, person_id=event.data.leaver.pk)
    elif isinstance(event.data, MembershipRemoved):
        hub.recheck(person_id=event.data.person.pk)
