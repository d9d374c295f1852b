"""A panel's co-design thread, through icn-codesign's public services.

Started with the panel (``submitProposal`` of a PANEL), by its proposer: attached to the
proposal, open to its participants only (and network staff, who moderate every thread), with
two drafts, "Objectives" (``panel.objectives``, from the proposal's objectives) and "Call to
action" (``panel.call_to_action``). Confirmed presenters and accepted panelists join it.
When one of those drafts becomes FINAL, the proposal's ``objectives`` or ``call_to_action`` is
set from its text (``apply_final_draft``, on icn-codesign's ``icn_codesign_draft_finalised``
hook): only for the proposal's own thread, once per text (idempotent: a delivery heard again
changes nothing).
"""

from __future__ import annotations

from icn_codesign.drafts import Revision, revise_draft_in
from icn_codesign.events import Invited
from icn_codesign.hooks import DraftKind, FinalisedDraft
from icn_codesign.models import Thread, ThreadAudience
from icn_codesign.participation import join
from icn_codesign.threads import NewThread, start_thread_in
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import (
    BadInput,
    Person,
    SubjectRef,
    Viewer,
    parse_global_id,
    record,
    to_global_id,
    utcnow,
)
from icn_panels.events import PanelTextFinalised
from icn_panels.models import Proposal

OBJECTIVES_KIND = "panel.objectives"
CALL_TO_ACTION_KIND = "panel.call_to_action"
DRAFT_KINDS = (
    DraftKind(OBJECTIVES_KIND, "Panel objectives"),
    DraftKind(CALL_TO_ACTION_KIND, "Call to action"),
)
# Which column of the proposal a final draft of each kind sets.
COLUMNS = {OBJECTIVES_KIND: "objectives", CALL_TO_ACTION_KIND: "call_to_action"}
OBJECTIVES_DRAFT = "Objectives"
CALL_TO_ACTION_DRAFT = "Call to action"
OBJECTIVES_START = "What should people take away from this panel? Write it here together."
CALL_TO_ACTION_START = (
    "What will this panel ask centers and partners to do in the next 90 days? "
    "Write it here together."
)


async def start_panel_thread(session: AsyncSession, viewer: Viewer, proposal: Proposal) -> Thread:
    """The panel's thread, started by ``viewer`` (its proposer) with its two drafts."""
    thread = await start_thread_in(
        session,
        viewer,
        NewThread(
            title=proposal.title,
            audience=ThreadAudience.PARTICIPANTS,
            subject_id=to_global_id("Proposal", proposal.id),
        ),
    )
    starts = (
        (OBJECTIVES_DRAFT, OBJECTIVES_KIND, proposal.objectives or OBJECTIVES_START),
        (CALL_TO_ACTION_DRAFT, CALL_TO_ACTION_KIND, CALL_TO_ACTION_START),
    )
    for name, kind, body in starts:
        await revise_draft_in(
            session,
            viewer,
            Revision(thread_id=thread.id, name=name, body=body, note="Started with the panel.",
                     kind=kind),
        )  # fmt: skip
    proposal.thread_id = thread.id
    return thread


async def join_thread(session: AsyncSession, proposal: Proposal, person_id: int) -> None:
    """``person_id`` (a confirmed presenter, an accepted panelist) joins the panel's thread, as
    if its proposer invited them: they hear of it (``thread.invited``)."""
    if proposal.thread_id is None:
        return
    thread = await session.get(Thread, proposal.thread_id)
    if thread is None:
        return
    added = await join(session, thread, [person_id], invited_by=proposal.proposer_id, at=utcnow())
    if not added:
        return
    name = await session.scalar(select(Person.display_name).where(Person.id == person_id))
    invited = Invited(
        thread=SubjectRef("Thread", thread.id),
        title=thread.title,
        person=SubjectRef("Person", person_id),
        person_name=name or "Someone",
    )
    record(session, invited, actor_id=proposal.proposer_id)


def _proposal_pk(attached_to: str | None) -> int | None:
    if attached_to is None:
        return None
    try:
        type_name, pk = parse_global_id(attached_to)
    except BadInput:
        return None
    return pk if type_name == "Proposal" else None


async def apply_final_draft(session: AsyncSession, draft: FinalisedDraft) -> None:
    """A final "Objectives" or "Call to action" draft of a panel's own thread sets the
    proposal's text, with a ``proposal.panel_text_finalised`` event; anything else, or the same
    text heard again, changes nothing."""
    column = COLUMNS.get(draft.kind)
    proposal_pk = _proposal_pk(draft.attached_to)
    if column is None or proposal_pk is None:
        return
    proposal = await session.scalar(
        select(Proposal).where(Proposal.id == proposal_pk).with_for_update()
    )
    if proposal is None:
        return
    _, thread_pk = parse_global_id(draft.thread_id)
    if proposal.thread_id != thread_pk or getattr(proposal, column) == draft.body:
        return
    setattr(proposal, column, draft.body)
    proposal.updated_at = utcnow()
    actor = None
    if draft.finalised_by is not None:
        actor = parse_global_id(draft.finalised_by)[1]
    proposer = proposal.proposer_id
    finalised = PanelTextFinalised(
        proposal=SubjectRef("Proposal", proposal.id),
        title=proposal.title,
        field=column,
        draft=SubjectRef("Draft", draft.draft_pk),
        text=draft.body,
        person=SubjectRef("Person", proposer) if proposer is not None else None,
    )
    record(session, finalised, actor_id=actor)
