"""Who plans Learning Sessions (the sessions, their agendas and who is on them): network staff."""

from __future__ import annotations

from icn_graph.errors import Forbidden
from icn_graph.services.viewer import Viewer


def may_plan(viewer: Viewer) -> bool:
    """Whether ``viewer`` may create and edit Learning Sessions and their agendas."""
    return viewer.is_authenticated and viewer.is_staff


def require_planner(viewer: Viewer) -> None:
    viewer.require_member()
    if not may_plan(viewer):
        raise Forbidden("Only network staff can plan Learning Sessions.")
