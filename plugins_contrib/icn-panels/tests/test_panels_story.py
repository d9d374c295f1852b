"""The whole story, through the HTTP API as the people in it, with the mail it sends checked in a
real SMTP server: a parent proposes a panel with a clinician; the committee reviews it (never seen
by the parent); staff accept it with coaching; the stages go by, one slipping and alerting its
owner and coach; a moderator and a patient panelist are invited and accept; the co-design
thread's drafts become the panel's objectives and call to action; staff schedule it without
conflicts and it is delivered; attendees answer the feedback survey (a group under 5 hidden);
three centers' QI leads adopt the call to action as 90-day goals, and the panel page shows them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from panels_helpers import (
    ADVANCE,
    CONFIRM,
    DECIDE,
    GRANT,
    INVITE,
    RESPOND,
    REVIEW,
    Member,
    cast,
    icn_plugins,
    member,
    ok,
    propose,
    session_with_open_call,
)
from test_panels_adoptions import ADOPT, PAGE
from test_panels_feedback import RESULTS, SCORES
from test_panels_mail import PREFERENCES, mail_by_recipient
from test_panels_panelists import AGREE, FINALISE, PANEL, REVISE
from test_panels_scheduling import SCHEDULE, slot

from icn_graph.plugin_api import CenterRole, Database, PersonKind, PluginHost, Settings
from icn_graph.testing import GraphQLClient, SmtpServer, Worker, deliver_mail, make_center

__all__ = ["icn_plugins"]

SECRET = "COMMITTEE-ONLY: strong, but coach the call to action."
OBJECTIVES = "Every care team leaves able to name two ways parents joined QI at other centers."
# Written over several lines, as a finalised draft is: the goal's one-line aim joins them.
CALL = """**Ask one family this month.** Every center:

- invites one parent or patient to its QI team, at a time they can make;
- writes it down as a 90-day goal."""
AIM = (
    "**Ask one family this month.** Every center: invites one parent or patient to its QI "
    "team, at a time they can make; writes it down as a 90-day goal."
)
ANSWER_FEEDBACK = """mutation($input: AnswerFeedbackInput!) {
  answerFeedback(input: $input) { userErrors { field message code } } }"""
REVIEWS = """query($id: ID!) { node(id: $id) { ... on Proposal { reviews { comment }
  viewerCanSeeReviews } } }"""


async def deliver(db: Database, settings: Settings, plugins: PluginHost) -> None:
    later = datetime.now(UTC) + timedelta(minutes=10)
    while await deliver_mail(db, settings, plugins, now=later):
        pass


async def test_a_parent_panel_from_proposal_to_three_centers_goals(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings)
    people = await cast(db)
    moderator = await member(db, "Camila Ali", PersonKind.CLINICIAN)
    patient = await member(db, "Riley Chen", PersonKind.PATIENT_PARTNER)
    leads = [people.qi_lead]
    for city in ("Seattle", "Columbus"):
        center = await make_center(db, name=f"{city} Children's Hospital")
        leads.append(
            await member(db, f"QI lead of {city}", PersonKind.QI_LEAD, center=center,
                         role=CenterRole.QI_LEAD)
        )  # fmt: skip
    everyone = (people.staff, people.committee, people.parent, people.clinician, moderator)
    for who in (*everyone, patient):
        await client.data(PREFERENCES, token=who.token)

    # A parent proposes a panel with a clinician; staff open the call and name the committee.
    session = await session_with_open_call(client, people.staff)
    await ok(client, GRANT, "grantReviewerRole", people.staff,
             learningSessionId=session, personId=people.committee.id)  # fmt: skip
    panel = await propose(
        client, people.parent, session, presenters=[people.parent, people.clinician],
        title="Parents as partners: engaging families in QI",
    )  # fmt: skip
    await ok(client, CONFIRM, "confirmPresenter", people.clinician, proposalId=panel)

    # The committee reviews it; its people never see the review.
    await ok(client, REVIEW, "reviewProposal", people.committee, id=panel, score=4, comment=SECRET)
    for who in (people.parent, people.clinician):
        seen = (await client.data(REVIEWS, {"id": panel}, token=who.token))["node"]
        assert seen == {"reviews": None, "viewerCanSeeReviews": False}
    await ok(client, DECIDE, "decideProposal", people.staff, id=panel,
             decision="ACCEPT_WITH_COACHING", reason="Coach the call to action.")  # fmt: skip

    # The outline is done on time; the coaching stage slips (due 2014-02-27) and the worker's
    # overdue job alerts its owner (the parent) and coach (staff), once.
    await ok(client, ADVANCE, "advanceStage", people.parent, proposalId=panel, evidence="Outline")
    await client.settle()
    worker = Worker(settings, db, plugin_host)
    assert (await worker.tick(now=datetime(2014, 2, 28, 9, tzinfo=UTC))).jobs == 1
    assert (await worker.tick(now=datetime(2014, 3, 1, 9, tzinfo=UTC))).jobs == 0
    await worker.dispatcher.drain()

    # A moderator and a patient panelist are invited, and accept.
    for who, role in ((moderator, "MODERATOR"), (patient, "PANELIST")):
        invited = await ok(client, INVITE, "invitePanelist", people.parent,
                           proposalId=panel, personId=who.id, role=role)  # fmt: skip
        await ok(client, RESPOND, "respondToInvitation", who,
                 invitationId=invited["invitation"]["id"], accept=True)  # fmt: skip

    # The co-design thread's drafts are agreed and finalised: the panel's texts come from them.
    thread = (await client.data(PANEL, {"id": panel}, token=people.parent.token))["node"]["thread"]
    for name, body in (("Objectives", OBJECTIVES), ("Call to action", CALL)):
        written = await client.data(
            REVISE, {"input": {"threadId": thread["id"], "name": name, "body": body}},
            token=people.parent.token,
        )  # fmt: skip
        revision = written["reviseDraft"]["revision"]["id"]
        agreed = await client.data(AGREE, {"id": revision}, token=patient.token)
        assert agreed["agreeToRevision"]["userErrors"] == []
        draft = written["reviseDraft"]["draft"]["id"]
        final = await client.data(FINALISE, {"id": draft}, token=people.parent.token)
        assert final["finaliseDraft"]["userErrors"] == []
    await client.settle()
    shown = (await client.data(PANEL, {"id": panel}, token=patient.token))["node"]
    assert (shown["objectives"], shown["callToAction"]) == (OBJECTIVES, CALL)
    assert {(p["role"], p["state"], p["partnerRole"]) for p in shown["panelists"]} == {
        ("MODERATOR", "ACCEPTED", None),
        ("PANELIST", "ACCEPTED", "PATIENT_PARTNER"),
    }

    # Coached and prepped late, then scheduled without conflicts: its people are on the item.
    for evidence in ("Coached draft", "Slides"):
        await ok(client, ADVANCE, "advanceStage", people.staff, proposalId=panel,
                 evidence=evidence)  # fmt: skip
    scheduled = await client.data(
        SCHEDULE, {"input": slot(panel, "2014-04-10T10:00", "2014-04-10T11:00")},
        token=people.staff.token,
    )  # fmt: skip
    assert scheduled["scheduleProposal"]["userErrors"] == []
    item = scheduled["scheduleProposal"]["agendaItem"]["id"]
    await ok(client, ADVANCE, "advanceStage", people.parent, proposalId=panel,
             rehearsalOn="2014-04-03")  # fmt: skip
    delivered = await ok(client, ADVANCE, "advanceStage", people.staff, proposalId=panel)
    assert delivered["proposal"]["currentStage"] is None

    # Feedback: 6 care-team members and 3 parents answer; the parents' group is hidden, and
    # nothing shown lets anyone work it out.
    crowd = [await member(db, f"Nurse {n}", PersonKind.NURSE) for n in range(6)]
    parents = [await member(db, f"Parent {n}", PersonKind.PARENT_PARTNER) for n in range(3)]
    for who in (*crowd, *parents):
        answered = await client.data(
            ANSWER_FEEDBACK,
            {"input": {"learningSessionId": session, **SCORES,
                       "ratings": [{"agendaItemId": item, "score": 5}]}},
            token=who.token,
        )  # fmt: skip
        assert answered["answerFeedback"]["userErrors"] == []
    results = (await client.data(RESULTS, {"id": session}, token=people.parent.token))["node"]
    for table in (*results["feedback"]["community"], *results["feedback"]["agendaItems"]):
        groups = {g["role"]: g for g in table["byRole"]}
        assert groups["PARENT_PARTNER"]["suppressed"] is True
        assert groups["PARENT_PARTNER"]["count"] is None
        if not table["overall"]["suppressed"]:
            shown_sum = sum(g["count"] for g in groups.values() if not g["suppressed"])
            assert table["overall"]["count"] - shown_sum >= 5
    assert results["feedback"]["comments"] is None  # the parent is not staff

    # Three centers' QI leads adopt the call to action as 90-day goals; the panel page shows them.
    for lead in leads:
        centers = await _adoptable(client, panel, lead)
        assert len(centers) == 1
        adopted = await client.data(
            ADOPT, {"input": {"proposalId": panel, "centerId": centers[0]}}, token=lead.token
        )
        payload = adopted["adoptCallToAction"]
        assert payload["userErrors"] == []
        assert payload["goal"]["aim"] == AIM
        assert payload["goal"]["adoptedFrom"]["callToAction"] == CALL
    page = (await client.data(PAGE, {"id": panel}, token=people.parent.token))["node"]
    assert len(page["adoptions"]) == 3
    assert {a["status"] for a in page["adoptions"]} == {"ON_TRACK"}

    # The mail: the decision, the alert, the invitations, the adoptions; never the review.
    await client.settle()
    await deliver(db, settings, plugin_host)
    mail = mail_by_recipient(smtp)
    assert all(SECRET not in body for body in mail.values())
    to_parent = mail[people.parent.person.email]
    assert "accepted" in to_parent
    assert "Coach the call to action." in to_parent
    assert "overdue" in to_parent.lower()
    assert "adopted the call to action" in to_parent
    assert "overdue" in mail[people.staff.person.email].lower()  # the coach
    assert "invited" in mail[moderator.person.email]
    assert "invited" in mail[patient.person.email]


async def _adoptable(client: GraphQLClient, panel: str, lead: Member) -> list[str]:
    query = """query($id: ID!) { node(id: $id) { ... on Proposal {
      viewerCanAdopt viewerAdoptableCenters { id } } } }"""
    found: dict[str, Any] = (await client.data(query, {"id": panel}, token=lead.token))["node"]
    assert found["viewerCanAdopt"] is True
    return [center["id"] for center in found["viewerAdoptableCenters"]]
