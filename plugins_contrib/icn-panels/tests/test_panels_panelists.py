"""A panel's moderator and panelists, through the HTTP API: who may invite and answer (every
role), the invitation flow and its refusals (each naming its field), the co-design thread the
panel starts with (two drafts) and the texts its final drafts set, and the agenda item a
scheduled panel becomes, its moderator and panelists on it with their partner role."""

from __future__ import annotations

from typing import Any

import icn_panels.plugin
import pytest
from icn_codesign.hooks import FinalisedDraft
from panels_helpers import (
    ADVANCE,
    ASSIGN,
    CONFIRM,
    DECIDE,
    GRANT,
    INVITE,
    RESPOND,
    Cast,
    Member,
    cast,
    icn_plugins,
    member,
    ok,
    propose,
    session_with_open_call,
)
from sqlalchemy import text
from test_panels_pipeline import outcome, token
from test_panels_scheduling import SCHEDULE, slot

from icn_graph.plugin_api import (
    Database,
    PersonKind,
    PluginHost,
    Settings,
    to_global_id,
    utcnow,
)
from icn_graph.testing import GraphQLClient

__all__ = ["icn_plugins"]

ROLES = ("anonymous", "outsider", "parent", "clinician", "staff", "committee")

PANEL = """query($id: ID!) { node(id: $id) { ... on Proposal {
  objectives callToAction viewerCanInvitePanelist
  panelists { id role state reason partnerRole person { displayName } viewerCanRespond }
  thread { id title audience subjectId participants { person { displayName } }
           drafts { id name kind status latestRevision { id body } } } } } }"""

NODE = """query($id: ID!) { node(id: $id) { id ... on PanelInvitation { role state
  proposal { id } } } }"""

REVISE = """mutation($input: ReviseDraftInput!) { reviseDraft(input: $input) {
  revision { id } draft { id } userErrors { field code } } }"""
AGREE = """mutation($id: ID!) { agreeToRevision(input: {id: $id}) {
  userErrors { field code } } }"""
FINALISE = """mutation($id: ID!) { finaliseDraft(input: {id: $id}) {
  draft { status } userErrors { field code } } }"""


async def panel_with_committee(client: GraphQLClient, people: Cast) -> tuple[str, str]:
    """The parent's panel (the parent presenting), the committee granted; (session, panel)."""
    session = await session_with_open_call(client, people.staff)
    await ok(
        client, GRANT, "grantReviewerRole", people.staff,
        learningSessionId=session, personId=people.committee.id,
    )  # fmt: skip
    proposal = await propose(client, people.parent, session, presenters=[people.parent])
    return session, proposal


async def invite(
    client: GraphQLClient, who: Member | None, proposal: str, person: Member, role: str, **more: Any
) -> dict[str, Any]:
    variables = {"input": {"proposalId": proposal, "personId": person.id, "role": role, **more}}
    body: dict[str, Any] = (
        await client.post(INVITE, variables, token=who.token if who else None)
    ).json()
    return body


async def respond(
    client: GraphQLClient, who: str | None, invitation: str, accept: bool, reason: str = ""
) -> dict[str, Any]:
    variables = {"input": {"invitationId": invitation, "accept": accept, "reason": reason}}
    body: dict[str, Any] = (await client.post(RESPOND, variables, token=who)).json()
    return body


async def panel(client: GraphQLClient, proposal: str, who: Member) -> dict[str, Any]:
    data = await client.data(PANEL, {"id": proposal}, token=who.token)
    found: dict[str, Any] = data["node"]
    return found


async def test_who_may_invite_panelists(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    _, proposal = await panel_with_committee(client, people)
    # The clinician is invited already: they see the proposal, but may not invite.
    await ok(client, INVITE, "invitePanelist", people.parent, proposalId=proposal,
             personId=people.clinician.id, role="PANELIST")  # fmt: skip
    want = {
        "anonymous": "UNAUTHENTICATED",
        "outsider": "NOT_FOUND",
        "parent": "ok",
        "clinician": "FORBIDDEN",
        "staff": "ok",
        "committee": "FORBIDDEN",
    }
    for n, role in enumerate(ROLES):
        guest = await member(db, f"Guest {n}", PersonKind.PATIENT_PARTNER)
        variables = {"input": {"proposalId": proposal, "personId": guest.id, "role": "PANELIST"}}
        body = (await client.post(INVITE, variables, token=token(people, role))).json()
        assert outcome(body, "invitePanelist") == want[role], (role, body)
        can = await client.post(PANEL, {"id": proposal}, token=token(people, role))
        node = can.json()["data"]["node"] if role != "anonymous" else None
        if node is not None:
            assert node["viewerCanInvitePanelist"] == (want[role] == "ok"), role
    # An owner or coach of one of its stages may invite too, once accepted.
    await ok(client, DECIDE, "decideProposal", people.staff, id=proposal,
             decision="ACCEPT_WITH_COACHING")  # fmt: skip
    await ok(client, ASSIGN, "assignStage", people.staff, proposalId=proposal, stage="OUTLINE",
             coachId=people.qi_lead.id)  # fmt: skip
    coached = await invite(client, people.qi_lead, proposal, people.outsider, "MODERATOR")
    assert outcome(coached, "invitePanelist") == "ok"


async def test_only_the_person_invited_answers(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    _, proposal = await panel_with_committee(client, people)
    payload = await ok(client, INVITE, "invitePanelist", people.parent, proposalId=proposal,
                       personId=people.clinician.id, role="MODERATOR")  # fmt: skip
    invitation = payload["invitation"]["id"]
    want = {
        "anonymous": "UNAUTHENTICATED",
        "outsider": "NOT_FOUND",
        "parent": "FORBIDDEN",
        "staff": "FORBIDDEN",
        "committee": "FORBIDDEN",
    }
    for role, expected in want.items():
        body = await respond(client, token(people, role), invitation, True)
        assert outcome(body, "respondToInvitation") == expected, (role, body)
    body = await respond(client, people.clinician.token, invitation, True)
    assert outcome(body, "respondToInvitation") == "ok"
    # The invitation reads like the proposal: not for the outsider.
    for role, seen in (("outsider", False), ("committee", True), ("parent", True)):
        read = (await client.post(NODE, {"id": invitation}, token=token(people, role))).json()
        assert (read["data"]["node"] is not None) == seen, role
        if not seen:
            assert read["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_the_invitation_flow_and_its_refusals(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    session, proposal = await panel_with_committee(client, people)
    patient = await member(db, "Riley Chen", PersonKind.PATIENT_PARTNER)
    moderator = await ok(client, INVITE, "invitePanelist", people.parent, proposalId=proposal,
                         personId=people.qi_lead.id, role="MODERATOR",
                         message="Would you moderate?")  # fmt: skip
    assert moderator["invitation"]["state"] == "PENDING"
    assert moderator["invitation"]["message"] == "Would you moderate?"
    assert moderator["invitation"]["viewerCanRespond"] is False  # the proposer asked
    invited = await ok(client, INVITE, "invitePanelist", people.staff, proposalId=proposal,
                       personId=patient.id, role="PANELIST")  # fmt: skip
    assert invited["invitation"]["partnerRole"] == "PATIENT_PARTNER"
    second = await ok(client, INVITE, "invitePanelist", people.parent, proposalId=proposal,
                      personId=people.clinician.id, role="MODERATOR")  # fmt: skip

    refusals = [
        ({"personId": patient.id, "role": "PANELIST"}, ("personId", "CONFLICT")),
        (
            {"personId": to_global_id("Person", 999_999), "role": "PANELIST"},
            ("personId", "NOT_FOUND"),
        ),
        (
            {"personId": people.committee.id, "role": "PANELIST", "message": "x" * 2001},
            ("message", "TOO_LONG"),
        ),
    ]
    for fields, error in refusals:
        refused = await client.post(
            INVITE, {"input": {"proposalId": proposal, **fields}}, token=people.parent.token
        )
        errors = refused.json()["data"]["invitePanelist"]["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [error], fields

    declined = await respond(client, patient.token, invited["invitation"]["id"], False)
    assert outcome(declined, "respondToInvitation") == "userErrors:reason:REQUIRED"
    body = await respond(client, patient.token, invited["invitation"]["id"], False, "Exams.")
    answer = body["data"]["respondToInvitation"]["invitation"]
    assert (answer["state"], answer["reason"]) == ("DECLINED", "Exams.")
    again = await respond(client, patient.token, invited["invitation"]["id"], True)
    assert outcome(again, "respondToInvitation") == "userErrors:invitationId:CONFLICT"

    accepted = await respond(client, people.qi_lead.token, moderator["invitation"]["id"], True)
    assert outcome(accepted, "respondToInvitation") == "ok"
    # At most one moderator: the second one's acceptance and a new moderator are refused.
    two = await respond(client, people.clinician.token, second["invitation"]["id"], True)
    assert outcome(two, "respondToInvitation") == "userErrors:invitationId:CONFLICT"
    three = await invite(client, people.parent, proposal, people.committee, "MODERATOR")
    assert outcome(three, "invitePanelist") == "userErrors:role:CONFLICT"

    shown = await panel(client, proposal, people.parent)
    assert [(p["person"]["displayName"], p["role"], p["state"]) for p in shown["panelists"]] == [
        ("Jennie Quinn", "MODERATOR", "ACCEPTED"),
        ("Dr. Sami Reyes", "MODERATOR", "PENDING"),
        ("Riley Chen", "PANELIST", "DECLINED"),
    ]
    # Not a panel: no panelists.
    talk = await propose(client, people.clinician, session, kind="WORKSHOP", title="A workshop")
    body = await invite(client, people.clinician, talk, people.qi_lead, "PANELIST")
    assert outcome(body, "invitePanelist") == "userErrors:proposalId:CONFLICT"
    async with db.session() as s:
        kinds = list(
            await s.scalars(
                text("SELECT type FROM events WHERE type LIKE 'proposal.panelist%' ORDER BY id")
            )
        )
    assert kinds == ["proposal.panelist_invited"] * 3 + ["proposal.panelist_responded"] * 2


async def test_a_panel_starts_with_its_thread_and_two_drafts(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    proposal = await propose(
        client, people.parent, session, presenters=[people.parent, people.clinician],
        objectives="Three ways to bring families in.",
    )  # fmt: skip
    shown = await panel(client, proposal, people.parent)
    thread = shown["thread"]
    assert (thread["audience"], thread["subjectId"]) == ("PARTICIPANTS", proposal)
    assert sorted((d["name"], d["kind"], d["status"]) for d in thread["drafts"]) == [
        ("Call to action", "panel.call_to_action", "DRAFT"),
        ("Objectives", "panel.objectives", "DRAFT"),
    ]
    drafts = {d["kind"]: d for d in thread["drafts"]}
    assert drafts["panel.objectives"]["latestRevision"]["body"] == (
        "Three ways to bring families in."
    )
    assert [p["person"]["displayName"] for p in thread["participants"]] == ["Jamie Rivera"]
    # The presenter joins as they confirm, an accepted panelist as they accept; the committee
    # (not a participant) sees the proposal but not its thread.
    await ok(client, CONFIRM, "confirmPresenter", people.clinician, proposalId=proposal)
    payload = await ok(client, INVITE, "invitePanelist", people.parent, proposalId=proposal,
                       personId=people.qi_lead.id, role="MODERATOR")  # fmt: skip
    await respond(client, people.qi_lead.token, payload["invitation"]["id"], True)
    shown = await panel(client, proposal, people.qi_lead)
    names = {p["person"]["displayName"] for p in shown["thread"]["participants"]}
    assert names == {"Jamie Rivera", "Dr. Sami Reyes", "Jennie Quinn"}
    await ok(client, GRANT, "grantReviewerRole", people.staff, learningSessionId=session,
             personId=people.committee.id)  # fmt: skip
    assert (await panel(client, proposal, people.committee))["thread"] is None
    assert (await panel(client, proposal, people.staff))["thread"] is not None
    workshop = await propose(client, people.parent, session, kind="WORKSHOP", title="A workshop")
    assert (await panel(client, workshop, people.parent))["thread"] is None


async def test_final_drafts_set_the_objectives_and_call_to_action(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    proposal = await propose(
        client, people.parent, session, presenters=[people.parent, people.clinician]
    )
    await ok(client, CONFIRM, "confirmPresenter", people.clinician, proposalId=proposal)
    thread = (await panel(client, proposal, people.parent))["thread"]
    texts = {
        "Objectives": "Leave with one way to bring a family onto your QI team.",
        "Call to action": "Invite one parent partner to your next QI meeting.",
    }
    for name, body in texts.items():
        written = await client.data(
            REVISE,
            {"input": {"threadId": thread["id"], "name": name, "body": body}},
            token=people.parent.token,
        )
        revision = written["reviseDraft"]["revision"]["id"]
        agreed = await client.data(AGREE, {"id": revision}, token=people.clinician.token)
        assert agreed["agreeToRevision"]["userErrors"] == []
        final = await client.data(
            FINALISE, {"id": written["reviseDraft"]["draft"]["id"]}, token=people.parent.token
        )
        assert final["finaliseDraft"] == {"draft": {"status": "FINAL"}, "userErrors": []}
    await client.settle()
    shown = await panel(client, proposal, people.clinician)
    assert shown["objectives"] == texts["Objectives"]
    assert shown["callToAction"] == texts["Call to action"]
    count = "SELECT count(*) FROM events WHERE type = 'proposal.panel_text_finalised'"
    async with db.session() as s:
        assert await s.scalar(text(count)) == 2
    # Heard again (at least once): nothing changes, no second event.
    draft = FinalisedDraft(
        event_id=1, draft_id=to_global_id("Draft", 1), draft_pk=1, name="Call to action",
        kind="panel.call_to_action", thread_id=thread["id"], thread_title="t",
        revision_id=to_global_id("DraftRevision", 1), revision_pk=1, number=1,
        body=texts["Call to action"], attached_to=proposal, finalised_by=people.parent.id,
        finalised_at=utcnow(),
    )  # fmt: skip
    async with db.transaction() as s:
        await icn_panels.plugin.icn_codesign_draft_finalised(draft=draft, session=s)
    async with db.session() as s:
        assert await s.scalar(text(count)) == 2
    # A thread that is not the panel's own (anyone who sees the proposal may attach one)
    # sets nothing.
    other = FinalisedDraft(**{**draft.__dict__, "thread_id": to_global_id("Thread", 999),
                              "body": "Something else."})  # fmt: skip
    async with db.transaction() as s:
        await icn_panels.plugin.icn_codesign_draft_finalised(draft=other, session=s)
    assert (await panel(client, proposal, people.parent))["callToAction"] == texts["Call to action"]


async def test_scheduling_puts_the_moderator_and_panelists_on_the_item(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    presenters = [people.parent, people.clinician]
    proposal = await propose(client, people.parent, session, presenters=presenters)
    await ok(client, DECIDE, "decideProposal", people.staff, id=proposal,
             decision="ACCEPT_WITH_COACHING")  # fmt: skip
    await ok(client, CONFIRM, "confirmPresenter", people.clinician, proposalId=proposal)
    patient = await member(db, "Riley Chen", PersonKind.PATIENT_PARTNER)
    nobody = await member(db, "Pat Declines", PersonKind.PARENT_PARTNER)
    for who, role, accept in (
        (people.qi_lead, "MODERATOR", True),
        (patient, "PANELIST", True),
        (nobody, "PANELIST", False),
        (people.outsider, "PANELIST", None),  # never answers
    ):
        payload = await ok(client, INVITE, "invitePanelist", people.parent, proposalId=proposal,
                           personId=who.id, role=role)  # fmt: skip
        if accept is not None:
            body = await respond(client, who.token, payload["invitation"]["id"], accept, "No.")
            assert outcome(body, "respondToInvitation") == "ok"
    for _ in range(3):  # OUTLINE, COACHED, PREPPED
        await ok(client, ADVANCE, "advanceStage", people.staff, proposalId=proposal,
                 evidence="draft")  # fmt: skip
    variables = {"input": slot(proposal, "2014-04-10T10:00:00", "2014-04-10T11:00:00")}
    data = await client.data(
        SCHEDULE.replace("person { displayName kind }", "partnerRole person { displayName }"),
        variables,
        token=people.staff.token,
    )
    payload = data["scheduleProposal"]
    assert payload["userErrors"] == []
    assert [
        (p["part"], p["person"]["displayName"], p["partnerRole"])
        for p in payload["agendaItem"]["people"]
    ] == [
        ("MODERATOR", "Jennie Quinn", None),
        ("PANELIST", "Jamie Rivera", "PARENT_PARTNER"),
        ("PANELIST", "Dr. Sami Reyes", None),
        ("PANELIST", "Riley Chen", "PATIENT_PARTNER"),
    ]


async def test_icn_panels_needs_icn_codesign(settings: Settings) -> None:
    # Core's PluginStartupError (not in the public API: plugins never catch it).
    with pytest.raises(Exception, match=r"icn-panels.*unknown hook .icn_codesign_draft_"):
        PluginHost.load(settings, extra=[("icn-panels", icn_panels.plugin)], discover=False)
