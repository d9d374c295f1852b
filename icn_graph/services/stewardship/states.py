"""A data request's state as people read it, and which states allow which step.

EXPIRED is never stored: a request whose ``expires_on`` has passed reads as EXPIRED, except a
WITHDRAWN or DECLINED one, which stays as it was closed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, and_, or_

from icn_graph.models import DataRequest, DataRequestState

S = DataRequestState

CLOSED = frozenset({S.WITHDRAWN, S.DECLINED})
"""Closed for good: never read as EXPIRED."""

OPEN = frozenset({S.SUBMITTED, S.IN_DISCUSSION, S.PROPOSED, S.AWAITING_CENTERS, S.APPROVED})
"""Where a request may still be discussed, proposed for, declined or withdrawn."""

PROPOSABLE = OPEN
"""Where a new view may be proposed (superseding the current one, if any)."""

DECIDABLE = frozenset({S.AWAITING_CENTERS, S.APPROVED})
"""Where a center of the accepted view may decide (or change its decision)."""


def today() -> date:
    """Today in UTC: the day expiry dates are compared with."""
    return datetime.now(UTC).date()


def effective_state(request: DataRequest, on: date | None = None) -> DataRequestState:
    """``request``'s state as read ``on`` a day (today): EXPIRED once ``expires_on`` has passed,
    unless it was withdrawn or declined."""
    stored = request.state
    if stored in CLOSED:
        return stored
    if request.expires_on < (on or today()):
        return S.EXPIRED
    return stored


def in_state_clause(state: DataRequestState, on: date) -> ColumnElement[bool]:
    """SQL over ``DataRequest``: requests that read as ``state`` on the day ``on``."""
    if state == S.EXPIRED:
        return and_(DataRequest.expires_on < on, DataRequest.state.not_in(sorted(CLOSED)))
    if state in CLOSED:
        return DataRequest.state == state
    return and_(DataRequest.state == state, or_(DataRequest.expires_on >= on))


def describe_state(state: DataRequestState) -> str:
    """How a refusal names the state: "withdrawn", "awaiting centers"."""
    return state.value.replace("_", " ").lower()
