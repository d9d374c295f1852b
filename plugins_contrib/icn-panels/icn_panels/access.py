"""Who may see and act on proposals, in one place.

- network staff open calls, grant the reviewer role and decide;
- a session's review committee (and staff) review and read reviews;
- a proposal is seen by staff, its session's committee, its proposer, its proposed presenters,
  the people invited to its panel and the owners and coaches of its stages;
- a proposal's own people (proposer, presenters, people invited to its panel) never see its
  reviews, and may not review or decide it, even when they are staff or on the committee (as
  in pretalx).

A proposal someone may not see reads exactly like one that does not exist (``NotFound``).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from icn_graph.plugin_api import NotFound, Viewer
from icn_panels.models import PanelInvitation, Presenter, Proposal, ProposalStage, Reviewer

PROPOSAL_NOT_FOUND = "No proposal has that ID."


def _presents(person_id: int) -> ColumnElement[bool]:
    return exists().where(Presenter.proposal_id == Proposal.id, Presenter.person_id == person_id)


def invited(person_id: int) -> ColumnElement[bool]:
    """SQL over ``Proposal``: ``person_id`` is invited to its panel (whatever their answer)."""
    asked = aliased(PanelInvitation)  # not the outer query's invitation (``invitations_by_id``)
    return exists().where(asked.proposal_id == Proposal.id, asked.person_id == person_id)


def _reviews_session(person_id: int) -> ColumnElement[bool]:
    return exists().where(
        Reviewer.session_id == Proposal.session_id, Reviewer.person_id == person_id
    )


def _works_on(person_id: int) -> ColumnElement[bool]:
    return exists().where(
        ProposalStage.proposal_id == Proposal.id,
        or_(ProposalStage.owner_id == person_id, ProposalStage.coach_id == person_id),
    )


def visible_clause(viewer: Viewer) -> ColumnElement[bool]:
    """SQL over ``Proposal``: the proposals ``viewer`` may see."""
    if viewer.person_id is None:
        return false()
    if viewer.is_staff:
        return true()
    me = viewer.person_id
    return or_(
        Proposal.proposer_id == me,
        _presents(me),
        invited(me),
        _reviews_session(me),
        _works_on(me),
    )


async def visible_proposal_ids(
    session: AsyncSession, viewer: Viewer, ids: Collection[int]
) -> set[int]:
    """Of ``ids``, the proposals that exist and ``viewer`` may see: one query."""
    if not ids or viewer.person_id is None:
        return set()
    rows = await session.scalars(
        select(Proposal.id).where(Proposal.id.in_(sorted(set(ids))), visible_clause(viewer))
    )
    return set(rows)


async def load_proposal(session: AsyncSession, viewer: Viewer, proposal_id: int) -> Proposal:
    """The proposal if ``viewer`` may see it; else ``NotFound``, as if it did not exist."""
    viewer.require_member()
    if proposal_id not in await visible_proposal_ids(session, viewer, [proposal_id]):
        raise NotFound(PROPOSAL_NOT_FOUND)
    proposal = await session.get(Proposal, proposal_id)
    assert proposal is not None
    return proposal


async def is_reviewer(session: AsyncSession, session_id: int, person_id: int) -> bool:
    found = await session.scalar(
        select(Reviewer.person_id).where(
            Reviewer.session_id == session_id, Reviewer.person_id == person_id
        )
    )
    return found is not None


async def is_involved(session: AsyncSession, proposal: Proposal, person_id: int) -> bool:
    """Whether ``person_id`` proposed ``proposal``, is proposed to present it or is invited to
    its panel."""
    if proposal.proposer_id == person_id:
        return True
    found = await session.scalar(
        select(Presenter.person_id).where(
            Presenter.proposal_id == proposal.id, Presenter.person_id == person_id
        )
    )
    if found is not None:
        return True
    asked = await session.scalar(
        select(PanelInvitation.id).where(
            PanelInvitation.proposal_id == proposal.id, PanelInvitation.person_id == person_id
        )
    )
    return asked is not None


async def may_review(session: AsyncSession, viewer: Viewer, proposal: Proposal) -> bool:
    """Staff or the session's committee, unless it is their own proposal."""
    if viewer.person_id is None:
        return False
    if not (viewer.is_staff or await is_reviewer(session, proposal.session_id, viewer.person_id)):
        return False
    return not await is_involved(session, proposal, viewer.person_id)


async def may_decide(session: AsyncSession, viewer: Viewer, proposal: Proposal) -> bool:
    """Network staff, unless it is their own proposal."""
    if viewer.person_id is None or not viewer.is_staff:
        return False
    return not await is_involved(session, proposal, viewer.person_id)
