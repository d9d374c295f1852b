"""Fields icn-panels adds to core's ``LearningSession``: its proposals, its call for proposals,
and what the viewer may do about them. One query per field for every session in the response."""

from __future__ import annotations

from typing import Annotated

import strawberry

from icn_graph.plugin_api import AgendaItemType, Info, LearningSessionType, utcnow
from icn_panels import reading
from icn_panels.calls import is_open
from icn_panels.reading import MAX_PROPOSALS
from icn_panels.schema import loaders
from icn_panels.schema.adoptions import GoalAdoptedFrom, ProposalAdoptions
from icn_panels.schema.stages import ProposalBoardEntry
from icn_panels.schema.types import CallForProposals, Proposal

BoardFirst = Annotated[
    int, strawberry.argument(description="How many proposals, oldest first: up to 100.")
]
MAX_BOARD = 100
First = Annotated[
    int, strawberry.argument(description="How many proposals, oldest first: up to 100.")
]


@strawberry.type
class LearningSessionProposals:
    """``root`` is the Learning Session."""

    @strawberry.field(
        description="Proposals for it that the viewer may see, oldest first (icn-panels): "
        "every one for network staff and its review committee, one's own (proposed or to "
        "present) for everyone else."
    )
    async def proposals(
        self, root: LearningSessionType, info: Info, first: First = 20
    ) -> list[Proposal] | None:
        info.context.viewer.require_member()
        rows = await loaders.proposals_of_sessions(info).load(root.pk)
        return [Proposal.from_row(row) for row in rows[: max(0, min(first, MAX_PROPOSALS))]]

    @strawberry.field(description="Its call for proposals; null until network staff open one.")
    async def call_for_proposals(
        self, root: LearningSessionType, info: Info
    ) -> CallForProposals | None:
        row = await loaders.calls(info).load(root.pk)
        return CallForProposals.from_row(row) if row else None

    @strawberry.field(
        description="Whether the viewer may propose something now (`submitProposal`): any "
        "member, while the call is open."
    )
    async def viewer_can_submit_proposal(self, root: LearningSessionType, info: Info) -> bool:
        if not info.context.viewer.is_authenticated:
            return False
        return is_open(await loaders.calls(info).load(root.pk), utcnow())

    @strawberry.field(
        description="Whether the viewer reviews its proposals: network staff or a member of "
        "its review committee."
    )
    async def viewer_can_review_proposals(self, root: LearningSessionType, info: Info) -> bool:
        return await loaders.committee(info).load(root.pk)

    @strawberry.field(
        description="Whether the viewer may open its call (`openCallForProposals`) and grant "
        "the reviewer role (`grantReviewerRole`): network staff."
    )
    def viewer_can_manage_proposals(self, root: LearningSessionType, info: Info) -> bool:
        return info.context.viewer.is_staff

    @strawberry.field(
        description="The staff pipeline board (icn-panels): every accepted proposal with its "
        "stages, current stage and slippage; null for anyone but network staff."
    )
    async def proposal_board(
        self, root: LearningSessionType, info: Info, first: BoardFirst = 20
    ) -> list[ProposalBoardEntry] | None:
        if not info.context.viewer.is_staff:
            return None
        limit = max(0, min(first, MAX_BOARD))
        rows = await reading.board(info.context.db, root.pk, limit)
        return [ProposalBoardEntry.from_rows(proposal, stages) for proposal, stages in rows]


@strawberry.type
class AgendaItemProposal:
    """``root`` is the agenda item."""

    @strawberry.field(
        description="The proposal it was scheduled from (icn-panels, `scheduleProposal`); null "
        "for other items and for viewers who may not see the proposal."
    )
    async def proposal(self, root: AgendaItemType, info: Info) -> Proposal | None:
        row = await loaders.proposals_of_items(info).load(root.pk)
        return Proposal.from_row(row) if row is not None else None


EXTENSIONS: dict[str, type] = {
    "LearningSession": LearningSessionProposals,
    "AgendaItem": AgendaItemProposal,
    "Goal": GoalAdoptedFrom,
    "Proposal": ProposalAdoptions,
}
