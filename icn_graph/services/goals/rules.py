"""Who may change a goal: its center's team (partners included) or its owner, and staff.

Every signed-in member of the network may read every goal: goals are shared "just like the care
centers'".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from icn_graph.errors import Forbidden
from icn_graph.models import Goal, GoalStatus
from icn_graph.models.goals import CLOSED_STATUSES
from icn_graph.services.viewer import Viewer


@dataclass(frozen=True)
class Owner:
    """A goal's owner: exactly one of a center and a person."""

    center_id: int | None = None
    person_id: int | None = None

    def __post_init__(self) -> None:
        if (self.center_id is None) == (self.person_id is None):
            raise ValueError("a goal has exactly one owner: a center or a person")

    @classmethod
    def of(cls, goal: Goal) -> Owner:
        return cls(center_id=goal.center_id, person_id=goal.person_id)


def may_edit(viewer: Viewer, owner: Owner) -> bool:
    if viewer.person_id is None:
        return False
    if viewer.is_staff:
        return True
    if owner.center_id is not None:
        return owner.center_id in viewer.center_roles
    return owner.person_id == viewer.person_id


def is_open(status: GoalStatus, archived_at: datetime | None) -> bool:
    """Whether a goal in ``status``, archived at ``archived_at``, still takes changes: closed
    (DONE, DROPPED) and archived goals are read-only history."""
    return archived_at is None and status not in CLOSED_STATUSES


def may_check_in(
    viewer: Viewer, owner: Owner, status: GoalStatus, archived_at: datetime | None
) -> bool:
    """Whether ``viewer`` may check in on (or otherwise change) a goal of ``owner`` that is in
    ``status``: an editor, while the goal is open and not archived."""
    return may_edit(viewer, owner) and is_open(status, archived_at)


def require_editor(viewer: Viewer, owner: Owner) -> int:
    """The viewer's person id if they may change ``owner``'s goals; else FORBIDDEN."""
    person_id = viewer.require_member()
    if not may_edit(viewer, owner):
        if owner.center_id is not None:
            raise Forbidden("Only this center's team and network staff can change its goals.")
        raise Forbidden("Only the person who owns this goal and network staff can change it.")
    return person_id
