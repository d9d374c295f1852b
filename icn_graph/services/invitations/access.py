"""Who may invite to a center's team, and who may see (and withdraw) an invitation."""

from __future__ import annotations

from icn_graph.models import Invitation
from icn_graph.services.viewer import Viewer


def may_invite(viewer: Viewer, center_id: int) -> bool:
    """Staff invite to every center; a center's QI lead to that center (as for its team)."""
    return viewer.is_authenticated and (viewer.is_staff or viewer.leads(center_id))


def may_see(viewer: Viewer, invitation: Invitation) -> bool:
    """Those who may invite to its center, and whoever sent it (to withdraw it)."""
    if viewer.person_id is None:
        return False
    return may_invite(viewer, invitation.center_id) or invitation.invited_by_id == viewer.person_id
