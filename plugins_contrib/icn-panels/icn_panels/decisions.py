"""Deciding a proposal: network staff accept it, accept it with coaching, or decline it with a
reason the proposer reads. A decision is final; accepting starts the proposal's pipeline
(``stages``)."""

from __future__ import annotations

from icn_graph.plugin_api import (
    Checker,
    Database,
    Forbidden,
    SubjectRef,
    UserErrorCode,
    Viewer,
    record,
    utcnow,
)
from icn_panels.access import load_proposal, may_decide
from icn_panels.events import ProposalDecided
from icn_panels.models import DECIDED_STATUS, REASON_LENGTH, Decision, Proposal, ProposalStatus
from icn_panels.stages import create_stages


async def decide_proposal(
    db: Database, viewer: Viewer, proposal_pk: int, decision: Decision, reason: str
) -> Proposal:
    me = viewer.require_member()
    check = Checker()
    why = check.text(
        "reason",
        reason,
        max_length=REASON_LENGTH,
        label="A reason",
        multiline=True,
        required=decision == Decision.DECLINE,
    )
    async with db.transaction() as session:
        proposal = await load_proposal(session, viewer, proposal_pk)
        if not await may_decide(session, viewer, proposal):
            raise Forbidden("Only network staff can decide a proposal, and never their own.")
        if proposal.status != ProposalStatus.SUBMITTED:
            check.add("proposalId", "The proposal is decided already.", UserErrorCode.CONFLICT)
        check.raise_if_any()
        proposal.status = DECIDED_STATUS[decision]
        proposal.decision_reason = why or None
        proposal.decided_by, proposal.decided_at = me, utcnow()
        proposal.updated_at = proposal.decided_at
        if decision != Decision.DECLINE:
            # Its pipeline starts, coached by the staff member who accepted it.
            await create_stages(session, proposal, me, proposal.decided_at)
        proposer = proposal.proposer_id
        decided = ProposalDecided(
            proposal=SubjectRef("Proposal", proposal.id),
            title=proposal.title,
            decision=decision.value,
            reason=why,
            person=SubjectRef("Person", proposer) if proposer is not None else None,
        )
        record(session, decided, actor_id=me)
    return proposal
