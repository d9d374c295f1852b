"""Call to action → 90-day goals: a delivered proposal's call to action is offered to every
center. A center's QI lead (or network staff) adopts it as the center's 90-day goal, a parent or
patient partner as their own goal, through core's goal service (``create_goal_in``) in the
transaction that links the goal back to the proposal (``panels_adoptions``). Prefilled: the
proposal's title, its call to action as the aim, due 90 days from today (UTC); each may be
overridden. Once per proposal and center, once per proposal and partner."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import (
    PARTNER_KINDS,
    Center,
    Checker,
    Database,
    Forbidden,
    Goal,
    GoalDraft,
    GoalOwner,
    Person,
    SubjectRef,
    UserErrorCode,
    Viewer,
    create_goal_in,
    record,
    utcnow,
)
from icn_panels.access import load_proposal
from icn_panels.events import CallToActionAdopted, CallToActionUpdated
from icn_panels.models import TEXT_LENGTH, Adoption, Proposal, ProposalStage, ProposalStatus, Stage

GOAL_TITLE_LENGTH = 200  # core's goal title
GOAL_AIM_LENGTH = 2000  # core's goal aim
GOAL_DAYS = 90
MAX_GOAL_DAYS = 366  # core: a goal lasts at most this long

NOT_DELIVERED = "Only a delivered proposal's call to action can be adopted."
NO_CALL = "This proposal has no call to action to adopt."
ONE_ADOPTER = "Give a center (centerId) or partner: true, one of the two."
NOT_LEAD = "Only the center's QI lead or network staff can adopt it for the center."
NOT_PARTNER = (
    "Only a parent or patient partner adopts it as their own goal; a center's QI lead adopts "
    "it for the center."
)
CENTER_ADOPTED = "This center has adopted this call to action already."
PARTNER_ADOPTED = "You have adopted this call to action already."


@dataclass(frozen=True)
class AdoptionRequest:
    proposal_id: int
    center_id: int | None = None  # adopt for this center ...
    partner: bool = False  # ... or as the viewer's own partner goal
    title: str | None = None  # overrides the prefill: the proposal's title
    description: str | None = None  # overrides the prefill: its call to action
    due_on: date | None = None  # overrides the prefill: 90 days from today


@dataclass(frozen=True)
class Adopted:
    proposal: Proposal
    adoption: Adoption
    goal: Goal


def may_adopt_for(viewer: Viewer, center_id: int) -> bool:
    """A center's QI lead, or network staff."""
    return viewer.person_id is not None and (viewer.is_staff or viewer.leads(center_id))


LIST_MARKER = re.compile(r"^(?:[-*+]|\d+[.)])\s+")


def prefill_aim(call_to_action: str) -> str:
    """The call to action as a goal's aim: core's aim is one line, so a call to action written
    over several (a finalised draft's paragraphs and list items) is joined into one, list
    markers dropped; cut to core's length if it is longer."""
    lines = (LIST_MARKER.sub("", line.strip()) for line in call_to_action.splitlines())
    text = " ".join(line for line in lines if line)
    if len(text) <= GOAL_AIM_LENGTH:
        return text
    return text[: GOAL_AIM_LENGTH - 1].rstrip() + "…"


async def is_delivered(session: AsyncSession, proposal_id: int) -> bool:
    done = await session.scalar(
        select(ProposalStage.completed_at).where(
            ProposalStage.proposal_id == proposal_id, ProposalStage.stage == Stage.DELIVERED
        )
    )
    return done is not None


def _overrides(check: Checker, request: AdoptionRequest, starts_on: date) -> tuple[str, str, date]:
    """The goal's title, aim and due date as given, checked as core checks them (so core's
    refusals never name a field the mutation does not have)."""
    title = ""
    if request.title is not None:
        title = check.text("title", request.title, max_length=GOAL_TITLE_LENGTH, label="Title")
    aim = ""
    if request.description is not None:
        aim = check.text(
            "description",
            request.description,
            max_length=GOAL_AIM_LENGTH,
            label="A description",
            multiline=True,
        )
    due_on = request.due_on or starts_on + timedelta(days=GOAL_DAYS)
    if due_on <= starts_on:
        check.add("dueOn", f"The due date ({due_on}) must be after today ({starts_on}).")
    elif (due_on - starts_on).days > MAX_GOAL_DAYS:
        check.add("dueOn", f"A goal lasts at most {MAX_GOAL_DAYS} days.")
    return title, aim, due_on


async def _adopter(
    session: AsyncSession, check: Checker, viewer: Viewer, request: AdoptionRequest
) -> tuple[GoalOwner, str] | None:
    """Whose goal it becomes and their name; ``None`` (with the reason in ``check``) if the
    viewer may not adopt it so."""
    me = viewer.require_member()
    if (request.center_id is None) == (not request.partner):
        check.add("centerId", ONE_ADOPTER)
        return None
    if request.center_id is not None:
        center = await session.get(Center, request.center_id)
        if center is None:
            check.add("centerId", "No center has that ID.", UserErrorCode.NOT_FOUND)
            return None
        if not may_adopt_for(viewer, center.id):
            check.add("centerId", NOT_LEAD)
            return None
        return GoalOwner(center_id=center.id), center.name
    person = await session.get(Person, me)
    assert person is not None
    if person.kind not in PARTNER_KINDS:
        check.add("partner", NOT_PARTNER)
        return None
    return GoalOwner(person_id=me), person.display_name


async def adopt_call_to_action(db: Database, viewer: Viewer, request: AdoptionRequest) -> Adopted:
    me = viewer.require_member()
    check = Checker()
    starts_on = utcnow().date()
    title, aim, due_on = _overrides(check, request, starts_on)
    async with db.transaction() as session:
        proposal = await load_proposal(session, viewer, request.proposal_id)
        # Adoptions of one proposal run one after another (PostgreSQL), so two requests for
        # one center cannot both pass the check below.
        await session.execute(
            select(Proposal.id).where(Proposal.id == proposal.id).with_for_update()
        )
        if not await is_delivered(session, proposal.id):
            check.add("proposalId", NOT_DELIVERED, UserErrorCode.CONFLICT)
        elif not (proposal.call_to_action or "").strip():
            check.add("proposalId", NO_CALL, UserErrorCode.CONFLICT)
        adopter = await _adopter(session, check, viewer, request)
        if adopter is not None:
            owner, name = adopter
            taken = await session.scalar(
                select(Adoption.id).where(
                    Adoption.proposal_id == proposal.id,
                    Adoption.center_id == owner.center_id
                    if owner.center_id is not None
                    else Adoption.person_id == owner.person_id,
                )
            )
            if taken is not None:
                field, message = (
                    ("centerId", CENTER_ADOPTED)
                    if owner.center_id is not None
                    else ("partner", PARTNER_ADOPTED)
                )
                check.add(field, message, UserErrorCode.CONFLICT)
        check.raise_if_any()
        assert adopter is not None
        owner, name = adopter
        draft = GoalDraft(
            owner=owner,
            title=title or proposal.title,
            aim=aim or prefill_aim(proposal.call_to_action or ""),
            starts_on=starts_on,
            due_on=due_on,
        )
        goal = await create_goal_in(session, viewer, draft)
        adoption = Adoption(
            proposal_id=proposal.id,
            goal_id=goal.id,
            center_id=owner.center_id,
            person_id=owner.person_id,
            adopted_by=me,
            adopted_at=utcnow(),
        )
        session.add(adoption)
        await session.flush()
        proposer = proposal.proposer_id
        adopted = CallToActionAdopted(
            proposal=SubjectRef("Proposal", proposal.id),
            title=proposal.title,
            goal=SubjectRef("Goal", goal.id),
            goal_title=goal.title,
            due_on=goal.due_on.isoformat(),
            adopter=name,
            center=SubjectRef("Center", owner.center_id) if owner.center_id is not None else None,
            person=SubjectRef("Person", proposer) if proposer is not None else None,
        )
        record(session, adopted, actor_id=me)
    return Adopted(proposal, adoption, goal)


ACCEPTED = (ProposalStatus.ACCEPTED, ProposalStatus.ACCEPTED_WITH_COACHING)


async def update_call_to_action(
    db: Database, viewer: Viewer, proposal_pk: int, call_to_action: str
) -> Proposal:
    """Network staff set an accepted proposal's call to action (empty: clear it). A panel's
    usually comes from its finalised "Call to action" draft; staff may edit it."""
    me = viewer.require_member()
    check = Checker()
    text = check.text(
        "callToAction",
        call_to_action,
        max_length=TEXT_LENGTH,
        label="A call to action",
        multiline=True,
        required=False,
    )
    async with db.transaction() as session:
        proposal = await load_proposal(session, viewer, proposal_pk)
        if not viewer.is_staff:
            raise Forbidden("Only network staff can edit a proposal's call to action.")
        if proposal.status not in ACCEPTED:
            check.add(
                "proposalId",
                "Only an accepted proposal has a call to action.",
                UserErrorCode.CONFLICT,
            )
        check.raise_if_any()
        if (proposal.call_to_action or "") == text:
            return proposal  # nothing changed, nothing to record
        proposal.call_to_action = text or None
        proposal.updated_at = utcnow()
        proposer = proposal.proposer_id
        updated = CallToActionUpdated(
            proposal=SubjectRef("Proposal", proposal.id),
            title=proposal.title,
            call_to_action=text,
            person=SubjectRef("Person", proposer) if proposer is not None else None,
        )
        record(session, updated, actor_id=me)
    return proposal
