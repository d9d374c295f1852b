"""icn-panels' mutations: open a call, submit, answer as a presenter, grant the reviewer role,
review, decide, advance and assign stages, schedule, invite panelists and answer invitations.
Each returns a payload with ``userErrors`` for refused input; authorization is the services'."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from icn_graph.plugin_api import (
    USER_ERRORS_DESCRIPTION,
    AgendaItemType,
    Info,
    InputArgument,
    LearningSessionType,
    PersonType,
    UserError,
    attempt,
    expect_global_id,
    fetch_node,
)
from icn_panels import calls, decisions, panelists, proposals, reviews, scheduling, stages
from icn_panels.models import Decision, PanelRole, ProposalKind, Stage
from icn_panels.models import PanelInvitation as InvitationRow
from icn_panels.schema.types import CallForProposals, PanelInvitation, Proposal, ProposalReview


async def _session(info: Info, pk: int) -> LearningSessionType | None:
    found = await fetch_node(info, "LearningSession", pk)
    return found if isinstance(found, LearningSessionType) else None


@strawberry.input(description="A Learning Session's call for proposals: when it opens and closes.")
class OpenCallForProposalsInput:
    learning_session_id: strawberry.ID = strawberry.field(description="The Learning Session.")
    opens_at: datetime = strawberry.field(description="When proposals are first accepted.")
    closes_at: datetime = strawberry.field(description="When they stop; after `opensAt`.")


@strawberry.type(description="What `openCallForProposals` did.")
class OpenCallForProposalsPayload:
    call_for_proposals: CallForProposals | None = strawberry.field(
        description="The call as opened; null if refused."
    )
    learning_session: LearningSessionType | None = strawberry.field(
        description="The Learning Session; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A proposal for a Learning Session.")
class SubmitProposalInput:
    learning_session_id: strawberry.ID = strawberry.field(
        description="The Learning Session; its call for proposals must be open."
    )
    title: str = strawberry.field(description="What it is called; at most 200 characters.")
    kind: ProposalKind = strawberry.field(description="What it would be on the agenda.")
    abstract: str = strawberry.field(description="What it is about; at most 5000 characters.")
    objectives: str = strawberry.field(
        default="", description="What attendees should take away; at most 5000 characters."
    )
    intended_audience: str = strawberry.field(
        default="", description="Who it is for; at most 500 characters."
    )
    person_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="The proposed presenters (Person IDs), in order; each is asked to confirm "
        "before being listed (the proposer, if among them, confirms by proposing).",
    )


@strawberry.type(description="What a mutation did to a proposal.")
class ProposalPayload:
    proposal: Proposal | None = strawberry.field(description="The proposal; null if refused.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A proposed presenter's answer.")
class ConfirmPresenterInput:
    proposal_id: strawberry.ID = strawberry.field(description="The proposal naming the viewer.")
    confirm: bool = strawberry.field(
        default=True, description="True: present and be listed; false: decline."
    )


@strawberry.input(description="A person to add to a Learning Session's review committee.")
class GrantReviewerRoleInput:
    learning_session_id: strawberry.ID = strawberry.field(description="The Learning Session.")
    person_id: strawberry.ID = strawberry.field(description="Who reviews its proposals.")


@strawberry.type(description="What `grantReviewerRole` did.")
class GrantReviewerRolePayload:
    learning_session: LearningSessionType | None = strawberry.field(
        description="The Learning Session; null if refused."
    )
    reviewer: PersonType | None = strawberry.field(
        description="The new committee member; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A review of a proposal.")
class ReviewProposalInput:
    id: strawberry.ID = strawberry.field(description="The proposal.")
    score: int = strawberry.field(description="From 1 (weak) to 5 (strong).")
    comment: str = strawberry.field(
        default="", description="For the committee and staff, never the presenters."
    )


@strawberry.type(description="What `reviewProposal` did.")
class ReviewProposalPayload:
    review: ProposalReview | None = strawberry.field(
        description="The viewer's review, new or revised; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A decision about a proposal.")
class DecideProposalInput:
    id: strawberry.ID = strawberry.field(description="The proposal.")
    decision: Decision = strawberry.field(description="Accept, accept with coaching, or decline.")
    reason: str = strawberry.field(
        default="", description="Why; required to decline; the proposer reads it."
    )


@strawberry.input(description="The current stage of an accepted proposal, done, with its evidence.")
class AdvanceStageInput:
    proposal_id: strawberry.ID = strawberry.field(description="The accepted proposal.")
    evidence: str = strawberry.field(
        default="",
        description="A draft's text or a link to it; required for OUTLINE, COACHED and PREPPED; "
        "at most 2000 characters.",
    )
    rehearsal_on: date | None = strawberry.field(
        default=None, description="The rehearsal date; required for RUN_THROUGH."
    )


@strawberry.input(description="A stage's owner, coach or due date, as network staff set them.")
class AssignStageInput:
    proposal_id: strawberry.ID = strawberry.field(description="The accepted proposal.")
    stage: Stage = strawberry.field(description="Which stage; not one done already.")
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Who moves it forward (a Person); null: unchanged."
    )
    coach_id: strawberry.ID | None = strawberry.field(
        default=None, description="Who coaches it (a Person); null: unchanged."
    )
    due_on: date | None = strawberry.field(
        default=None, description="When it is due; null: unchanged."
    )


@strawberry.input(description="When and where a prepped proposal goes on its session's agenda.")
class ScheduleProposalInput:
    id: strawberry.ID = strawberry.field(
        description="The accepted proposal; its PREPPED stage must be done."
    )
    starts_at: datetime = strawberry.field(
        description="When it starts: with an offset an instant, without one the session's "
        "wall-clock time; within the session's dates."
    )
    ends_at: datetime = strawberry.field(description="When it ends; after `startsAt`.")
    room: str = strawberry.field(
        default="", description="Where; free if given; at most 100 characters."
    )


@strawberry.type(description="What `scheduleProposal` did.")
class ScheduleProposalPayload:
    proposal: Proposal | None = strawberry.field(description="The proposal; null if refused.")
    agenda_item: AgendaItemType | None = strawberry.field(
        description="The agenda item it became, with its presenters on it; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="Someone to invite to moderate or sit on a panel.")
class InvitePanelistInput:
    proposal_id: strawberry.ID = strawberry.field(description="The panel's proposal.")
    person_id: strawberry.ID = strawberry.field(
        description="Who is invited (a Person); once per panel."
    )
    role: PanelRole = strawberry.field(description="MODERATOR (at most one accepts) or PANELIST.")
    message: str = strawberry.field(
        default="", description="A note for them; at most 2000 characters."
    )


@strawberry.input(description="The invited person's answer to an invitation to a panel.")
class RespondToInvitationInput:
    invitation_id: strawberry.ID = strawberry.field(description="The invitation.")
    accept: bool = strawberry.field(description="True: accept; false: decline.")
    reason: str = strawberry.field(
        default="", description="Why; required to decline; at most 1000 characters."
    )


@strawberry.type(description="What `invitePanelist` or `respondToInvitation` did.")
class PanelInvitationPayload:
    invitation: PanelInvitation | None = strawberry.field(
        description="The invitation; null if refused."
    )
    proposal: Proposal | None = strawberry.field(
        description="The panel's proposal; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


async def _invitation_payload(
    info: Info, row: InvitationRow | None, errors: list[UserError]
) -> PanelInvitationPayload:
    if row is None:
        return PanelInvitationPayload(invitation=None, proposal=None, user_errors=errors)
    found = await fetch_node(info, "Proposal", row.proposal_id)
    return PanelInvitationPayload(
        invitation=PanelInvitation.from_row(row),
        proposal=found if isinstance(found, Proposal) else None,
        user_errors=[],
    )


@strawberry.type
class PanelsMutation:
    @strawberry.mutation(
        description="Open (or reschedule) a Learning Session's call for proposals: network staff."
    )
    async def open_call_for_proposals(
        self, info: Info, input: InputArgument[OpenCallForProposalsInput]
    ) -> OpenCallForProposalsPayload:
        pk = expect_global_id(
            input.learning_session_id, "LearningSession", field="learningSessionId"
        )
        row, errors = await attempt(
            calls.open_call_for_proposals(
                info.context.db, info.context.viewer, pk, input.opens_at, input.closes_at
            )
        )
        if row is None:
            return OpenCallForProposalsPayload(
                call_for_proposals=None, learning_session=None, user_errors=errors
            )
        return OpenCallForProposalsPayload(
            call_for_proposals=CallForProposals.from_row(row),
            learning_session=await _session(info, pk),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Propose a panel, breakout, workshop, plenary or poster for a Learning "
        "Session, while its call is open: any member."
    )
    async def submit_proposal(
        self, info: Info, input: InputArgument[SubmitProposalInput]
    ) -> ProposalPayload:
        pk = expect_global_id(
            input.learning_session_id, "LearningSession", field="learningSessionId"
        )
        people = [
            expect_global_id(value, "Person", field="personIds") for value in input.person_ids
        ]
        draft = proposals.ProposalDraft(
            title=input.title,
            kind=input.kind,
            abstract=input.abstract,
            objectives=input.objectives,
            intended_audience=input.intended_audience,
            presenters=people,
        )
        row, errors = await attempt(
            proposals.submit_proposal(info.context.db, info.context.viewer, pk, draft)
        )
        return ProposalPayload(proposal=Proposal.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="As a proposed presenter, confirm (and be listed) or decline.")
    async def confirm_presenter(
        self, info: Info, input: InputArgument[ConfirmPresenterInput]
    ) -> ProposalPayload:
        pk = expect_global_id(input.proposal_id, "Proposal", field="proposalId")
        row, errors = await attempt(
            proposals.respond_as_presenter(
                info.context.db, info.context.viewer, pk, confirm=input.confirm
            )
        )
        return ProposalPayload(proposal=Proposal.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Add a person to a Learning Session's review committee: network staff."
    )
    async def grant_reviewer_role(
        self, info: Info, input: InputArgument[GrantReviewerRoleInput]
    ) -> GrantReviewerRolePayload:
        session_pk = expect_global_id(
            input.learning_session_id, "LearningSession", field="learningSessionId"
        )
        person_pk = expect_global_id(input.person_id, "Person", field="personId")
        row, errors = await attempt(
            calls.grant_reviewer_role(info.context.db, info.context.viewer, session_pk, person_pk)
        )
        if row is None:
            return GrantReviewerRolePayload(
                learning_session=None, reviewer=None, user_errors=errors
            )
        person = await info.context.loaders.person.load(person_pk)
        return GrantReviewerRolePayload(
            learning_session=await _session(info, session_pk),
            reviewer=PersonType.from_model(person) if person else None,
            user_errors=[],
        )

    @strawberry.mutation(
        description="Score a proposal from 1 to 5 with a comment (again: revise it): network "
        "staff and the session's review committee, never on their own proposal."
    )
    async def review_proposal(
        self, info: Info, input: InputArgument[ReviewProposalInput]
    ) -> ReviewProposalPayload:
        pk = expect_global_id(input.id, "Proposal", field="id")
        row, errors = await attempt(
            reviews.review_proposal(
                info.context.db, info.context.viewer, pk, input.score, input.comment
            )
        )
        return ReviewProposalPayload(
            review=ProposalReview.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Accept, accept with coaching, or decline (with a reason) a proposal: "
        "network staff, never their own."
    )
    async def decide_proposal(
        self, info: Info, input: InputArgument[DecideProposalInput]
    ) -> ProposalPayload:
        pk = expect_global_id(input.id, "Proposal", field="id")
        row, errors = await attempt(
            decisions.decide_proposal(
                info.context.db, info.context.viewer, pk, input.decision, input.reason
            )
        )
        return ProposalPayload(proposal=Proposal.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Complete an accepted proposal's current stage with its evidence: the "
        "stage's owner, its coach, or network staff."
    )
    async def advance_stage(
        self, info: Info, input: InputArgument[AdvanceStageInput]
    ) -> ProposalPayload:
        pk = expect_global_id(input.proposal_id, "Proposal", field="proposalId")
        evidence = stages.Evidence(text=input.evidence, rehearsal_on=input.rehearsal_on)
        row, errors = await attempt(
            stages.advance_stage(info.context.db, info.context.viewer, pk, evidence)
        )
        return ProposalPayload(proposal=Proposal.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="Set a stage's owner, coach or due date: network staff.")
    async def assign_stage(
        self, info: Info, input: InputArgument[AssignStageInput]
    ) -> ProposalPayload:
        pk = expect_global_id(input.proposal_id, "Proposal", field="proposalId")
        owner = (
            expect_global_id(input.owner_id, "Person", field="ownerId") if input.owner_id else None
        )
        coach = (
            expect_global_id(input.coach_id, "Person", field="coachId") if input.coach_id else None
        )
        change = stages.Assignment(
            stage=input.stage, owner_id=owner, coach_id=coach, due_on=input.due_on
        )
        row, errors = await attempt(
            stages.assign_stage(info.context.db, info.context.viewer, pk, change)
        )
        return ProposalPayload(proposal=Proposal.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Put a prepped proposal on its session's agenda, its confirmed presenters on "
        "the item (panelists of a panel, speakers otherwise), with core's agenda checks (the "
        "session's dates, the room, presenters double-booked): network staff. Once only."
    )
    async def schedule_proposal(
        self, info: Info, input: InputArgument[ScheduleProposalInput]
    ) -> ScheduleProposalPayload:
        pk = expect_global_id(input.id, "Proposal", field="id")
        slot = scheduling.Slot(starts_at=input.starts_at, ends_at=input.ends_at, room=input.room)
        done, errors = await attempt(
            scheduling.schedule_proposal(info.context.db, info.context.viewer, pk, slot)
        )
        if done is None:
            return ScheduleProposalPayload(proposal=None, agenda_item=None, user_errors=errors)
        row, item = done
        return ScheduleProposalPayload(
            proposal=Proposal.from_row(row),
            agenda_item=AgendaItemType.from_model(item),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Invite someone to moderate or sit on a panel: its proposer, network staff, "
        "or an owner or coach of one of its stages. They see the proposal and answer with "
        "`respondToInvitation`."
    )
    async def invite_panelist(
        self, info: Info, input: InputArgument[InvitePanelistInput]
    ) -> PanelInvitationPayload:
        pk = expect_global_id(input.proposal_id, "Proposal", field="proposalId")
        person = expect_global_id(input.person_id, "Person", field="personId")
        wanted = panelists.Invitation(person_id=person, role=input.role, message=input.message)
        row, errors = await attempt(
            panelists.invite_panelist(info.context.db, info.context.viewer, pk, wanted)
        )
        return await _invitation_payload(info, row, errors)

    @strawberry.mutation(
        description="Accept or decline (with a reason) an invitation to a panel: the person "
        "invited, once. Accepting joins the panel's co-design thread."
    )
    async def respond_to_invitation(
        self, info: Info, input: InputArgument[RespondToInvitationInput]
    ) -> PanelInvitationPayload:
        pk = expect_global_id(input.invitation_id, "PanelInvitation", field="invitationId")
        row, errors = await attempt(
            panelists.respond_to_invitation(
                info.context.db, info.context.viewer, pk, accept=input.accept, reason=input.reason
            )
        )
        return await _invitation_payload(info, row, errors)
