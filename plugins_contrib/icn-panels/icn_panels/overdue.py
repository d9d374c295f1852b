"""The overdue job: a proposal's current stage (the first not done), past its due date, gets one
``proposal.stage_overdue`` event, ever (until staff give it a new due date). Later stages wait
their turn: a proposal accepted late, or one whose outline slipped, alerts about the stage its
people are on, not about every stage at once. The notification engine then tells its owner
(the event's ``person``) and its coach (who follows the proposal), by mail as each prefers and
after their quiet hours.

Exactly once across runs and concurrent workers: each stage is claimed by a conditional UPDATE
(``overdue_at IS NULL``) in the transaction that records its event, so a second worker's UPDATE
matches no row (PostgreSQL re-checks the condition once the first commits; SQLite serializes
writers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, exists, select, update
from sqlalchemy.orm import aliased

from icn_graph.plugin_api import Database, SubjectRef, record
from icn_panels.events import StageOverdue
from icn_panels.models import Proposal, ProposalStage

BATCH = 200


def _is_current() -> ColumnElement[bool]:
    """SQL over ``ProposalStage``: no earlier stage of its proposal is still to do."""
    earlier = aliased(ProposalStage)
    return ~exists().where(
        earlier.proposal_id == ProposalStage.proposal_id,
        earlier.position < ProposalStage.position,
        earlier.completed_at.is_(None),
    )


async def flag_overdue_stages(db: Database, now: datetime) -> int:
    """Record the events of stages overdue at ``now`` (due before its UTC date); how many."""
    today = now.date()
    async with db.session() as session:
        due = (
            await session.execute(
                select(ProposalStage.proposal_id, ProposalStage.stage)
                .where(
                    ProposalStage.due_on < today,
                    ProposalStage.completed_at.is_(None),
                    ProposalStage.overdue_at.is_(None),
                    _is_current(),
                )
                .order_by(ProposalStage.due_on)
                .limit(BATCH)
            )
        ).all()
    flagged = 0
    for proposal_id, stage in due:
        async with db.transaction() as session:
            claimed = await session.execute(
                update(ProposalStage)
                .where(
                    ProposalStage.proposal_id == proposal_id,
                    ProposalStage.stage == stage,
                    ProposalStage.overdue_at.is_(None),
                    ProposalStage.completed_at.is_(None),
                    ProposalStage.due_on < today,
                )
                .values(overdue_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue
            row = await session.get(ProposalStage, (proposal_id, stage))
            title = await session.scalar(select(Proposal.title).where(Proposal.id == proposal_id))
            assert row is not None
            overdue = StageOverdue(
                proposal=SubjectRef("Proposal", proposal_id),
                title=title or "",
                stage=row.stage.value,
                due_on=row.due_on.isoformat(),
                coach=SubjectRef("Person", row.coach_id) if row.coach_id is not None else None,
                person=SubjectRef("Person", row.owner_id) if row.owner_id is not None else None,
            )
            record(session, overdue, actor_id=None)
            flagged += 1
    return flagged
