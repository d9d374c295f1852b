"""Proposals and reviews as subject types, for notifications and mail.

A proposal is contained by its Learning Session (staff watching the session hear of proposals)
and seen only by those ``access`` lets see it, checked at fan-out for every recipient. A review
is contained by its proposal and seen only by staff and the session's committee who are not the
proposal's own people: a proposer watching their proposal never hears of its reviews.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import and_, exists, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import SubjectDescription, SubjectType, Viewer, to_global_id
from icn_panels.access import invited, visible_proposal_ids
from icn_panels.models import Presenter, Proposal, Review, Reviewer

PROPOSAL_TYPE = "Proposal"
REVIEW_TYPE = "ProposalReview"


async def describe_proposals(
    session: AsyncSession, pks: Sequence[int]
) -> dict[int, SubjectDescription]:
    rows = await session.execute(
        select(Proposal.id, Proposal.title, Proposal.session_id).where(Proposal.id.in_(pks))
    )
    return {
        pk: SubjectDescription(title, containers=[to_global_id("LearningSession", session_id)])
        for pk, title, session_id in rows
    }


async def visible_proposals(
    session: AsyncSession, viewer: Viewer, described: Mapping[int, SubjectDescription]
) -> Collection[int]:
    return await visible_proposal_ids(session, viewer, described.keys())


async def describe_reviews(
    session: AsyncSession, pks: Sequence[int]
) -> dict[int, SubjectDescription]:
    rows = await session.execute(
        select(Review.id, Proposal.id, Proposal.title, Proposal.session_id)
        .join(Proposal, Proposal.id == Review.proposal_id)
        .where(Review.id.in_(pks))
    )
    return {
        pk: SubjectDescription(
            title,
            containers=[
                to_global_id(PROPOSAL_TYPE, proposal_id),
                to_global_id("LearningSession", session_id),
            ],
        )
        for pk, proposal_id, title, session_id in rows
    }


async def visible_reviews(
    session: AsyncSession, viewer: Viewer, described: Mapping[int, SubjectDescription]
) -> Collection[int]:
    """Reviews the viewer may read: staff or on the committee, and not the proposal's people."""
    me = viewer.person_id
    if me is None or not described:
        return ()
    committee = (
        true()
        if viewer.is_staff
        else exists().where(Reviewer.session_id == Proposal.session_id, Reviewer.person_id == me)
    )
    involved = or_(
        Proposal.proposer_id == me,
        exists().where(Presenter.proposal_id == Proposal.id, Presenter.person_id == me),
        invited(me),
    )
    rows = await session.scalars(
        select(Review.id)
        .join(Proposal, Proposal.id == Review.proposal_id)
        .where(Review.id.in_(sorted(described)), and_(committee, not_(involved)))
    )
    return set(rows)


PROPOSAL_SUBJECT = SubjectType(
    type_name=PROPOSAL_TYPE,
    kind="proposal",
    describe=describe_proposals,
    visible=visible_proposals,
    app_path="/panels/proposals/{id}",
)
REVIEW_SUBJECT = SubjectType(
    type_name=REVIEW_TYPE,
    kind="proposal review",
    describe=describe_reviews,
    visible=visible_reviews,
    app_path="/panels/reviews/{id}",
)
