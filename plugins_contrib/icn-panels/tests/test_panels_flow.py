"""The story through the HTTP API as the people in it: a parent proposes a panel with a
clinician, the clinician confirms, the committee reviews, staff accept it with coaching; and
every refused input names its field."""

from __future__ import annotations

from datetime import timedelta

from panels_helpers import (
    CONFIRM,
    DECIDE,
    GRANT,
    OPEN_CALL,
    REVIEW,
    SUBMIT,
    cast,
    icn_plugins,
    ok,
    propose,
    session_with_open_call,
)

from icn_graph.plugin_api import Database, to_global_id, utcnow
from icn_graph.testing import GraphQLClient

__all__ = ["icn_plugins"]  # the plugin's fixture, used by icn_graph's fixtures

PROPOSAL = """query($id: ID!) { node(id: $id) { ... on Proposal {
  title kind status decisionReason abstract objectives intendedAudience
  proposer { displayName } learningSession { title }
  presenters { person { displayName } consent }
  reviews { score comment reviewer { displayName } }
  viewerCanSeeReviews viewerCanReview viewerCanDecide viewerCanConfirmPresenter } } }"""

FOLLOW = """mutation($id: ID!) { follow(input: {subjectId: $id, level: WATCHING}) {
  userErrors { field } } }"""
INBOX = "{ viewer { notifications(first: 20) { nodes { type summary data } } } }"


async def test_a_parent_proposes_the_committee_reviews_and_staff_accept_with_coaching(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    granted = await ok(
        client,
        GRANT,
        "grantReviewerRole",
        people.staff,
        learningSessionId=session,
        personId=people.committee.id,
    )
    assert granted["reviewer"] == {"displayName": "Dr. Beth Cole"}
    # The parent watches the session: staff rescheduling its call is news to her.
    await client.data(FOLLOW, {"id": session}, token=people.parent.token)
    now = utcnow()
    await ok(
        client,
        OPEN_CALL,
        "openCallForProposals",
        people.staff,
        learningSessionId=session,
        opensAt=(now - timedelta(days=2)).isoformat(),
        closesAt=(now + timedelta(days=60)).isoformat(),
    )
    heard = await client.data(INBOX, token=people.parent.token)
    assert [(n["type"], n["summary"]) for n in heard["viewer"]["notifications"]["nodes"]] == [
        (
            "call_for_proposals.opened",
            "Tania Staff opened the call for proposals for 'Spring 2014 Learning Session'",
        )
    ]

    proposal = await propose(
        client,
        people.parent,
        session,
        presenters=[people.parent, people.clinician],
        objectives="Three ways to bring parents into QI teams.",
        intendedAudience="Care teams and parent partners",
    )
    # The clinician has not answered: others see only the parent, the proposer sees both.
    seen = await client.data(PROPOSAL, {"id": proposal}, token=people.committee.token)
    assert seen["node"]["presenters"] == [
        {"person": {"displayName": "Jamie Rivera"}, "consent": "CONFIRMED"}
    ]
    own = await client.data(PROPOSAL, {"id": proposal}, token=people.parent.token)
    assert [p["consent"] for p in own["node"]["presenters"]] == ["CONFIRMED", "PENDING"]
    asked = await client.data(INBOX, token=people.clinician.token)
    [request] = asked["viewer"]["notifications"]["nodes"]
    assert request["type"] == "proposal.presenter_requested"
    assert request["summary"] == (
        "Jamie Rivera asks you to present 'Engaging families in QI: a parent panel': confirm "
        "or decline"
    )
    await ok(client, CONFIRM, "confirmPresenter", people.clinician, proposalId=proposal)
    seen = await client.data(PROPOSAL, {"id": proposal}, token=people.committee.token)
    assert [p["person"]["displayName"] for p in seen["node"]["presenters"]] == [
        "Jamie Rivera",
        "Dr. Sami Reyes",
    ]
    assert seen["node"]["viewerCanReview"] is True
    assert seen["node"]["viewerCanDecide"] is False

    review = await ok(
        client,
        REVIEW,
        "reviewProposal",
        people.committee,
        id=proposal,
        score=4,
        comment="Strong idea; the outline needs work.",
    )
    assert review["review"]["score"] == 4
    await ok(client, REVIEW, "reviewProposal", people.staff, id=proposal, score=5, comment="")
    # Reviewing again revises the review.
    await ok(
        client, REVIEW, "reviewProposal", people.committee, id=proposal, score=3, comment="Revised"
    )
    staff_view = await client.data(PROPOSAL, {"id": proposal}, token=people.staff.token)
    assert staff_view["node"]["reviews"] == [
        {"score": 3, "comment": "Revised", "reviewer": {"displayName": "Dr. Beth Cole"}},
        {"score": 5, "comment": "", "reviewer": {"displayName": "Tania Staff"}},
    ]
    assert staff_view["node"]["viewerCanDecide"] is True

    decided = await ok(
        client,
        DECIDE,
        "decideProposal",
        people.staff,
        id=proposal,
        decision="ACCEPT_WITH_COACHING",
        reason="Coaching on the call to action.",
    )
    assert decided["proposal"]["status"] == "ACCEPTED_WITH_COACHING"
    own = await client.data(PROPOSAL, {"id": proposal}, token=people.parent.token)
    assert own["node"] | {"presenters": None} == {
        "title": "Engaging families in QI: a parent panel",
        "kind": "PANEL",
        "status": "ACCEPTED_WITH_COACHING",
        "decisionReason": "Coaching on the call to action.",
        "abstract": "How centers can better engage families in QI work.",
        "objectives": "Three ways to bring parents into QI teams.",
        "intendedAudience": "Care teams and parent partners",
        "proposer": {"displayName": "Jamie Rivera"},
        "learningSession": {"title": "Spring 2014 Learning Session"},
        "presenters": None,
        "reviews": None,
        "viewerCanSeeReviews": False,
        "viewerCanReview": False,
        "viewerCanDecide": False,
        "viewerCanConfirmPresenter": True,
    }
    inbox = await client.data(INBOX, token=people.parent.token)
    summaries = [(n["type"], n["summary"]) for n in inbox["viewer"]["notifications"]["nodes"]]
    assert summaries[0] == (
        "proposal.decided",
        "Tania Staff accepted 'Engaging families in QI: a parent panel', with coaching",
    )
    assert (
        "proposal.presenter_responded",
        "Dr. Sami Reyes confirmed presenting 'Engaging families in QI: a parent panel'",
    ) in summaries
    granted_inbox = await client.data(INBOX, token=people.committee.token)
    assert [n["type"] for n in granted_inbox["viewer"]["notifications"]["nodes"]] == [
        "proposal.reviewer_granted"
    ]

    # Decided is final: neither a review nor another decision.
    body = await client.execute(
        REVIEW, {"input": {"id": proposal, "score": 2}}, token=people.committee.token
    )
    assert body["data"]["reviewProposal"]["userErrors"][0]["field"] == "proposalId"


async def test_refused_input_names_its_field(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    await ok(
        client,
        GRANT,
        "grantReviewerRole",
        people.staff,
        learningSessionId=session,
        personId=people.committee.id,
    )

    async def errors(
        query: str, field: str, who_token: str, **input: object
    ) -> list[tuple[str, str]]:
        data = await client.data(query, {"input": input}, token=who_token)
        assert data[field][next(k for k in data[field] if k != "userErrors")] is None
        return [(e["field"], e["code"]) for e in data[field]["userErrors"]]

    missing_session = to_global_id("LearningSession", 999_999)
    now = utcnow()
    assert await errors(
        OPEN_CALL,
        "openCallForProposals",
        people.staff.token,
        learningSessionId=session,
        opensAt=now.isoformat(),
        closesAt=(now - timedelta(days=1)).isoformat(),
    ) == [("closesAt", "INVALID")]
    assert await errors(
        OPEN_CALL,
        "openCallForProposals",
        people.staff.token,
        learningSessionId=missing_session,
        opensAt=now.isoformat(),
        closesAt=(now + timedelta(days=1)).isoformat(),
    ) == [("learningSessionId", "NOT_FOUND")]
    assert await errors(
        GRANT,
        "grantReviewerRole",
        people.staff.token,
        learningSessionId=session,
        personId=to_global_id("Person", 999_999),
    ) == [("personId", "NOT_FOUND")]
    assert await errors(
        SUBMIT,
        "submitProposal",
        people.parent.token,
        learningSessionId=session,
        title=" ",
        kind="POSTER",
        abstract="",
        intendedAudience="x" * 501,
        personIds=[people.clinician.id, people.clinician.id, to_global_id("Person", 999_999)],
    ) == [
        ("title", "REQUIRED"),
        ("abstract", "REQUIRED"),
        ("intendedAudience", "TOO_LONG"),
        ("personIds", "INVALID"),
        ("personIds", "NOT_FOUND"),
    ]
    proposal = await propose(client, people.parent, session)
    assert await errors(
        REVIEW, "reviewProposal", people.committee.token, id=proposal, score=6, comment="Hm"
    ) == [("score", "INVALID")]
    assert await errors(
        DECIDE, "decideProposal", people.staff.token, id=proposal, decision="DECLINE", reason=""
    ) == [("reason", "REQUIRED")]
    # A proposal for a session whose call is closed (or never opened) is refused.
    closed = await client.data(
        """mutation { createLearningSession(input: {season: FALL, year: 2014,
        startsOn: "2014-10-01", endsOn: "2014-10-03", venue: "Columbus", timezone:
        "America/New_York"}) { learningSession { id } } }""",
        token=people.staff.token,
    )
    fall = closed["createLearningSession"]["learningSession"]["id"]
    assert await errors(
        SUBMIT,
        "submitProposal",
        people.parent.token,
        learningSessionId=fall,
        title="Too early",
        kind="POSTER",
        abstract="No call yet",
    ) == [("learningSessionId", "CONFLICT")]
    # An ID of the wrong type is a BAD_USER_INPUT error naming the field.
    body = await client.execute(
        SUBMIT,
        {
            "input": {
                "learningSessionId": people.parent.id,
                "title": "T",
                "kind": "PANEL",
                "abstract": "A",
            }
        },
        token=people.parent.token,
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "learningSessionId" in body["errors"][0]["message"]
