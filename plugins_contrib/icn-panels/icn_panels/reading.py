"""Reading proposals for many objects at once: each function is one query (or two) whatever the
number of sessions or proposals, so a page of proposals costs the same for 3 or 100."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, select

from icn_graph.plugin_api import Database, Viewer, grouped
from icn_panels.access import invited, visible_clause
from icn_panels.models import (
    CallForProposals,
    PanelInvitation,
    PanelRole,
    Presenter,
    PresenterConsent,
    Proposal,
    ProposalStage,
    ProposalStatus,
    Review,
    Reviewer,
)

MAX_PROPOSALS = 100


@dataclass(frozen=True)
class Standing:
    """The viewer's relation to one proposal: what they may do with it."""

    involved: bool  # they proposed it, are proposed to present it or invited to its panel
    on_committee: bool  # staff, or on the review committee of its session
    status: ProposalStatus
    staff: bool

    @property
    def sees_reviews(self) -> bool:
        return self.on_committee and not self.involved

    @property
    def may_review(self) -> bool:
        return self.sees_reviews and self.status == ProposalStatus.SUBMITTED

    @property
    def may_decide(self) -> bool:
        return self.staff and not self.involved and self.status == ProposalStatus.SUBMITTED


async def proposals_by_id(db: Database, viewer: Viewer, pks: Sequence[int]) -> dict[int, Proposal]:
    if not pks or viewer.person_id is None:
        return {}
    async with db.session() as session:
        rows = await session.scalars(
            select(Proposal).where(Proposal.id.in_(sorted(set(pks))), visible_clause(viewer))
        )
        return {row.id: row for row in rows}


async def proposals_of_sessions(
    db: Database, viewer: Viewer, session_ids: Sequence[int]
) -> list[list[Proposal]]:
    """Each session's proposals the viewer may see, oldest first."""
    if viewer.person_id is None:
        return [[] for _ in session_ids]
    async with db.session() as session:
        rows = await session.scalars(
            select(Proposal)
            .where(Proposal.session_id.in_(sorted(set(session_ids))), visible_clause(viewer))
            .order_by(Proposal.session_id, Proposal.id)
        )
        return grouped(((row.session_id, row) for row in rows), session_ids)


async def calls_of_sessions(
    db: Database, session_ids: Sequence[int]
) -> list[CallForProposals | None]:
    async with db.session() as session:
        rows = await session.scalars(
            select(CallForProposals).where(
                CallForProposals.session_id.in_(sorted(set(session_ids)))
            )
        )
        found = {row.session_id: row for row in rows}
    return [found.get(pk) for pk in session_ids]


async def presenters_of(
    db: Database, viewer: Viewer, proposal_ids: Sequence[int]
) -> list[list[Presenter]]:
    """Each proposal's presenters in order. Someone who has not confirmed is shown only to
    network staff, the proposer and themselves."""
    me = viewer.person_id
    async with db.session() as session:
        rows = await session.execute(
            select(Presenter, Proposal.proposer_id)
            .join(Proposal, Proposal.id == Presenter.proposal_id)
            .where(Presenter.proposal_id.in_(sorted(set(proposal_ids))))
            .order_by(Presenter.proposal_id, Presenter.position)
        )
        shown = [
            (presenter.proposal_id, presenter)
            for presenter, proposer in rows
            if presenter.consent == PresenterConsent.CONFIRMED
            or viewer.is_staff
            or me in (proposer, presenter.person_id)
        ]
    return grouped(shown, proposal_ids)


async def standings(db: Database, viewer: Viewer, proposal_ids: Sequence[int]) -> list[Standing]:
    """The viewer's standing towards each proposal (which they may see): one query."""
    me = viewer.person_id if viewer.person_id is not None else -1
    involved = (
        (Proposal.proposer_id == me)
        | exists().where(Presenter.proposal_id == Proposal.id, Presenter.person_id == me)
        | invited(me)
    )
    committee = exists().where(Reviewer.session_id == Proposal.session_id, Reviewer.person_id == me)
    async with db.session() as session:
        rows = await session.execute(
            select(Proposal.id, Proposal.status, involved, committee).where(
                Proposal.id.in_(sorted(set(proposal_ids)))
            )
        )
        found = {
            pk: Standing(
                involved=bool(mine),
                on_committee=viewer.person_id is not None and (viewer.is_staff or bool(reviews)),
                status=status,
                staff=viewer.is_staff,
            )
            for pk, status, mine, reviews in rows
        }
    absent = Standing(
        involved=True, on_committee=False, status=ProposalStatus.SUBMITTED, staff=False
    )
    return [found.get(pk, absent) for pk in proposal_ids]


async def reviews_of(db: Database, proposal_ids: Sequence[int]) -> list[list[Review]]:
    """Each proposal's reviews, oldest first. The caller checks ``Standing.sees_reviews``."""
    async with db.session() as session:
        rows = await session.scalars(
            select(Review)
            .where(Review.proposal_id.in_(sorted(set(proposal_ids))))
            .order_by(Review.proposal_id, Review.id)
        )
        return grouped(((row.proposal_id, row) for row in rows), proposal_ids)


async def reviews_by_id(db: Database, viewer: Viewer, pks: Sequence[int]) -> dict[int, Review]:
    """The reviews ``pks`` the viewer may read (see ``Standing.sees_reviews``): two queries."""
    async with db.session() as session:
        rows = list(await session.scalars(select(Review).where(Review.id.in_(sorted(set(pks))))))
    proposal_ids = sorted({row.proposal_id for row in rows})
    allowed = await standings(db, viewer, proposal_ids)
    readable = {
        pk for pk, standing in zip(proposal_ids, allowed, strict=True) if standing.sees_reviews
    }
    return {row.id: row for row in rows if row.proposal_id in readable}


async def committee_sessions(
    db: Database, viewer: Viewer, session_ids: Sequence[int]
) -> list[bool]:
    """For each session: whether the viewer may review its proposals (staff or committee)."""
    if viewer.person_id is None:
        return [False for _ in session_ids]
    if viewer.is_staff:
        return [True for _ in session_ids]
    async with db.session() as session:
        rows = set(
            await session.scalars(
                select(Reviewer.session_id).where(
                    Reviewer.person_id == viewer.person_id,
                    Reviewer.session_id.in_(sorted(set(session_ids))),
                )
            )
        )
    return [pk in rows for pk in session_ids]


async def stages_of(db: Database, proposal_ids: Sequence[int]) -> list[list[ProposalStage]]:
    """Each proposal's stages in order (none unless accepted). The caller may see the proposal."""
    async with db.session() as session:
        rows = await session.scalars(
            select(ProposalStage)
            .where(ProposalStage.proposal_id.in_(sorted(set(proposal_ids))))
            .order_by(ProposalStage.proposal_id, ProposalStage.position)
        )
        return grouped(((row.proposal_id, row) for row in rows), proposal_ids)


async def board(
    db: Database, session_pk: int, limit: int
) -> list[tuple[Proposal, list[ProposalStage]]]:
    """A session's accepted proposals (oldest first, up to ``limit``) with their stages: two
    queries whatever their number. For network staff: the caller checks."""
    async with db.session() as session:
        proposals = list(
            await session.scalars(
                select(Proposal)
                .where(
                    Proposal.session_id == session_pk,
                    exists().where(ProposalStage.proposal_id == Proposal.id),
                )
                .order_by(Proposal.id)
                .limit(limit)
            )
        )
    stages = await stages_of(db, [row.id for row in proposals])
    return list(zip(proposals, stages, strict=True))


async def proposals_of_items(
    db: Database, viewer: Viewer, item_ids: Sequence[int]
) -> list[Proposal | None]:
    """The proposal each agenda item was scheduled from, if the viewer may see it: one query."""
    if not item_ids or viewer.person_id is None:
        return [None for _ in item_ids]
    async with db.session() as session:
        rows = await session.scalars(
            select(Proposal).where(
                Proposal.agenda_item_id.in_(sorted(set(item_ids))), visible_clause(viewer)
            )
        )
        found = {row.agenda_item_id: row for row in rows}
    return [found.get(pk) for pk in item_ids]


async def invitations_of(db: Database, proposal_ids: Sequence[int]) -> list[list[PanelInvitation]]:
    """Each panel's invitations, the moderator's first, then in the order sent. The caller may
    see the proposals (invitations are seen by whoever sees their proposal)."""
    async with db.session() as session:
        rows = await session.scalars(
            select(PanelInvitation)
            .where(PanelInvitation.proposal_id.in_(sorted(set(proposal_ids))))
            .order_by(
                PanelInvitation.proposal_id,
                (PanelInvitation.role != PanelRole.MODERATOR),
                PanelInvitation.id,
            )
        )
        return grouped(((row.proposal_id, row) for row in rows), proposal_ids)


async def invitations_by_id(
    db: Database, viewer: Viewer, pks: Sequence[int]
) -> dict[int, PanelInvitation]:
    """The invitations among ``pks`` whose proposal the viewer may see: one query."""
    if not pks or viewer.person_id is None:
        return {}
    async with db.session() as session:
        rows = await session.scalars(
            select(PanelInvitation)
            .join(Proposal, Proposal.id == PanelInvitation.proposal_id)
            .where(PanelInvitation.id.in_(sorted(set(pks))), visible_clause(viewer))
        )
        return {row.id: row for row in rows}
