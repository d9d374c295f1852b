"""Centers' standing preferences: recording one, the one in force, and the answer it suggests.

A standing preference only pre-fills a center's answer to a view; a decision is always recorded
by one of the center's deciders (``decideConsent``), never skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from icn_graph.db.database import Database
from icn_graph.errors import Forbidden, InvalidInput, UserError, UserErrorCode
from icn_graph.models import (
    Center,
    ConsentDecision,
    DataAudience,
    StandingConsent,
    StandingPreference,
)
from icn_graph.services.stewardship.access import may_decide_for
from icn_graph.services.stewardship.states import today
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer

NOTE_LENGTH = 2000


def in_force(row: StandingConsent | None, on: date | None = None) -> StandingConsent | None:
    """``row`` (a center's latest preference) if it still holds ``on`` a day (today)."""
    if row is None:
        return None
    if row.valid_until is not None and row.valid_until < (on or today()):
        return None
    return row


def suggested_decision(
    row: StandingConsent | None, audience: DataAudience, on: date | None = None
) -> ConsentDecision | None:
    """The answer the center's preference in force suggests for a view shown to ``audience``;
    None: ask (no preference, ALWAYS_ASK, or identified-within-network for a public view)."""
    standing = in_force(row, on)
    if standing is None:
        return None
    match standing.preference:
        case StandingPreference.IDENTIFIED:
            return ConsentDecision.CONSENT
        case StandingPreference.IDENTIFIED_WITHIN_NETWORK:
            return ConsentDecision.CONSENT if audience == DataAudience.NETWORK else None
        case StandingPreference.UNNAMED:
            return ConsentDecision.UNNAMED
        case StandingPreference.DECLINE:
            return ConsentDecision.DECLINE
        case _:
            return None


@dataclass(frozen=True)
class StandingDraft:
    center_id: int
    preference: StandingPreference
    valid_until: date | None = None
    note: str = ""


async def set_standing_consent(
    db: Database, viewer: Viewer, draft: StandingDraft
) -> StandingConsent:
    """Record ``draft`` as the center's preference from now on (its deciders only)."""
    person_id = viewer.require_member()
    check = Checker()
    note = draft.note.strip()
    if note:
        note = check.text("note", note, max_length=NOTE_LENGTH, label="Note", multiline=True)
    if draft.valid_until is not None and draft.valid_until < today():
        check.add("validUntil", "A standing preference cannot end in the past.")
    async with db.transaction() as session:
        if await session.get(Center, draft.center_id) is None:
            raise InvalidInput(
                [UserError("centerId", "No center has that ID.", UserErrorCode.NOT_FOUND)]
            )
        if not may_decide_for(viewer, draft.center_id):
            raise Forbidden(
                "Only the center's QI leads and data managers can set its standing preference."
            )
        check.raise_if_any()
        row = StandingConsent(
            center_id=draft.center_id,
            preference=draft.preference,
            valid_until=draft.valid_until,
            note=note,
            set_by_id=person_id,
        )
        session.add(row)
    return row
