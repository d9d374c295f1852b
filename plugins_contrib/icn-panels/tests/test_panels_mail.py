"""icn-panels through core's mail, to a real SMTP server: the proposer reads the decision and its
reason, the presenter was asked to confirm, and no mail to anyone carries a review's score or
comment (staff watching the session read only that a review was given)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from panels_helpers import (
    CONFIRM,
    DECIDE,
    GRANT,
    REVIEW,
    cast,
    icn_plugins,
    ok,
    propose,
    session_with_open_call,
)

from icn_graph.plugin_api import Database, PluginHost, Settings
from icn_graph.testing import GraphQLClient, SmtpServer, deliver_mail

__all__ = ["icn_plugins"]

PREFERENCES = """mutation {
  updateNotificationPreferences(input: {delivery: IMMEDIATE, quietHoursStart: null,
                                        quietHoursEnd: null}) { userErrors { field } } }"""
SECRET = "SECRET-REVIEW-TEXT"


def flat_text(message: EmailMessage) -> str:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    return " ".join(f"{text.get_content()} {html.get_content()}".split())


async def test_the_decision_is_mailed_and_reviews_never_are(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings)
    people = await cast(db)
    for who in (people.staff, people.committee, people.parent, people.clinician):
        await client.data(PREFERENCES, token=who.token)
    session = await session_with_open_call(client, people.staff)
    await ok(
        client,
        GRANT,
        "grantReviewerRole",
        people.staff,
        learningSessionId=session,
        personId=people.committee.id,
    )
    proposal = await propose(client, people.parent, session, presenters=[people.clinician])
    await ok(client, CONFIRM, "confirmPresenter", people.clinician, proposalId=proposal)
    await ok(
        client, REVIEW, "reviewProposal", people.committee, id=proposal, score=1, comment=SECRET
    )
    await ok(
        client,
        DECIDE,
        "decideProposal",
        people.staff,
        id=proposal,
        decision="DECLINE",
        reason="Not this time: the agenda is full.",
    )
    await client.settle()
    later = datetime.now(UTC) + timedelta(minutes=10)
    assert await deliver_mail(db, settings, plugin_host, now=later) >= 3

    mail = {m.rcpt_tos[0]: flat_text(m.message) for m in smtp.received}
    assert all(SECRET not in body for body in mail.values()), mail
    to_parent = mail[people.parent.person.email]
    assert "Tania Staff declined 'Engaging families in QI: a parent panel'" in to_parent
    assert "Not this time: the agenda is full." in to_parent
    assert "Dr. Sami Reyes confirmed presenting" in to_parent
    assert "reviewed" not in to_parent
    to_presenter = mail[people.clinician.person.email]
    assert "Jamie Rivera asks you to present" in to_presenter
    assert "Tania Staff declined" in to_presenter
    assert "reviewed" not in to_presenter
    to_staff = mail[people.staff.person.email]
    assert "Dr. Beth Cole reviewed 'Engaging families in QI: a parent panel'" in to_staff
    assert "Jamie Rivera proposed 'Engaging families in QI: a parent panel'" in to_staff
    assert people.committee.person.email in mail  # told of the role granted
