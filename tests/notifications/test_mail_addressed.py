"""Mail says "you" to the person an event is about (``mail.addressed``), and only to them."""

from __future__ import annotations

from icn_graph.notifications.mail.addressed import summary_for, to_reader
from icn_graph.notifications.summaries import summarize
from icn_graph.services.learning_sessions.events import (
    RegistrationCancelled,
    RegistrationCreated,
)
from tests.notifications.test_notifications_api_summaries import DANA, REGISTRATION

OTHER = DANA.pk + 1


def test_the_person_an_event_is_about_reads_you_and_everyone_else_their_name() -> None:
    created = RegistrationCreated(**REGISTRATION)
    cancelled = RegistrationCancelled(**REGISTRATION)
    assert summarize(to_reader(created, DANA.pk), "Maria Lopez", None) == (
        "Maria Lopez registered you for 'Spring 2014 Learning Session'"
    )
    assert summarize(to_reader(cancelled, DANA.pk), "Maria Lopez", None) == (
        "Maria Lopez cancelled your registration for 'Spring 2014 Learning Session'"
    )
    assert summarize(to_reader(cancelled, OTHER), "Maria Lopez", None) == (
        "Maria Lopez cancelled Dana Whitfield's registration for 'Spring 2014 Learning Session'"
    )
    # A registration removed since is named as the event kept it, with her name.
    assert summary_for(cancelled, DANA.pk, "Maria Lopez", None) == (
        "Maria Lopez cancelled your registration for 'Spring 2014 Learning Session'"
    )
