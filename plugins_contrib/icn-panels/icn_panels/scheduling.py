"""Scheduling: network staff put an accepted proposal whose PREPPED stage is done on its
session's agenda, through core's agenda service in one transaction (core's rules: staff only;
the session's dates, the room, presenters double-booked). Its confirmed presenters go on the
item: panelists of a panel (with its accepted moderator and panelists), speakers of anything
else. A proposal is scheduled once: to move it,
staff edit the agenda item (``updateAgendaItem``); if the item is removed, it may be scheduled
again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import (
    AgendaItem,
    AgendaItemDraft,
    AgendaItemKind,
    AgendaPart,
    Checker,
    Database,
    Forbidden,
    SubjectRef,
    UserErrorCode,
    Viewer,
    add_agenda_item_in,
    record,
    utcnow,
)
from icn_panels.access import load_proposal
from icn_panels.events import ProposalScheduled
from icn_panels.models import (
    InvitationState,
    PanelInvitation,
    PanelRole,
    Presenter,
    PresenterConsent,
    Proposal,
    ProposalKind,
    ProposalStage,
    Stage,
)

NOT_PREPPED = "Only a proposal whose PREPPED stage is done can be scheduled."
SCHEDULED = "The proposal is on the agenda already: edit its agenda item to move it."


@dataclass(frozen=True)
class Slot:
    """When and where: times as core's agenda reads them (an offset: instants; none: the
    session's wall clock)."""

    starts_at: datetime
    ends_at: datetime
    room: str = ""


def is_prepped(stages: list[ProposalStage]) -> bool:
    return any(row.stage == Stage.PREPPED and row.completed_at is not None for row in stages)


def may_schedule(viewer: Viewer, agenda_item_id: int | None, stages: list[ProposalStage]) -> bool:
    """Network staff (core's agenda rule), for a prepped proposal not on the agenda yet."""
    return viewer.is_staff and agenda_item_id is None and is_prepped(stages)


async def on_the_item(
    session: AsyncSession, proposal: Proposal, presenters: list[int]
) -> list[tuple[int, AgendaPart]]:
    """Who goes on the agenda item, each once: for a panel its accepted moderator, then its
    confirmed presenters and accepted panelists (as panelists); speakers otherwise."""
    if proposal.kind != ProposalKind.PANEL:
        return [(pk, AgendaPart.SPEAKER) for pk in presenters]
    accepted = list(
        await session.execute(
            select(PanelInvitation.person_id, PanelInvitation.role)
            .where(
                PanelInvitation.proposal_id == proposal.id,
                PanelInvitation.state == InvitationState.ACCEPTED,
            )
            .order_by(PanelInvitation.id)
        )
    )
    moderators = [pk for pk, role in accepted if role == PanelRole.MODERATOR]
    panelists = [*presenters, *(pk for pk, role in accepted if role == PanelRole.PANELIST)]
    people = [(pk, AgendaPart.MODERATOR) for pk in moderators]
    people += [(pk, AgendaPart.PANELIST) for pk in dict.fromkeys(panelists) if pk not in moderators]
    return people


async def schedule_proposal(
    db: Database, viewer: Viewer, proposal_pk: int, slot: Slot
) -> tuple[Proposal, AgendaItem]:
    me = viewer.require_member()
    check = Checker()
    async with db.transaction() as session:
        proposal = await load_proposal(session, viewer, proposal_pk)
        if not viewer.is_staff:
            raise Forbidden("Only network staff can put a proposal on the agenda.")
        stages = list(
            await session.scalars(
                select(ProposalStage).where(ProposalStage.proposal_id == proposal.id)
            )
        )
        if proposal.agenda_item_id is not None:
            check.add("id", SCHEDULED, UserErrorCode.CONFLICT)
        elif not is_prepped(stages):
            check.add("id", NOT_PREPPED, UserErrorCode.CONFLICT)
        check.raise_if_any()
        presenters = await session.scalars(
            select(Presenter.person_id)
            .where(
                Presenter.proposal_id == proposal.id,
                Presenter.consent == PresenterConsent.CONFIRMED,
            )
            .order_by(Presenter.position)
        )
        people = await on_the_item(session, proposal, list(presenters))
        draft = AgendaItemDraft(
            session_id=proposal.session_id,
            title=proposal.title,
            kind=AgendaItemKind(proposal.kind.value),
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            description=proposal.abstract,
            room=slot.room,
        )
        # Core's checks; a presenter on another item at that time is refused on startsAt.
        item = await add_agenda_item_in(session, viewer, draft, people, people_field="startsAt")
        proposal.agenda_item_id = item.id
        proposal.updated_at = utcnow()
        proposer = proposal.proposer_id
        scheduled = ProposalScheduled(
            proposal=SubjectRef("Proposal", proposal.id),
            title=proposal.title,
            agenda_item=SubjectRef("AgendaItem", item.id),
            learning_session=SubjectRef("LearningSession", proposal.session_id),
            starts_at=item.starts_at.isoformat(),
            ends_at=item.ends_at.isoformat(),
            room=item.room,
            person=SubjectRef("Person", proposer) if proposer is not None else None,
        )
        record(session, scheduled, actor_id=me)
    return proposal, item
