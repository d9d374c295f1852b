"""The ``Proposal``, ``ProposalPresenter``, ``ProposalReview`` and ``CallForProposals`` types.

Fields resolved on many objects go through this request's loaders, so a session's 100 proposals
with their proposers, presenters and reviews cost the same statements as 3. ``reviews`` is null
for anyone but staff and the session's committee, and always for the proposal's own people.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from icn_codesign.schema.loaders import threads as codesign_threads
from icn_codesign.schema.threads import Thread

from icn_graph.plugin_api import (
    PARTNER_KINDS,
    AgendaItemType,
    Followable,
    Info,
    LearningSessionType,
    Node,
    PersonKind,
    PersonType,
    described_enum,
    fetch_node,
    utcnow,
)
from icn_panels import reading
from icn_panels.models import CallForProposals as CallRow
from icn_panels.models import (
    Decision,
    InvitationState,
    PanelRole,
    PresenterConsent,
    ProposalKind,
    ProposalStatus,
)
from icn_panels.models import PanelInvitation as InvitationRow
from icn_panels.models import Presenter as PresenterRow
from icn_panels.models import Proposal as ProposalRow
from icn_panels.models import Review as ReviewRow
from icn_panels.panelists import may_invite
from icn_panels.scheduling import may_schedule
from icn_panels.schema import loaders
from icn_panels.stages import current_stage, may_advance

if TYPE_CHECKING:
    from icn_panels.schema.stages import ProposalStage

StageType = Annotated["ProposalStage", strawberry.lazy("icn_panels.schema.stages")]

described_enum(
    ProposalKind,
    name="ProposalKind",
    description="What a proposal would be on the agenda.",
    values={
        ProposalKind.PANEL: "A moderated panel of several presenters.",
        ProposalKind.BREAKOUT: "A breakout session for a smaller group.",
        ProposalKind.WORKSHOP: "A hands-on workshop.",
        ProposalKind.PLENARY: "A talk to the whole session.",
        ProposalKind.POSTER: "A poster in the storyboard hall.",
    },
)
described_enum(
    ProposalStatus,
    name="ProposalStatus",
    description="Where a proposal stands (more stages follow an accepted proposal).",
    values={
        ProposalStatus.SUBMITTED: "Submitted, waiting for review and a decision.",
        ProposalStatus.ACCEPTED: "Accepted.",
        ProposalStatus.ACCEPTED_WITH_COACHING: "Accepted, with coaching of its presenters.",
        ProposalStatus.DECLINED: "Declined, with a reason.",
    },
)
described_enum(
    Decision,
    name="ProposalDecision",
    description="What network staff decide about a proposal.",
    values={
        Decision.ACCEPT: "Accept it.",
        Decision.ACCEPT_WITH_COACHING: "Accept it, with coaching of its presenters.",
        Decision.DECLINE: "Decline it; a reason is required.",
    },
)
described_enum(
    PresenterConsent,
    name="PresenterConsent",
    description="A proposed presenter's answer: listed to others only once CONFIRMED.",
    values={
        PresenterConsent.PENDING: "Not answered yet.",
        PresenterConsent.CONFIRMED: "Agreed to present and to be listed.",
        PresenterConsent.DECLINED: "Declined to present.",
    },
)

described_enum(
    PanelRole,
    name="PanelRole",
    description="What an invited person does on a panel.",
    values={
        PanelRole.MODERATOR: "Moderates the panel (at most one accepts).",
        PanelRole.PANELIST: "Sits on the panel.",
    },
)
described_enum(
    InvitationState,
    name="PanelInvitationState",
    description="Where an invitation to a panel stands; an answer is final.",
    values={
        InvitationState.PENDING: "Not answered yet.",
        InvitationState.ACCEPTED: "Accepted: on the panel, and on its agenda item once scheduled.",
        InvitationState.DECLINED: "Declined, with a reason.",
    },
)


async def load_person(info: Info, pk: int | None) -> PersonType | None:
    if pk is None:
        return None
    row = await info.context.loaders.person.load(pk)
    return PersonType.from_model(row) if row else None


@strawberry.type(description="A Learning Session's call for proposals.")
class CallForProposals:
    opens_at: datetime = strawberry.field(description="When proposals are first accepted (UTC).")
    closes_at: datetime = strawberry.field(description="When proposals stop being accepted (UTC).")

    @classmethod
    def from_row(cls, row: CallRow) -> CallForProposals:
        return cls(opens_at=row.opens_at, closes_at=row.closes_at)

    @strawberry.field(description="Whether proposals are accepted now.")
    def is_open(self) -> bool:
        return self.opens_at <= utcnow() < self.closes_at


@strawberry.type(description="A person proposed to present a proposal, and their answer.")
class ProposalPresenter:
    consent: PresenterConsent = strawberry.field(description="Their answer so far.")
    responded_at: datetime | None = strawberry.field(description="When they answered (UTC).")
    person_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: PresenterRow) -> ProposalPresenter:
        return cls(consent=row.consent, responded_at=row.responded_at, person_pk=row.person_id)

    @strawberry.field(description="Who would present.")
    async def person(self, info: Info) -> PersonType | None:
        return await load_person(info, self.person_pk)


@strawberry.type(
    description="An invitation to moderate or sit on a panel, and the answer: seen by whoever "
    "may see the proposal."
)
class PanelInvitation(Node):
    type_name = "PanelInvitation"

    role: PanelRole = strawberry.field(description="Moderator or panelist.")
    state: InvitationState = strawberry.field(description="Pending, accepted or declined.")
    message: str = strawberry.field(description="What the inviter wrote; may be empty.")
    reason: str | None = strawberry.field(description="Why they declined; null otherwise.")
    invited_at: datetime = strawberry.field(description="When they were invited (UTC).")
    responded_at: datetime | None = strawberry.field(description="When they answered (UTC).")
    person_pk: strawberry.Private[int]
    invited_by_pk: strawberry.Private[int | None]
    proposal_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: InvitationRow) -> PanelInvitation:
        return cls(
            pk=row.id,
            role=row.role,
            state=row.state,
            message=row.message,
            reason=row.reason,
            invited_at=row.invited_at,
            responded_at=row.responded_at,
            person_pk=row.person_id,
            invited_by_pk=row.invited_by,
            proposal_pk=row.proposal_id,
        )

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[PanelInvitation | None]:
        info.context.viewer.require_member()
        rows = await reading.invitations_by_id(info.context.db, info.context.viewer, pks)
        return [cls.from_row(rows[pk]) if pk in rows else None for pk in pks]

    @strawberry.field(description="Who is invited.")
    async def person(self, info: Info) -> PersonType | None:
        return await load_person(info, self.person_pk)

    @strawberry.field(
        description="Their partner role when they are a parent or patient partner "
        "(`PARENT_PARTNER`, `PATIENT_PARTNER`: the person's `kind`); null for anyone else."
    )
    async def partner_role(self, info: Info) -> PersonKind | None:
        row = await info.context.loaders.person.load(self.person_pk)
        return row.kind if row is not None and row.kind in PARTNER_KINDS else None

    @strawberry.field(description="Who invited them.")
    async def invited_by(self, info: Info) -> PersonType | None:
        return await load_person(info, self.invited_by_pk)

    @strawberry.field(description="The panel's proposal.")
    async def proposal(self, info: Info) -> Proposal | None:
        row = await loaders.proposals(info).load(self.proposal_pk)
        return Proposal.from_row(row) if row else None

    @strawberry.field(
        description="Whether the viewer may answer it now (`respondToInvitation`): the person "
        "invited, while it is pending."
    )
    def viewer_can_respond(self, info: Info) -> bool:
        return (
            info.context.viewer.person_id == self.person_pk
            and self.state == InvitationState.PENDING
        )


@strawberry.type(
    description="A committee member's score and comment on a proposal: readable by network "
    "staff and the session's review committee only, never by the proposal's proposer or "
    "presenters."
)
class ProposalReview(Followable):
    type_name = "ProposalReview"

    score: int = strawberry.field(description="From 1 (weak) to 5 (strong).")
    comment: str = strawberry.field(description="For the committee and staff; may be empty.")
    created_at: datetime = strawberry.field(description="When it was first given (UTC).")
    updated_at: datetime = strawberry.field(description="When it was last revised (UTC).")
    reviewer_pk: strawberry.Private[int]
    proposal_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: ReviewRow) -> ProposalReview:
        return cls(
            pk=row.id,
            score=row.score,
            comment=row.comment,
            created_at=row.created_at,
            updated_at=row.updated_at,
            reviewer_pk=row.reviewer_id,
            proposal_pk=row.proposal_id,
        )

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[ProposalReview | None]:
        info.context.viewer.require_member()
        rows = await reading.reviews_by_id(info.context.db, info.context.viewer, pks)
        return [cls.from_row(rows[pk]) if pk in rows else None for pk in pks]

    @strawberry.field(description="Who reviewed.")
    async def reviewer(self, info: Info) -> PersonType | None:
        return await load_person(info, self.reviewer_pk)

    @strawberry.field(description="The proposal reviewed.")
    async def proposal(self, info: Info) -> Proposal | None:
        row = await loaders.proposals(info).load(self.proposal_pk)
        return Proposal.from_row(row) if row else None


@strawberry.type(
    description="A proposal for a Learning Session: a panel, breakout, workshop, plenary or "
    "poster, from any member. Seen whole by network staff, the session's review committee, its "
    "proposer, its proposed presenters and the owners and coaches of its stages; once delivered, "
    "every member sees its public parts (title, kind, abstract, objectives, call to action, "
    "confirmed presenters, adoptions; the rest reads as empty or null), never its reviews."
)
class Proposal(Followable):
    type_name = "Proposal"

    title: str = strawberry.field(description="What it is called.")
    kind: ProposalKind = strawberry.field(description="What it would be on the agenda.")
    abstract: str = strawberry.field(description="What it is about (plain text).")
    objectives: str = strawberry.field(description="What attendees should take away.")
    call_to_action: str | None = strawberry.field(
        description="What it asks centers and partners to do next (a panel's comes from its "
        'finalised "Call to action" draft); null until set.'
    )
    status: ProposalStatus = strawberry.field(description="Where it stands.")
    created_at: datetime = strawberry.field(description="When it was submitted (UTC).")
    session_pk: strawberry.Private[int]
    proposer_pk: strawberry.Private[int | None]
    agenda_item_pk: strawberry.Private[int | None]
    thread_pk: strawberry.Private[int | None]
    audience: strawberry.Private[str]
    reason: strawberry.Private[str | None]
    decided: strawberry.Private[datetime | None]

    @classmethod
    def from_row(cls, row: ProposalRow) -> Proposal:
        return cls(
            pk=row.id,
            title=row.title,
            kind=row.kind,
            abstract=row.abstract,
            objectives=row.objectives,
            call_to_action=row.call_to_action,
            status=row.status,
            created_at=row.created_at,
            session_pk=row.session_id,
            proposer_pk=row.proposer_id,
            agenda_item_pk=row.agenda_item_id,
            thread_pk=row.thread_id,
            audience=row.intended_audience,
            reason=row.decision_reason,
            decided=row.decided_at,
        )

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[Proposal | None]:
        info.context.viewer.require_member()
        rows = await reading.proposals_by_id(info.context.db, info.context.viewer, pks)
        return [cls.from_row(rows[pk]) if pk in rows else None for pk in pks]

    async def _insider(self, info: Info) -> bool:
        return (await loaders.standings(info).load(self.pk)).insider

    @strawberry.field(
        description="Who it is for; may be empty; empty for members who see only a delivered "
        "proposal's public parts."
    )
    async def intended_audience(self, info: Info) -> str:
        return self.audience if await self._insider(info) else ""

    @strawberry.field(
        description="Why it was decided so (required when declined); null before a decision, "
        "and for members who see only a delivered proposal's public parts."
    )
    async def decision_reason(self, info: Info) -> str | None:
        return self.reason if await self._insider(info) else None

    @strawberry.field(
        description="When it was decided (UTC); null before a decision, and for members who "
        "see only a delivered proposal's public parts."
    )
    async def decided_at(self, info: Info) -> datetime | None:
        return self.decided if await self._insider(info) else None

    @strawberry.field(description="The Learning Session it is proposed for.")
    async def learning_session(self, info: Info) -> LearningSessionType | None:
        found = await fetch_node(info, "LearningSession", self.session_pk)
        return found if isinstance(found, LearningSessionType) else None

    @strawberry.field(description="Who proposed it.")
    async def proposer(self, info: Info) -> PersonType | None:
        return await load_person(info, self.proposer_pk)

    @strawberry.field(
        description="Its proposed presenters, in order. Those who have not CONFIRMED are shown "
        "only to network staff, the proposer and themselves."
    )
    async def presenters(self, info: Info) -> list[ProposalPresenter]:
        rows = await loaders.presenters(info).load(self.pk)
        return [ProposalPresenter.from_row(row) for row in rows]

    @strawberry.field(
        description="Its reviews, oldest first; null unless the viewer is network staff or on "
        "the session's review committee, and always for its proposer and presenters."
    )
    async def reviews(self, info: Info) -> list[ProposalReview] | None:
        standing = await loaders.standings(info).load(self.pk)
        if not standing.sees_reviews:
            return None
        rows = await loaders.reviews(info).load(self.pk)
        return [ProposalReview.from_row(row) for row in rows]

    @strawberry.field(description="Whether the viewer may read its reviews (`reviews`).")
    async def viewer_can_see_reviews(self, info: Info) -> bool:
        return (await loaders.standings(info).load(self.pk)).sees_reviews

    @strawberry.field(description="Whether the viewer may review it now (`reviewProposal`).")
    async def viewer_can_review(self, info: Info) -> bool:
        return (await loaders.standings(info).load(self.pk)).may_review

    @strawberry.field(description="Whether the viewer may decide it now (`decideProposal`).")
    async def viewer_can_decide(self, info: Info) -> bool:
        return (await loaders.standings(info).load(self.pk)).may_decide

    @strawberry.field(
        description="Whether the viewer is a proposed presenter who may answer "
        "(`confirmPresenter`)."
    )
    async def viewer_can_confirm_presenter(self, info: Info) -> bool:
        me = info.context.viewer.person_id
        rows = await loaders.presenters(info).load(self.pk)
        return any(row.person_id == me for row in rows)

    @strawberry.field(
        description="Its pipeline once accepted (idea → outline → coached → prepped → "
        "run-through → delivered), in order; empty before, and for members who see only a "
        "delivered proposal's public parts."
    )
    async def stages(self, info: Info) -> list[StageType]:
        from icn_panels.schema.stages import ProposalStage

        if not await self._insider(info):
            return []
        rows = await loaders.stages(info).load(self.pk)
        return [ProposalStage.from_row(row) for row in rows]

    @strawberry.field(
        description="The first stage not done; null before acceptance or once delivered."
    )
    async def current_stage(self, info: Info) -> StageType | None:
        from icn_panels.schema.stages import ProposalStage

        if not await self._insider(info):
            return None
        row = current_stage(await loaders.stages(info).load(self.pk))
        return ProposalStage.from_row(row) if row is not None else None

    @strawberry.field(
        description="Whether the viewer may complete its current stage (`advanceStage`): the "
        "stage's owner, its coach, or network staff."
    )
    async def viewer_can_advance_stage(self, info: Info) -> bool:
        row = current_stage(await loaders.stages(info).load(self.pk))
        return may_advance(info.context.viewer, row)

    @strawberry.field(
        description="The agenda item it became (`scheduleProposal`); null until scheduled, and "
        "again if the item is removed from the agenda."
    )
    async def agenda_item(self, info: Info) -> AgendaItemType | None:
        if self.agenda_item_pk is None:
            return None
        found = await fetch_node(info, "AgendaItem", self.agenda_item_pk)
        return found if isinstance(found, AgendaItemType) else None

    @strawberry.field(
        description="Whether the viewer may put it on the agenda (`scheduleProposal`): network "
        "staff, once its PREPPED stage is done, if it is not on the agenda already."
    )
    async def viewer_can_schedule(self, info: Info) -> bool:
        if not info.context.viewer.is_staff:
            return False
        rows = await loaders.stages(info).load(self.pk)
        return may_schedule(info.context.viewer, self.agenda_item_pk, rows)

    @strawberry.field(
        description="A panel's invited moderator and panelists with their answers, the "
        "moderator first, then in the order invited; empty for other kinds."
    )
    async def panelists(self, info: Info) -> list[PanelInvitation]:
        rows = await loaders.invitations(info).load(self.pk)
        return [PanelInvitation.from_row(row) for row in rows]

    @strawberry.field(
        description="Whether the viewer may invite a moderator or panelists "
        "(`invitePanelist`): its proposer, network staff, or an owner or coach of one of its "
        "stages; for a panel that is not declined."
    )
    async def viewer_can_invite_panelist(self, info: Info) -> bool:
        viewer = info.context.viewer
        if viewer.person_id is None or self.kind != ProposalKind.PANEL:
            return False
        stages = [] if viewer.is_staff else await loaders.stages(info).load(self.pk)
        return may_invite(viewer, self.proposer_pk, self.kind, self.status, stages)

    @strawberry.field(
        description='A panel\'s co-design thread (icn-codesign), with its "Objectives" and '
        '"Call to action" drafts; null for other kinds and for viewers who may not read it '
        "(its participants: the proposer, confirmed presenters, accepted panelists; and "
        "network staff)."
    )
    async def thread(self, info: Info) -> Thread | None:
        if self.thread_pk is None:
            return None
        row = await codesign_threads(info).load(self.thread_pk)
        return Thread.from_row(row) if row is not None else None
