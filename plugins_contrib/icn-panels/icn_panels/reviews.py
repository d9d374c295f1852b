"""Reviewing: a score from 1 to 5 and a comment by staff or the session's review committee.
Reviewing again revises the reviewer's review. Only submitted (undecided) proposals are
reviewed."""

from __future__ import annotations

from sqlalchemy import select

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
from icn_panels.access import load_proposal, may_review
from icn_panels.events import ProposalReviewed
from icn_panels.models import COMMENT_LENGTH, ProposalStatus, Review

MIN_SCORE, MAX_SCORE = 1, 5


async def review_proposal(
    db: Database, viewer: Viewer, proposal_pk: int, score: int, comment: str
) -> Review:
    me = viewer.require_member()
    check = Checker()
    if not MIN_SCORE <= score <= MAX_SCORE:
        check.add("score", f"A score is from {MIN_SCORE} to {MAX_SCORE}.")
    text = check.text(
        "comment",
        comment,
        max_length=COMMENT_LENGTH,
        label="Comment",
        multiline=True,
        required=False,
    )
    async with db.transaction() as session:
        proposal = await load_proposal(session, viewer, proposal_pk)
        if not await may_review(session, viewer, proposal):
            raise Forbidden(
                "Only network staff and the session's review committee can review a proposal, "
                "and never their own."
            )
        if proposal.status != ProposalStatus.SUBMITTED:
            check.add("proposalId", "The proposal is decided already.", UserErrorCode.CONFLICT)
        check.raise_if_any()
        review = await session.scalar(
            select(Review).where(Review.proposal_id == proposal.id, Review.reviewer_id == me)
        )
        if review is None:
            review = Review(proposal_id=proposal.id, reviewer_id=me)
            session.add(review)
        review.score, review.comment, review.updated_at = score, text, utcnow()
        await session.flush()
        reviewed = ProposalReviewed(
            review=SubjectRef("ProposalReview", review.id),
            proposal=SubjectRef("Proposal", proposal.id),
            title=proposal.title,
            score=score,
            comment=text,
        )
        record(session, reviewed, actor_id=me)
    return review
