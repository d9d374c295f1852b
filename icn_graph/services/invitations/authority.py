"""Whether an invitation still stands for its inviter's authority, and withdrawing those that
lost it.

An invitation is only as good as the right of whoever sent it: at acceptance the inviter must
still be active and still allowed to invite to that center (network staff, or the center's QI
lead), as :func:`icn_graph.services.invitations.access.may_invite` requires when inviting. An
invitation whose inviter is gone (deleted) has nobody to vouch for it. Deactivating someone, or
removing the QI-lead membership that let them invite, withdraws their pending invitations at
once, so the list of invitations says so too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.models import CenterRole, Invitation, Membership, Person
from icn_graph.services.invitations.states import usable
from icn_graph.services.viewer import STAFF_ROLES


async def inviter_may_invite(session: AsyncSession, invitation: Invitation) -> bool:
    """Whether the invitation's sender is active and may still invite to its center."""
    if invitation.invited_by_id is None:
        return False
    inviter = await session.get(Person, invitation.invited_by_id)
    if inviter is None or inviter.deactivated_at is not None:
        return False
    if inviter.network_role in STAFF_ROLES:
        return True
    leads = select(Membership.id).where(
        Membership.person_id == inviter.id,
        Membership.center_id == invitation.center_id,
        Membership.role == CenterRole.QI_LEAD,
    )
    return (await session.scalars(leads)).first() is not None


async def withdraw_sent_by(
    session: AsyncSession, person_id: int, *, now: datetime, center_id: int | None = None
) -> None:
    """Withdraw the pending invitations ``person_id`` sent (to ``center_id`` only, if given),
    in ``session``'s transaction."""
    statement = update(Invitation).where(Invitation.invited_by_id == person_id, usable(now))
    if center_id is not None:
        statement = statement.where(Invitation.center_id == center_id)
    await session.execute(
        statement.values(revoked_at=now), execution_options={"synchronize_session": False}
    )
