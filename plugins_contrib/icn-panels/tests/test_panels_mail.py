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
    INVITE,
    RESPOND,
    REVIEW,
    cast,
    icn_plugins,
    ok,
    propose,
    session_with_open_call,
)
from test_panels_scheduling import SCHEDULE, prepped

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


def mail_by_recipient(smtp: SmtpServer) -> dict[str, str]:
    """Every mail each recipient received, as one text (a panel's presenter also hears of its
    co-design thread, in a mail of its own)."""
    mail: dict[str, str] = {}
    for message in smtp.received:
        mail[message.rcpt_tos[0]] = (
            f"{mail.get(message.rcpt_tos[0], '')} {flat_text(message.message)}"
        )
    return mail


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

    mail = mail_by_recipient(smtp)
    assert all(SECRET not in body for body in mail.values()), mail
    to_parent = mail[people.parent.person.email]
    assert "Tania Staff declined 'Engaging families in QI: a parent panel'" in to_parent
    assert "Not this time: the agenda is full." in to_parent
    assert "Dr. Sami Reyes confirmed presenting" in to_parent
    assert "reviewed" not in to_parent
    to_presenter = mail[people.clinician.person.email]
    assert "Jamie Rivera asks you to present" in to_presenter
    # Proposal mail has the title of the panel's thread but takes no replies: it says so.
    assert "Replies to this email are not read." in to_presenter
    assert "Tania Staff declined" in to_presenter
    assert "reviewed" not in to_presenter
    to_staff = mail[people.staff.person.email]
    assert "Dr. Beth Cole reviewed 'Engaging families in QI: a parent panel'" in to_staff
    assert "Jamie Rivera proposed 'Engaging families in QI: a parent panel'" in to_staff
    assert people.committee.person.email in mail  # told of the role granted


async def test_the_invited_panelist_and_the_proposer_are_mailed(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings)
    people = await cast(db)
    for who in (people.parent, people.clinician, people.qi_lead):
        await client.data(PREFERENCES, token=who.token)
    session = await session_with_open_call(client, people.staff)
    proposal = await propose(client, people.parent, session)
    asked = {"proposalId": proposal, "role": "PANELIST"}
    one = await ok(client, INVITE, "invitePanelist", people.parent, personId=people.clinician.id,
                   message="Your clinic's story would help.", **asked)  # fmt: skip
    two = await ok(client, INVITE, "invitePanelist", people.staff, personId=people.qi_lead.id,
                   **asked)  # fmt: skip
    await ok(client, RESPOND, "respondToInvitation", people.clinician,
             invitationId=one["invitation"]["id"], accept=True)  # fmt: skip
    await ok(client, RESPOND, "respondToInvitation", people.qi_lead,
             invitationId=two["invitation"]["id"], accept=False,
             reason="I am away that week.")  # fmt: skip
    await client.settle()
    later = datetime.now(UTC) + timedelta(minutes=10)
    assert await deliver_mail(db, settings, plugin_host, now=later) >= 3

    mail = mail_by_recipient(smtp)
    title = "'Engaging families in QI: a parent panel'"
    to_clinician = mail[people.clinician.person.email]
    # Each invited person reads "you" (the proposer, their name).
    assert f"Jamie Rivera invited you to sit on the panel: {title}" in to_clinician
    assert "Your clinic's story would help." in to_clinician
    to_qi_lead = mail[people.qi_lead.person.email]
    assert f"Tania Staff invited you to sit on the panel: {title}" in to_qi_lead
    to_parent = mail[people.parent.person.email]
    assert f"Dr. Sami Reyes accepted sitting on the panel: {title}" in to_parent
    assert f"Jennie Quinn declined sitting on the panel: {title}" in to_parent
    assert "I am away that week." in to_parent
    assert "Tania Staff invited Jennie Quinn" in to_parent  # the proposer follows the panel


async def test_scheduling_mail_says_when_and_where_in_the_readers_time(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings).model_copy(update={"app_url": ""})
    people = await cast(db)
    await client.data(PREFERENCES, token=people.clinician.token)
    session = await session_with_open_call(client, people.staff, year=2027)
    proposal = await prepped(client, people, session)
    await client.settle()
    await deliver_mail(db, settings, plugin_host, now=datetime.now(UTC) + timedelta(minutes=10))
    when = {"startsAt": "2027-04-10T10:00:00", "endsAt": "2027-04-10T11:00:00"}
    await ok(client, SCHEDULE, "scheduleProposal", people.staff, id=proposal, room="Salon D",
             **when)  # fmt: skip
    await client.settle()
    later = datetime.now(UTC) + timedelta(hours=1)
    assert await deliver_mail(db, settings, plugin_host, now=later) >= 1

    # The clinician (New York) is on the item and presents the proposal: both mails say it.
    to_clinician = mail_by_recipient(smtp)[people.clinician.person.email]
    assert "Tania Staff added you to 'A parent panel' as panelist" in to_clinician
    assert "Tania Staff put 'A parent panel' on the agenda" in to_clinician
    ours = "When: Sat 10 Apr 2027, 11:00 AM EDT to 12:00 PM EDT (America/New_York)"
    theirs = "Sat 10 Apr 2027, 10:00 AM CDT to 11:00 AM CDT (America/Chicago) at the session"
    for line in (ours, theirs, "Where: Salon D, Hyatt Regency Chicago", "Session: Spring 2027"):
        assert to_clinician.count(line) == 4, line  # two mails, text and HTML
    # Without ICN_APP_URL the subject's link is the API's explorer: no text points at it.
    assert "link above" not in to_clinician
