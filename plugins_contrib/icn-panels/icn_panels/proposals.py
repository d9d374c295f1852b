"""Submitting a proposal (any member, while the session's call is open) and a proposed
presenter's answer: a presenter is listed to others only once they confirm. A panel starts
with its co-design thread (``codesign``); presenters join it as they confirm."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

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
from icn_panels import codesign
from icn_panels.access import load_proposal
from icn_panels.calls import SESSION_NOT_FOUND, is_open
from icn_panels.events import PresenterRequested, PresenterResponded, ProposalSubmitted
from icn_panels.models import (
    AUDIENCE_LENGTH,
    TEXT_LENGTH,
    TITLE_LENGTH,
    CallForProposals,
    Presenter,
    PresenterConsent,
    Proposal,
    ProposalKind,
)

MAX_PRESENTERS = 12


@dataclass(frozen=True)
class ProposalDraft:
    """What a member proposes; ``presenters`` are people's primary keys, in order."""

    title: str
    kind: ProposalKind
    abstract: str
    objectives: str = ""
    intended_audience: str = ""
    presenters: Sequence[int] = ()


async def submit_proposal(
    db: Database, viewer: Viewer, session_pk: int, draft: ProposalDraft
) -> Proposal:
    """A proposal by the viewer for the session ``session_pk``; its presenters are asked to
    confirm (the proposer, when among them, confirms by proposing)."""
    me = viewer.require_member()
    check = Checker()
    title = check.text("title", draft.title, max_length=TITLE_LENGTH, label="Title")
    abstract = check.text(
        "abstract", draft.abstract, max_length=TEXT_LENGTH, label="Abstract", multiline=True
    )
    objectives = check.text(
        "objectives",
        draft.objectives,
        max_length=TEXT_LENGTH,
        label="Objectives",
        multiline=True,
        required=False,
    )
    audience = check.text(
        "intendedAudience",
        draft.intended_audience,
        max_length=AUDIENCE_LENGTH,
        label="Intended audience",
        required=False,
    )
    presenters = list(dict.fromkeys(draft.presenters))
    if len(presenters) != len(draft.presenters):
        check.add("personIds", "A person is listed twice.")
    if len(presenters) > MAX_PRESENTERS:
        check.add("personIds", f"At most {MAX_PRESENTERS} presenters.", UserErrorCode.TOO_LONG)
    async with db.transaction() as session:
        if await session.get(LearningSession, session_pk) is None:
            check.add("learningSessionId", SESSION_NOT_FOUND, UserErrorCode.NOT_FOUND)
        else:
            call = await session.scalar(
                select(CallForProposals).where(CallForProposals.session_id == session_pk)
            )
            if not is_open(call, utcnow()):
                check.add(
                    "learningSessionId",
                    "The session's call for proposals is not open.",
                    UserErrorCode.CONFLICT,
                )
        if presenters:
            found = set(await session.scalars(select(Person.id).where(Person.id.in_(presenters))))
            if set(presenters) - found:
                check.add("personIds", "No person has one of those IDs.", UserErrorCode.NOT_FOUND)
        check.raise_if_any()
        proposal = Proposal(
            session_id=session_pk,
            proposer_id=me,
            title=title,
            kind=draft.kind,
            abstract=abstract,
            objectives=objectives,
            intended_audience=audience,
        )
        session.add(proposal)
        await session.flush()
        ref = SubjectRef("Proposal", proposal.id)
        for position, person_pk in enumerate(presenters):
            mine = person_pk == me
            consent = PresenterConsent.CONFIRMED if mine else PresenterConsent.PENDING
            session.add(
                Presenter(
                    proposal_id=proposal.id,
                    person_id=person_pk,
                    position=position,
                    consent=consent,
                    responded_at=utcnow() if mine else None,
                )
            )
        # Its people hear of what happens to it (a decision, a presenter's answer), never of its
        # reviews: those have their own subject type, closed to them. A presenter follows it
        # once they confirm.
        await add_member_follows(session, ref.global_id, [me])
        submitted = ProposalSubmitted(
            proposal=ref,
            learning_session=SubjectRef("LearningSession", session_pk),
            title=title,
            kind=draft.kind.value,
        )
        record(session, submitted, actor_id=me)
        for person_pk in presenters:
            if person_pk != me:
                asked = PresenterRequested(
                    proposal=ref, person=SubjectRef("Person", person_pk), title=title
                )
                record(session, asked, actor_id=me)
        if draft.kind == ProposalKind.PANEL:
            # Its co-design thread, with the "Objectives" and "Call to action" drafts.
            await codesign.start_panel_thread(session, viewer, proposal)
    return proposal


async def respond_as_presenter(
    db: Database, viewer: Viewer, proposal_pk: int, *, confirm: bool
) -> Proposal:
    """The viewer, proposed as a presenter, confirms (consents to be listed) or declines."""
    me = viewer.require_member()
    async with db.transaction() as session:
        proposal = await load_proposal(session, viewer, proposal_pk)
        presenter = await session.get(Presenter, (proposal.id, me))
        if presenter is None:
            raise Forbidden("Only a proposed presenter can confirm or decline presenting.")
        consent = PresenterConsent.CONFIRMED if confirm else PresenterConsent.DECLINED
        if presenter.consent == consent:
            return proposal
        presenter.consent, presenter.responded_at = consent, utcnow()
        if confirm:
            await add_member_follows(session, to_global_id("Proposal", proposal.id), [me])
            await codesign.join_thread(session, proposal, me)
        name = await session.scalar(select(Person.display_name).where(Person.id == me))
        proposer = proposal.proposer_id
        responded = PresenterResponded(
            proposal=SubjectRef("Proposal", proposal.id),
            presenter=SubjectRef("Person", me),
            presenter_name=name or "",
            consent=consent.value,
            person=SubjectRef("Person", proposer) if proposer is not None else None,
        )
        record(session, responded, actor_id=me)
    return proposal
