"""Centers' decisions about an accepted view, and revoking them.

Only a center's deciders (its QI leads and data managers) answer for it; network staff never
do. A decision records the exact scope agreed to (the request's audience and purpose, an expiry
no later than the request's); a later decision replaces the center's answer, the earlier rows
stay. Once every center of the view has answered (any answer), the request is APPROVED. A
revocation marks the row and takes effect at the next read; the requester hears of both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import Forbidden, UserErrorCode
from icn_graph.events import record
from icn_graph.events.types import SubjectRef
from icn_graph.models import (
    Center,
    ConsentDecision,
    DataRequestState,
    DataView,
    DataViewStatus,
    DisplayConsent,
    StandingConsent,
)
from icn_graph.services.stewardship import access, checks
from icn_graph.services.stewardship.events import (
    DisplayConsentDecided,
    DisplayConsentRevoked,
    request_refs,
    view_ref,
)
from icn_graph.services.stewardship.loading import (
    Loaded,
    refuse,
    require_state,
    view_center_ids,
    view_for_update,
)
from icn_graph.services.stewardship.standing import suggested_decision
from icn_graph.services.stewardship.states import DECIDABLE
from icn_graph.services.stewardship.views import approve
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer

NOT_DECIDER = "Only the center's QI leads and data managers can decide for it."


@dataclass(frozen=True)
class DecisionDraft:
    view_id: int
    center_id: int
    decision: ConsentDecision
    expires_on: date | None = None
    """Defaults to the request's expiry date."""
    note: str = ""


def _require_accepted(view: DataView) -> None:
    if view.status == DataViewStatus.ACCEPTED:
        return
    why = {
        DataViewStatus.PROPOSED: "The requester has not accepted this view yet.",
        DataViewStatus.REJECTED: "This view was rejected: there is nothing to decide.",
        DataViewStatus.SUPERSEDED: "A later proposal replaced this view; answer the current one.",
    }[view.status]
    raise refuse("dataViewId", why, UserErrorCode.CONFLICT)


async def _latest_standing(session: AsyncSession, center_id: int) -> StandingConsent | None:
    return await session.scalar(
        select(StandingConsent)
        .where(StandingConsent.center_id == center_id)
        .order_by(StandingConsent.id.desc())
        .limit(1)
    )


async def _center_name(session: AsyncSession, center_id: int) -> str:
    return await session.scalar(select(Center.name).where(Center.id == center_id)) or "A center"


def _told_to_requester(decision: ConsentDecision) -> bool:
    """The requester hears of a consent only (and of its revocation): which center gave another
    answer, and when, would tie it to the blinded series the answer adds (access.sees_decision)."""
    return decision is ConsentDecision.CONSENT


async def decide_consent(db: Database, viewer: Viewer, draft: DecisionDraft) -> DisplayConsent:
    person_id = viewer.require_member()
    check = Checker()
    note = checks.optional_text(check, "note", draft.note, label="Note")
    async with db.transaction() as session:
        loaded, view = await view_for_update(session, viewer, draft.view_id, field="dataViewId")
        if not access.may_decide_for(viewer, draft.center_id):
            raise Forbidden(NOT_DECIDER)
        centers = await view_center_ids(session, view.id)
        if draft.center_id not in centers:
            raise refuse("centerId", "This center is not in this view.", UserErrorCode.NOT_FOUND)
        _require_accepted(view)
        require_state(loaded, DECIDABLE, "dataViewId", "take decisions")
        request = loaded.request
        expires_on = checks.expiry(
            check, "expiresOn", draft.expires_on or request.expires_on, latest=request.expires_on
        )
        check.raise_if_any()
        standing = await _latest_standing(session, draft.center_id)
        suggested = suggested_decision(standing, request.audience)
        consent = DisplayConsent(
            view_id=view.id,
            center_id=draft.center_id,
            decision=draft.decision,
            audience=request.audience,
            purpose=request.purpose,
            expires_on=expires_on,
            decided_by_id=person_id,
            decided_at=utcnow(),
            prefilled_from_id=standing.id if standing and suggested == draft.decision else None,
            note=note,
        )
        session.add(consent)
        await session.flush()
        if _told_to_requester(draft.decision):
            decided = DisplayConsentDecided(
                **request_refs(request),
                person=SubjectRef("Person", request.requester_id),
                view=view_ref(view),
                version=view.version,
                consent=SubjectRef("DisplayConsent", consent.id),
                center_name=await _center_name(session, draft.center_id),
                decision=draft.decision,
                expires_on=expires_on,
                note=note,
            )
            record(session, decided, actor_id=person_id)
        if request.state == DataRequestState.AWAITING_CENTERS:
            answered = await session.scalar(
                select(func.count(func.distinct(DisplayConsent.center_id))).where(
                    DisplayConsent.view_id == view.id
                )
            )
            if answered == len(centers):
                approve(session, request, view, actor_id=None)
    return consent


async def revoke_consent(
    db: Database, viewer: Viewer, consent_id: int, reason: str | None = None
) -> DisplayConsent:
    """Revoke a center's CONSENT or UNNAMED answer (its latest), effective at the next read."""
    person_id = viewer.require_member()
    check = Checker()
    why = checks.optional_text(check, "reason", reason, label="Reason")
    check.raise_if_any()
    async with db.transaction() as session:
        view_id = await session.scalar(
            select(DisplayConsent.view_id).where(DisplayConsent.id == consent_id)
        )
        if view_id is None:
            raise refuse("id", access.CONSENT_NOT_FOUND, UserErrorCode.NOT_FOUND)
        loaded, _view = await view_for_update(session, viewer, view_id, field="id")
        consent = await session.get(DisplayConsent, consent_id, with_for_update=True)
        assert consent is not None
        _require_revoker(viewer, loaded, consent)
        latest = await session.scalar(
            select(func.max(DisplayConsent.id)).where(
                DisplayConsent.view_id == consent.view_id,
                DisplayConsent.center_id == consent.center_id,
            )
        )
        if consent.revoked_at is not None:
            raise refuse("id", "This decision is already revoked.", UserErrorCode.CONFLICT)
        if consent.decision == ConsentDecision.DECLINE:
            raise refuse("id", "A decline shows nothing: there is nothing to revoke.")
        if latest != consent.id:
            raise refuse(
                "id", "A later decision replaced this one; revoke that one.", UserErrorCode.CONFLICT
            )
        consent.revoked_at = utcnow()
        consent.revoked_by_id = person_id
        consent.revoke_reason = why or None
        request = loaded.request
        if _told_to_requester(consent.decision):
            revoked = DisplayConsentRevoked(
                **request_refs(request),
                person=SubjectRef("Person", request.requester_id),
                view=SubjectRef("DataView", consent.view_id),
                consent=SubjectRef("DisplayConsent", consent.id),
                center_name=await _center_name(session, consent.center_id),
                reason=why or None,
            )
            record(session, revoked, actor_id=person_id)
    return consent


def _require_revoker(viewer: Viewer, loaded: Loaded, consent: DisplayConsent) -> None:
    if access.may_decide_for(viewer, consent.center_id):
        return
    if access.may_see_center_row(viewer, loaded.parties, consent.center_id):
        raise Forbidden(NOT_DECIDER)
    raise refuse("id", access.CONSENT_NOT_FOUND, UserErrorCode.NOT_FOUND)
