"""Reviews are never visible to a proposal's proposer or presenters (as in pretalx): not through
``Proposal.reviews``, not through ``LearningSession.proposals``, not through ``node`` or
``nodes``, not through notifications or their data, even for a presenter on the committee and
for people watching the proposal and its session."""

from __future__ import annotations

import json

from panels_helpers import (
    CONFIRM,
    GRANT,
    REVIEW,
    Member,
    cast,
    icn_plugins,
    ok,
    propose,
    session_with_open_call,
)

from icn_graph.plugin_api import Database
from icn_graph.testing import GraphQLClient

__all__ = ["icn_plugins"]

FOLLOW = """mutation($id: ID!) { follow(input: {subjectId: $id, level: WATCHING}) {
  userErrors { field message } } }"""
ON_PROPOSAL = """query($id: ID!) { node(id: $id) { ... on Proposal {
  viewerCanSeeReviews reviews { score comment } } } }"""
ON_SESSION = """query($id: ID!) { node(id: $id) { ... on LearningSession {
  proposals { title reviews { score comment } } } } }"""
NODE = "query($id: ID!) { node(id: $id) { ... on ProposalReview { score comment } } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on ProposalReview { score } } }"
INBOX = "{ viewer { notifications(first: 50) { nodes { type summary data } } } }"
SECRET = "SECRET: the outline is weak"


async def test_the_proposal_s_people_never_see_its_reviews(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    # The clinician presenting is on the committee too; the QI lead is not involved.
    for reviewer in (people.committee, people.clinician, people.qi_lead):
        await ok(
            client,
            GRANT,
            "grantReviewerRole",
            people.staff,
            learningSessionId=session,
            personId=reviewer.id,
        )
    proposal = await propose(client, people.parent, session, presenters=[people.clinician])
    await ok(client, CONFIRM, "confirmPresenter", people.clinician, proposalId=proposal)
    own_people: list[Member] = [people.parent, people.clinician]
    for who in (*own_people, people.qi_lead):
        for subject in (session, proposal):
            data = await client.data(FOLLOW, {"id": subject}, token=who.token)
            assert data["follow"]["userErrors"] == []

    review = await ok(
        client, REVIEW, "reviewProposal", people.committee, id=proposal, score=2, comment=SECRET
    )
    review_id = review["review"]["id"]

    for who in own_people:
        data = await client.data(ON_PROPOSAL, {"id": proposal}, token=who.token)
        assert data["node"] == {"viewerCanSeeReviews": False, "reviews": None}
        data = await client.data(ON_SESSION, {"id": session}, token=who.token)
        assert [p["reviews"] for p in data["node"]["proposals"]] == [None]
        body = await client.execute(NODE, {"id": review_id}, token=who.token)
        assert body["data"]["node"] is None
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        body = await client.execute(NODES, {"ids": [review_id]}, token=who.token)
        assert body["data"]["nodes"] == [None]
        inbox = await client.data(INBOX, token=who.token)
        assert "proposal.reviewed" not in [
            n["type"] for n in inbox["viewer"]["notifications"]["nodes"]
        ]
        assert "SECRET" not in json.dumps(inbox)
        # Reviewing it themselves is refused too.
        body = await client.execute(
            REVIEW, {"input": {"id": proposal, "score": 5}}, token=who.token
        )
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # The committee and staff read it; staff watching the session hear of it, without the
    # score or the comment in the notification's data.
    for who in (people.committee, people.qi_lead, people.staff):
        data = await client.data(ON_PROPOSAL, {"id": proposal}, token=who.token)
        assert data["node"]["reviews"] == [{"score": 2, "comment": SECRET}]
        data = await client.data(NODE, {"id": review_id}, token=who.token)
        assert data["node"] == {"score": 2, "comment": SECRET}
    for who in (people.staff, people.qi_lead):
        inbox = await client.data(INBOX, token=who.token)
        reviewed = [
            n for n in inbox["viewer"]["notifications"]["nodes"] if n["type"] == "proposal.reviewed"
        ]
        assert [n["summary"] for n in reviewed] == [
            "Dr. Beth Cole reviewed 'Engaging families in QI: a parent panel'"
        ]
        assert reviewed[0]["data"]["title"] == "Engaging families in QI: a parent panel"
        assert "score" not in reviewed[0]["data"]
        assert "comment" not in reviewed[0]["data"]
        assert "SECRET" not in json.dumps(inbox)
