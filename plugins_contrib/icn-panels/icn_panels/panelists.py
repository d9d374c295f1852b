"""A panel's moderator and panelists: invited by the proposer, network staff or an owner or
coach of one of its stages; each invited person accepts or declines (with a reason), once.

- only a PANEL proposal that is not declined takes invitations;
- a person is invited once per panel (whatever their answer);
- at most one moderator accepts (the service checks under a lock on the proposal; a partial
  unique index backs it);
- an invited person sees the proposal (and its invitations), like a proposed presenter, and
  like them never sees its reviews nor reviews or decides it;
- whoever accepts follows the proposal and joins its co-design thread (``codesign``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import (
    Checker,
    Database,
    Forbidden,
    NotFound,
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
from icn_panels.events import PanelistInvited, PanelistResponded
from icn_panels.models import (
    MESSAGE_LENGTH,
    REASON_LENGTH,
    InvitationState,
    PanelInvitation,
    PanelRole,
    Proposal,
    ProposalKind,
    ProposalStage,
    ProposalStatus,
)

INVITATION_NOT_FOUND = "No invitation has that ID."
HAS_MODERATOR = "The panel has a moderator already."


@dataclass(frozen=True)
class Invitation:
    """What ``invite_panelist`` needs: who, as what, and a note for them."""

    person_id: int
    role: PanelRole
    message: str = ""


def takes_invitations(kind: ProposalKind, status: ProposalStatus) -> bool:
    return kind == ProposalKind.PANEL and status != ProposalStatus.DECLINED


def may_invite(
    viewer: Viewer,
    proposer_id: int | None,
    kind: ProposalKind,
    status: ProposalStatus,
    stages: Sequence[ProposalStage],
) -> bool:
    """The proposer, network staff, or an owner or coach of one of its stages; for a panel that
    is not declined."""
    me = viewer.person_id
    if me is None or not takes_invitations(kind, status):
        return False
    if viewer.is_staff or proposer_id == me:
        return True
    return any(me in (row.owner_id, row.coach_id) for row in stages)


async def _locked(session: AsyncSession, proposal: Proposal) -> None:
    """Serialises writes to one panel's invitations (PostgreSQL; SQLite has one writer)."""
    await session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())


async def _moderator_accepted(session: AsyncSession, proposal_id: int) -> bool:
    found = await session.scalar(
        select(PanelInvitation.id).where(
            PanelInvitation.proposal_id == proposal_id,
            PanelInvitation.role == PanelRole.MODERATOR,
            PanelInvitation.state == InvitationState.ACCEPTED,
        )
    )
    return found is not None


async def invite_panelist(
    db: Database, viewer: Viewer, proposal_pk: int, wanted: Invitation
) -> PanelInvitation:
    me = viewer.require_member()
    check = Checker()
    message = check.text(
        "message",
        wanted.message,
        max_length=MESSAGE_LENGTH,
        label="A message",
        multiline=True,
        required=False,
    )
    async with db.transaction() as session:
        proposal = await load_proposal(session, viewer, proposal_pk)
        stages = list(
            await session.scalars(
                select(ProposalStage).where(ProposalStage.proposal_id == proposal.id)
            )
        )
        if not (viewer.is_staff or proposal.proposer_id == me) and not any(
            me in (row.owner_id, row.coach_id) for row in stages
        ):
            raise Forbidden(
                "Only the proposer, network staff or a stage's owner or coach can invite panelists."
            )
        await _locked(session, proposal)
        if proposal.kind != ProposalKind.PANEL:
            check.add("proposalId", "Only a panel has panelists.", UserErrorCode.CONFLICT)
        elif proposal.status == ProposalStatus.DECLINED:
            check.add("proposalId", "The proposal was declined.", UserErrorCode.CONFLICT)
        person = await session.get(Person, wanted.person_id)
        if person is None:
            check.add("personId", "No person has that ID.", UserErrorCode.NOT_FOUND)
        else:
            already = await session.scalar(
                select(PanelInvitation.id).where(
                    PanelInvitation.proposal_id == proposal.id,
                    PanelInvitation.person_id == person.id,
                )
            )
            if already is not None:
                check.add(
                    "personId", "That person is invited to this panel already.",
                    UserErrorCode.CONFLICT,
                )  # fmt: skip
        if wanted.role == PanelRole.MODERATOR and await _moderator_accepted(session, proposal.id):
            check.add("role", HAS_MODERATOR, UserErrorCode.CONFLICT)
        check.raise_if_any()
        assert person is not None
        invitation = PanelInvitation(
            proposal_id=proposal.id,
            person_id=person.id,
            role=wanted.role,
            message=message,
            invited_by=me,
            invited_at=utcnow(),
        )
        session.add(invitation)
        await session.flush()
        invited = PanelistInvited(
            proposal=SubjectRef("Proposal", proposal.id),
            invitation=SubjectRef("PanelInvitation", invitation.id),
            title=proposal.title,
            role=wanted.role.value,
            person_name=person.display_name,
            message=message,
            person=SubjectRef("Person", person.id),
        )
        record(session, invited, actor_id=me)
    return invitation


async def respond_to_invitation(
    db: Database, viewer: Viewer, invitation_pk: int, *, accept: bool, reason: str
) -> PanelInvitation:
    me = viewer.require_member()
    check = Checker()
    why = check.text(
        "reason",
        reason,
        max_length=REASON_LENGTH,
        label="A reason",
        multiline=True,
        required=not accept,
    )
    async with db.transaction() as session:
        invitation = await session.get(PanelInvitation, invitation_pk)
        if invitation is None:
            raise NotFound(INVITATION_NOT_FOUND)
        try:
            proposal = await load_proposal(session, viewer, invitation.proposal_id)
        except NotFound:
            raise NotFound(INVITATION_NOT_FOUND) from None
        if invitation.person_id != me:
            raise Forbidden("Only the person invited can accept or decline an invitation.")
        await _locked(session, proposal)
        await session.refresh(invitation)
        if invitation.state != InvitationState.PENDING:
            check.add(
                "invitationId", "You have answered this invitation already.",
                UserErrorCode.CONFLICT,
            )  # fmt: skip
        elif not takes_invitations(proposal.kind, proposal.status):
            check.add("invitationId", "The proposal was declined.", UserErrorCode.CONFLICT)
        elif (
            accept
            and invitation.role == PanelRole.MODERATOR
            and await _moderator_accepted(session, proposal.id)
        ):
            check.add("invitationId", HAS_MODERATOR, UserErrorCode.CONFLICT)
        check.raise_if_any()
        invitation.state = InvitationState.ACCEPTED if accept else InvitationState.DECLINED
        invitation.reason = why or None
        invitation.responded_at = utcnow()
        await session.flush()
        if accept:
            await add_member_follows(session, to_global_id("Proposal", proposal.id), [me])
            await codesign.join_thread(session, proposal, me)
        name = await session.scalar(select(Person.display_name).where(Person.id == me))
        proposer = proposal.proposer_id
        responded = PanelistResponded(
            proposal=SubjectRef("Proposal", proposal.id),
            invitation=SubjectRef("PanelInvitation", invitation.id),
            title=proposal.title,
            role=invitation.role.value,
            panelist=SubjectRef("Person", me),
            panelist_name=name or "",
            state=invitation.state.value,
            reason=why,
            person=SubjectRef("Person", proposer) if proposer is not None else None,
        )
        record(session, responded, actor_id=me)
    return invitation
