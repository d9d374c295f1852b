"""A session's proposals, with their proposers, presenters, reviews, panelists, threads and what
the viewer may do, cost a fixed number of statements: the same for 3 proposals as for 12."""

from __future__ import annotations

from panels_helpers import (
    GRANT,
    INVITE,
    REVIEW,
    cast,
    icn_plugins,
    member,
    ok,
    propose,
    session_with_open_call,
)

from icn_graph.plugin_api import Database, PersonKind
from icn_graph.testing import GraphQLClient, StatementCounter

__all__ = ["icn_plugins"]

PAGE = """
query($id: ID!) {
  node(id: $id) {
    ... on LearningSession {
      title viewerCanReviewProposals viewerCanSubmitProposal
      callForProposals { opensAt closesAt isOpen }
      proposals(first: 100) {
        id title kind status createdAt
        proposer { displayName }
        learningSession { title }
        presenters { consent person { displayName } }
        reviews { score comment reviewer { displayName } }
        viewerCanReview viewerCanDecide viewerCanSeeReviews viewerCanConfirmPresenter
        viewerCanInvitePanelist thread { id title }
        panelists { id role state partnerRole viewerCanRespond person { displayName } }
      }
    }
  }
}
"""


async def test_a_session_s_proposals_cost_the_same_for_3_or_12(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
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
    proposers = [people.parent, people.clinician, people.qi_lead, people.outsider]
    proposers += [await member(db, f"Parent {n}", PersonKind.PARENT_PARTNER) for n in range(4)]
    # Invited to the panels, never proposing: loaded with the panelists, not the proposers.
    guests = [await member(db, f"Patient {n}", PersonKind.PATIENT_PARTNER) for n in range(4)]

    async def add(n: int) -> None:
        who = proposers[n % len(proposers)]
        presenters = [who, proposers[(n + 1) % len(proposers)]]
        proposal = await propose(client, who, session, presenters=presenters, title=f"Proposal {n}")
        await ok(client, REVIEW, "reviewProposal", people.committee, id=proposal, score=4)
        guest = guests[n % len(guests)]
        await ok(client, INVITE, "invitePanelist", who, proposalId=proposal, personId=guest.id,
                 role="PANELIST")  # fmt: skip

    async def page() -> int:
        statements.reset()
        data = await client.data(PAGE, {"id": session}, token=people.committee.token)
        shown = data["node"]["proposals"]
        assert all(len(p["reviews"]) == 1 and p["presenters"] for p in shown)
        assert all(len(p["panelists"]) == 1 for p in shown)
        return statements.count

    for n in range(3):
        await add(n)
    three = await page()
    for n in range(3, 12):
        await add(n)
    twelve = await page()
    assert twelve == three, statements.statements
    # One each: the viewer, the session, the committee, proposals, calls, standings,
    # presenters, reviews, stages (who may invite panelists), threads, invitations, and the
    # people they name (three times: proposers, then reviewers, then panelists).
    assert three <= 14, statements.statements
