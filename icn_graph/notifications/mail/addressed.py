"""Mail speaks to its reader: an event about the person reading it ("Sam invited Priya Raman to
...", in Priya's own mail) is summarized with "you" for them ("Sam invited you to ...").

Only events that name their person in both ``person`` (a Person) and ``person_name`` are
worded so: core's agenda, registration and membership events, and plugins' alike (icn-codesign's
invitations, icn-panels' panelist invitations). Other ways an event names the reader (a
``panelist_name`` that starts the sentence, an actor) keep the name.
"""

from __future__ import annotations

import dataclasses

from icn_graph.events import DomainEvent, SubjectRef
from icn_graph.notifications.summaries import YOU, summarize


def to_reader(event: DomainEvent, reader_id: int) -> DomainEvent:
    """``event`` with its ``person_name`` "you" when its ``person`` is the reader."""
    person = getattr(event, "person", None)
    name = getattr(event, "person_name", None)
    about_reader = (
        isinstance(person, SubjectRef) and person.type == "Person" and person.pk == reader_id
    )
    if not about_reader or not isinstance(name, str) or not dataclasses.is_dataclass(event):
        return event
    return dataclasses.replace(event, person_name=YOU)


def summary_for(
    event: DomainEvent, reader_id: int, actor_name: str | None, subject_title: str | None
) -> str:
    """The mail's line for ``event`` as its reader reads it (no change values: mail lists
    them). A subject gone is named as the event kept it, never "you's registration"."""
    title = subject_title if subject_title is not None else event.snapshot_title
    return summarize(to_reader(event, reader_id), actor_name, title, changes=False)
