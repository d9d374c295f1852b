"""Who may see which center's identified report values, and whether small cells are hidden.

- A center's own members see its numbers unsuppressed.
- Network staff (``ADMIN``, ``STAFF``) and network data managers see every center's identified
  values, with small cells suppressed (``privacy.py``).
- Everyone else signed in sees the network aggregate (suppressed) and their own centers; another
  center's report is FORBIDDEN.

Until the consent issue lands there is no per-center grant to widen this.
"""

from __future__ import annotations

import enum

from icn_graph.errors import Forbidden
from icn_graph.models import NetworkRole
from icn_graph.services.viewer import Viewer

IDENTIFIED_VALUE_ROLES = frozenset({NetworkRole.ADMIN, NetworkRole.STAFF, NetworkRole.DATA_MANAGER})


class Disclosure(enum.Enum):
    """How a series is shown to one viewer."""

    FULL = "full"
    """Every count, small or not: the center's own members."""
    SUPPRESSED = "suppressed"
    """Small cells (and what reveals them) hidden."""


def may_see_identified_values(viewer: Viewer) -> bool:
    """Network staff and data managers may see other centers' (suppressed) values."""
    return viewer.network_role in IDENTIFIED_VALUE_ROLES


def disclosure_for(viewer: Viewer, center_id: int) -> Disclosure | None:
    """How ``viewer`` may see the center ``center_id``'s values; ``None``: not at all."""
    if viewer.person_id is None:
        return None
    if center_id in viewer.center_roles:
        return Disclosure.FULL
    if may_see_identified_values(viewer):
        return Disclosure.SUPPRESSED
    return None


def may_see_center_report(viewer: Viewer, center_id: int) -> bool:
    """Whether ``viewer`` may see the center ``center_id``'s report at all."""
    return disclosure_for(viewer, center_id) is not None


def center_disclosure(viewer: Viewer, center_id: int) -> Disclosure:
    """How ``viewer`` sees the center ``center_id``'s series; FORBIDDEN if not at all."""
    viewer.require_member()
    disclosure = disclosure_for(viewer, center_id)
    if disclosure is not None:
        return disclosure
    raise Forbidden(
        "Only this center's team, network staff and network data managers can see its "
        "report; the network report is open to every member."
    )


def network_disclosure(viewer: Viewer) -> Disclosure:
    """The network aggregate: every member, small cells suppressed for everyone."""
    viewer.require_member()
    return Disclosure.SUPPRESSED
