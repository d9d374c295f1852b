"""Asking for data, and closing a request: declined by a steward or withdrawn.

Any signed-in member may ask. The network's data managers are told (they follow the request
from the start; when the network has none, its staff are); when a plugin provides the
discussion, it is opened in the same transaction with the requester and them in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import Forbidden
from icn_graph.events import record
from icn_graph.ids import to_global_id
from icn_graph.models import (
    DataAudience,
    DataRequest,
    DataRequestCenter,
    DataRequestState,
    NetworkRole,
    Person,
)
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.services.stewardship import access, checks
from icn_graph.services.stewardship.discussion import DataRequestDiscussion, DiscussionOpening
from icn_graph.services.stewardship.events import (
    DataRequestDeclined,
    DataRequestSubmitted,
    DataRequestWithdrawn,
    people,
    request_refs,
)
from icn_graph.services.stewardship.loading import (
    missing_centers,
    request_for_update,
    require_state,
)
from icn_graph.services.stewardship.states import OPEN
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer


@dataclass(frozen=True)
class RequestDraft:
    purpose: str
    audience: DataAudience
    measure_keys: Sequence[str]
    period_start: date
    period_end: date
    presentation: str
    expires_on: date
    center_ids: Sequence[int] = ()
    """Empty: the network as a whole."""


async def stewards(session: AsyncSession) -> list[int]:
    """Who hears of new requests: the network's data managers, else (none) its staff."""
    roles = [NetworkRole.DATA_MANAGER, NetworkRole.STAFF, NetworkRole.ADMIN]
    rows = await session.execute(
        select(Person.id, Person.network_role).where(Person.network_role.in_(roles))
    )
    by_role: dict[NetworkRole, list[int]] = {}
    for person_id, role in rows.all():
        by_role.setdefault(role, []).append(person_id)
    managers = by_role.get(NetworkRole.DATA_MANAGER, [])
    if managers:
        return sorted(managers)
    return sorted(by_role.get(NetworkRole.STAFF, []) + by_role.get(NetworkRole.ADMIN, []))


def _opening_text(request: DataRequest, draft: RequestDraft) -> str:
    audience = "network members" if draft.audience == DataAudience.NETWORK else "a public audience"
    scope = "the network as a whole" if not draft.center_ids else f"{len(draft.center_ids)} centers"
    return (
        f"**Data request: {request.purpose}**\n\n"
        f"- Audience: {audience}\n"
        f"- Measures: {', '.join(draft.measure_keys)}\n"
        f"- Centers: {scope}\n"
        f"- Months: {request.period_start:%B %Y} to {request.period_end:%B %Y}\n"
        f"- Until: {request.expires_on.isoformat()}\n\n"
        f"How it will be shown:\n\n{request.presentation}"
    )


async def request_data(
    db: Database,
    viewer: Viewer,
    draft: RequestDraft,
    *,
    measures: MeasureRegistry,
    discussion: DataRequestDiscussion | None = None,
) -> DataRequest:
    """A new request by ``viewer`` (any member)."""
    person_id = viewer.require_member()
    check = Checker()
    purpose = check.text(
        "purpose", draft.purpose, max_length=checks.PURPOSE_LENGTH, label="Purpose"
    )
    keys = checks.measure_keys(check, "measureKeys", draft.measure_keys, measures.keys())
    start, end = checks.period(check, draft.period_start, draft.period_end)
    presentation = check.text(
        "presentation",
        draft.presentation,
        max_length=checks.TEXT_LENGTH,
        label="How it will be shown",
        multiline=True,
    )
    expires_on = checks.expiry(check, "expiresOn", draft.expires_on)
    async with db.transaction() as session:
        missing = await missing_centers(session, draft.center_ids)
        center_ids = checks.center_ids(check, "centerIds", draft.center_ids, missing)
        check.raise_if_any()
        request = DataRequest(
            requester_id=person_id,
            purpose=purpose,
            audience=draft.audience,
            measure_keys=keys,
            whole_network=not center_ids,
            period_start=start,
            period_end=end,
            presentation=presentation,
            expires_on=expires_on,
            state=DataRequestState.SUBMITTED,
        )
        session.add(request)
        await session.flush()
        session.add_all(DataRequestCenter(request_id=request.id, center_id=c) for c in center_ids)
        await session.flush()
        told = [pk for pk in await stewards(session) if pk != person_id]
        if discussion is not None:
            opening = DiscussionOpening(
                request_id=to_global_id("DataRequest", request.id),
                title=purpose,
                body=_opening_text(request, draft),
                participant_ids=told,
            )
            request.discussion_id = await discussion.open(session, viewer, opening)
        submitted = DataRequestSubmitted(
            **request_refs(request),
            audience=request.audience,
            measure_keys=tuple(keys),
            measure_names=tuple(measures.get(key).title for key in keys),
            period_start=start,
            period_end=end,
            presentation=presentation,
            stewards=people(told),
        )
        record(session, submitted, actor_id=person_id)
    return request


async def decline_request(
    db: Database, viewer: Viewer, request_id: int, reason: str
) -> DataRequest:
    """A steward declines an open request, saying why."""
    person_id = viewer.require_member()
    async with db.transaction() as session:
        loaded = await request_for_update(session, viewer, request_id, field="id")
        if not access.may_steward(viewer):
            raise Forbidden("Only network staff and data managers can decline a data request.")
        require_state(loaded, OPEN, "id", "be declined")
        check = Checker()
        why = check.text(
            "reason", reason, max_length=checks.NOTE_LENGTH, label="Reason", multiline=True
        )
        check.raise_if_any()
        request = loaded.request
        _close(request, DataRequestState.DECLINED, person_id, why)
        record(
            session, DataRequestDeclined(**request_refs(request), reason=why), actor_id=person_id
        )
    return request


async def withdraw_request(
    db: Database, viewer: Viewer, request_id: int, reason: str | None = None
) -> DataRequest:
    """The requester (or staff) withdraws an open request; nothing of it is shown any more."""
    person_id = viewer.require_member()
    async with db.transaction() as session:
        loaded = await request_for_update(session, viewer, request_id, field="id")
        if not access.may_withdraw(viewer, loaded.parties):
            raise Forbidden("Only the requester and network staff can withdraw a data request.")
        require_state(loaded, OPEN, "id", "be withdrawn")
        check = Checker()
        why = checks.optional_text(check, "reason", reason, label="Reason")
        check.raise_if_any()
        request = loaded.request
        _close(request, DataRequestState.WITHDRAWN, person_id, why or None)
        withdrawn = DataRequestWithdrawn(**request_refs(request), reason=why or None)
        record(session, withdrawn, actor_id=person_id)
    return request


def _close(request: DataRequest, state: DataRequestState, by: int, reason: str | None) -> None:
    request.state = state
    request.closed_by_id = by
    request.closed_at = utcnow()
    request.closed_reason = reason
