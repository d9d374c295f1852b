"""The pipeline's GraphQL types: ``ProposalStage`` (one stage of an accepted proposal) and
``ProposalBoardEntry`` (a row of the staff board, ``LearningSession.proposalBoard``)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from icn_graph.plugin_api import Info, PersonType, described_enum, utcnow
from icn_panels.models import Proposal as ProposalRow
from icn_panels.models import ProposalStage as StageRow
from icn_panels.models import Stage
from icn_panels.schema.types import Proposal, load_person

described_enum(
    Stage,
    name="ProposalStageName",
    description="A stage of an accepted proposal's pipeline, in order.",
    values={
        Stage.IDEA: "The accepted idea (done on acceptance).",
        Stage.OUTLINE: "An outline drafted (evidence: the draft).",
        Stage.COACHED: "Coached on the outline (evidence: the revised draft).",
        Stage.PREPPED: "Slides or materials prepared (evidence: the draft).",
        Stage.RUN_THROUGH: "Rehearsed (evidence: the rehearsal date).",
        Stage.DELIVERED: "Delivered at the session.",
    },
)


def days_late(row: StageRow, today: date) -> int:
    """Days past its due date: when it was done, or today if not yet (0 when on time)."""
    until = row.completed_at.date() if row.completed_at is not None else today
    return max(0, (until - row.due_on).days)


@strawberry.type(description="One stage of an accepted proposal's pipeline.")
class ProposalStage:
    stage: Stage = strawberry.field(description="Which stage.")
    due_on: date = strawberry.field(
        description="When it is due (by default a set number of days before the session)."
    )
    evidence: str | None = strawberry.field(
        description="Its evidence once done: a draft's text or a link to it."
    )
    rehearsal_on: date | None = strawberry.field(
        description="The rehearsal date, for the RUN_THROUGH stage once done."
    )
    completed_at: datetime | None = strawberry.field(description="When it was done (UTC).")
    days_late: int = strawberry.field(
        description="Days past its due date: when done, or today while not done; 0 if on time."
    )
    owner_pk: strawberry.Private[int | None]
    coach_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: StageRow) -> ProposalStage:
        return cls(
            stage=row.stage,
            due_on=row.due_on,
            evidence=row.evidence,
            rehearsal_on=row.rehearsal_on,
            completed_at=row.completed_at,
            days_late=days_late(row, utcnow().date()),
            owner_pk=row.owner_id,
            coach_pk=row.coach_id,
        )

    @strawberry.field(description="Whether it is past its due date and not done.")
    def is_overdue(self) -> bool:
        return self.completed_at is None and self.days_late > 0

    @strawberry.field(description="Who moves it forward (by default the proposer).")
    async def owner(self, info: Info) -> PersonType | None:
        return await load_person(info, self.owner_pk)

    @strawberry.field(description="Who coaches it (by default the staff member who accepted).")
    async def coach(self, info: Info) -> PersonType | None:
        return await load_person(info, self.coach_pk)


def current(rows: list[StageRow]) -> StageRow | None:
    return next((row for row in rows if row.completed_at is None), None)


@strawberry.type(description="A row of the staff pipeline board: an accepted proposal's stage.")
class ProposalBoardEntry:
    proposal: Proposal = strawberry.field(description="The accepted proposal.")
    stages: list[ProposalStage] = strawberry.field(description="All its stages, in order.")
    current_stage: ProposalStage | None = strawberry.field(
        description="The first stage not done; null once delivered."
    )
    days_late: int = strawberry.field(
        description="Slippage: how many days late its current stage is (0 if on time), or "
        "how late delivery was once delivered."
    )

    @classmethod
    def from_rows(cls, proposal: ProposalRow, rows: list[StageRow]) -> ProposalBoardEntry:
        stages = [ProposalStage.from_row(row) for row in rows]
        now = current(rows)
        at = rows.index(now) if now is not None else len(rows) - 1
        return cls(
            proposal=Proposal.from_row(proposal),
            stages=stages,
            current_stage=stages[at] if now is not None else None,
            days_late=stages[at].days_late if stages else 0,
        )
