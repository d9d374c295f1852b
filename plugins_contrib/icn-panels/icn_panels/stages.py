"""The pipeline of an accepted proposal: idea → outline → coached → prepped → run-through →
delivered. Accepting a proposal creates its stages (IDEA done, the others due a documented number
of days before the session's first day, owned by the proposer and coached by the staff member who
accepted it); the owner, the coach or staff complete the current stage with its evidence
(``advance_stage``); staff set a stage's owner, coach or due date (``assign_stage``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import (
    Checker,
    Database,
    Forbidden,
    LearningSession,
    Person,
    SubjectRef,
    UserErrorCode,
    Viewer,
    add_member_follows,
    record,
    to_global_id,
    utcnow,
)
from icn_panels.access import load_proposal
from icn_panels.events import StageAdvanced, StageAssigned
from icn_panels.models import (
    DUE_DAYS_BEFORE,
    EVIDENCE_LENGTH,
    STAGES,
    Proposal,
    ProposalStage,
    Stage,
)

ACCEPTED_NO_STAGES = "Only an accepted proposal has stages."


async def create_stages(
    session: AsyncSession, proposal: Proposal, coach_id: int | None, now: datetime
) -> None:
    """The stages of a just-accepted proposal, in the transaction accepting it."""
    starts_on = await session.scalar(
        select(LearningSession.starts_on).where(LearningSession.id == proposal.session_id)
    )
    assert starts_on is not None
    for position, stage in enumerate(STAGES):
        done = stage == Stage.IDEA  # the accepted proposal is the idea
        session.add(
            ProposalStage(
                proposal_id=proposal.id,
                stage=stage,
                position=position,
                due_on=starts_on - timedelta(days=DUE_DAYS_BEFORE[stage]),
                owner_id=proposal.proposer_id,
                coach_id=coach_id,
                completed_at=now if done else None,
                completed_by=coach_id if done else None,
            )
        )
    if coach_id is not None:
        await add_member_follows(session, to_global_id("Proposal", proposal.id), [coach_id])


async def stages_of(session: AsyncSession, proposal_id: int) -> list[ProposalStage]:
    rows = await session.scalars(
        select(ProposalStage)
        .where(ProposalStage.proposal_id == proposal_id)
        .order_by(ProposalStage.position)
    )
    return list(rows)


def current_stage(stages: list[ProposalStage]) -> ProposalStage | None:
    """The first stage not completed; None once delivered (or for a proposal without stages)."""
    return next((row for row in stages if row.completed_at is None), None)


def may_advance(viewer: Viewer, stage: ProposalStage | None) -> bool:
    """Its owner, its coach, or network staff."""
    me = viewer.person_id
    if stage is None or me is None:
        return False
    return viewer.is_staff or me in (stage.owner_id, stage.coach_id)


@dataclass(frozen=True)
class Evidence:
    text: str = ""  # a draft's text or URL
    rehearsal_on: date | None = None  # the run-through's rehearsal date


async def advance_stage(
    db: Database, viewer: Viewer, proposal_pk: int, evidence: Evidence
) -> Proposal:
    """Complete the proposal's current stage with its evidence: OUTLINE, COACHED and PREPPED need
    a draft (text or URL), RUN_THROUGH a rehearsal date; DELIVERED needs nothing."""
    me = viewer.require_member()
    check = Checker()
    text = check.text(
        "evidence",
        evidence.text,
        max_length=EVIDENCE_LENGTH,
        label="Evidence",
        multiline=True,
        required=False,
    )
    async with db.transaction() as session:
        proposal = await load_proposal(session, viewer, proposal_pk)
        stages = await stages_of(session, proposal.id)
        stage = current_stage(stages)
        if not stages:
            check.add("proposalId", ACCEPTED_NO_STAGES, UserErrorCode.CONFLICT)
            check.raise_if_any()
        if stage is None:
            check.add(
                "proposalId", "Every stage is done: it was delivered.", UserErrorCode.CONFLICT
            )
            check.raise_if_any()
        assert stage is not None
        if not may_advance(viewer, stage):
            raise Forbidden("Only the stage's owner, its coach or network staff can advance it.")
        if stage.stage == Stage.RUN_THROUGH and evidence.rehearsal_on is None:
            check.add("rehearsalOn", "Give the date of the run-through's rehearsal.")
        if stage.stage in (Stage.OUTLINE, Stage.COACHED, Stage.PREPPED) and not text:
            check.add("evidence", "Give the draft (its text or a link to it) as evidence.")
        check.raise_if_any()
        now = utcnow()
        stage.evidence = text or None
        stage.rehearsal_on = evidence.rehearsal_on
        stage.completed_at, stage.completed_by = now, me
        proposal.updated_at = now
        upcoming = current_stage(stages)
        owner = upcoming.owner_id if upcoming is not None else None
        advanced = StageAdvanced(
            proposal=SubjectRef("Proposal", proposal.id),
            title=proposal.title,
            stage=stage.stage.value,
            evidence=text,
            rehearsal_on=evidence.rehearsal_on.isoformat() if evidence.rehearsal_on else None,
            next_stage=upcoming.stage.value if upcoming is not None else None,
            person=SubjectRef("Person", owner) if owner is not None else None,
        )
        record(session, advanced, actor_id=me)
    return proposal


@dataclass(frozen=True)
class Assignment:
    stage: Stage
    owner_id: int | None = None  # None: unchanged
    coach_id: int | None = None
    due_on: date | None = None


async def assign_stage(
    db: Database, viewer: Viewer, proposal_pk: int, change: Assignment
) -> Proposal:
    """Network staff set a stage's owner, coach or due date. A new due date in the future lets
    the overdue job alert again should it slip once more."""
    me = viewer.require_member()
    check = Checker()
    async with db.transaction() as session:
        proposal = await load_proposal(session, viewer, proposal_pk)
        if not viewer.is_staff:
            raise Forbidden("Only network staff can set a stage's owner, coach or due date.")
        row = await session.get(ProposalStage, (proposal.id, change.stage))
        if row is None:
            check.add("proposalId", ACCEPTED_NO_STAGES, UserErrorCode.CONFLICT)
            check.raise_if_any()
        assert row is not None
        for field, pk in (("ownerId", change.owner_id), ("coachId", change.coach_id)):
            if pk is not None and await session.get(Person, pk) is None:
                check.add(field, "No person has that ID.", UserErrorCode.NOT_FOUND)
        if row.completed_at is not None:
            check.add("stage", "That stage is done already.", UserErrorCode.CONFLICT)
        check.raise_if_any()
        if change.owner_id is not None:
            row.owner_id = change.owner_id
        if change.coach_id is not None:
            row.coach_id = change.coach_id
            await add_member_follows(session, to_global_id("Proposal", proposal.id), [row.coach_id])
        if change.due_on is not None:
            if change.due_on != row.due_on:
                row.overdue_at = None  # a new due date: it may slip (and alert) again
            row.due_on = change.due_on
        proposal.updated_at = utcnow()
        assigned = StageAssigned(
            proposal=SubjectRef("Proposal", proposal.id),
            title=proposal.title,
            stage=row.stage.value,
            due_on=row.due_on.isoformat(),
            owner=SubjectRef("Person", row.owner_id) if row.owner_id is not None else None,
            coach=SubjectRef("Person", row.coach_id) if row.coach_id is not None else None,
            person=SubjectRef("Person", row.owner_id) if row.owner_id is not None else None,
        )
        record(session, assigned, actor_id=me)
    return proposal
