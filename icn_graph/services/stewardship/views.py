"""Proposing views for a request, and the requester's answer to each.

A steward proposes a concrete view; a new proposal supersedes the view standing (PROPOSED or
ACCEPTED: consents given to it no longer count) and returns the request to PROPOSED. The
requester accepts it (its centers are asked; a view naming none approves the request at once)
or rejects it, saying why, which puts the request back IN_DISCUSSION.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import Forbidden, UserErrorCode
from icn_graph.events import record
from icn_graph.models import (
    DataRequest,
    DataRequestState,
    DataView,
    DataViewCenter,
    DataViewChart,
    DataViewStatus,
    OthersShown,
)
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.services.stewardship import access, checks
from icn_graph.services.stewardship.events import (
    DataRequestApproved,
    DataViewAccepted,
    DataViewProposed,
    DataViewRejected,
    people,
    request_refs,
    view_ref,
)
from icn_graph.services.stewardship.loading import (
    Loaded,
    deciders_of,
    missing_centers,
    refuse,
    request_for_update,
    require_state,
    view_center_ids,
    view_for_update,
)
from icn_graph.services.stewardship.states import PROPOSABLE
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer

STANDING = (DataViewStatus.PROPOSED, DataViewStatus.ACCEPTED)


@dataclass(frozen=True)
class ViewDraft:
    request_id: int
    measure_key: str
    chart: DataViewChart
    period_start: date
    period_end: date
    center_ids: Sequence[int] = ()
    others: OthersShown = OthersShown.BLINDED
    include_network: bool = True
    note: str = ""


def letter(index: int) -> str:
    """The ``index``-th letter name, spreadsheet-style: 0 -> "A", 25 -> "Z", 26 -> "AA"."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def shuffled_letters(count: int) -> list[str]:
    """``count`` letters in a random order drawn with ``secrets`` (unguessable from the view)."""
    letters = [letter(index) for index in range(count)]
    secrets.SystemRandom().shuffle(letters)
    return letters


async def propose_view(
    db: Database, viewer: Viewer, draft: ViewDraft, *, measures: MeasureRegistry
) -> DataView:
    person_id = viewer.require_member()
    check = Checker()
    measure_key = checks.measure_key(check, "measureKey", draft.measure_key, measures.keys())
    start, end = checks.period(check, draft.period_start, draft.period_end)
    note = checks.optional_text(check, "note", draft.note, label="Note")
    async with db.transaction() as session:
        loaded = await request_for_update(session, viewer, draft.request_id, field="dataRequestId")
        if not access.may_steward(viewer):
            raise Forbidden("Only network staff and data managers can propose a data view.")
        require_state(loaded, PROPOSABLE, "dataRequestId", "take a new proposal")
        missing = await missing_centers(session, draft.center_ids)
        center_ids = checks.center_ids(check, "centerIds", draft.center_ids, missing)
        if not draft.center_ids and not draft.include_network:
            check.add(
                "includeNetwork",
                "A view with no centers shows only the network total: it cannot leave it out.",
            )
        check.raise_if_any()
        request = loaded.request
        await session.execute(
            update(DataView)
            .where(DataView.request_id == request.id, DataView.status.in_(STANDING))
            .values(status=DataViewStatus.SUPERSEDED)
        )
        latest = await session.scalar(
            select(func.max(DataView.version)).where(DataView.request_id == request.id)
        )
        view = DataView(
            request_id=request.id,
            version=(latest or 0) + 1,
            proposed_by_id=person_id,
            measure_key=measure_key,
            chart=draft.chart,
            period_start=start,
            period_end=end,
            others=draft.others,
            include_network=draft.include_network,
            note=note,
            status=DataViewStatus.PROPOSED,
        )
        session.add(view)
        await session.flush()
        session.add_all(
            DataViewCenter(view_id=view.id, center_id=center_id, letter=name)
            for center_id, name in zip(center_ids, shuffled_letters(len(center_ids)), strict=True)
        )
        request.state = DataRequestState.PROPOSED
        proposed = DataViewProposed(
            **request_refs(request),
            view=view_ref(view),
            version=view.version,
            measure_key=measure_key,
            measure_name=measures.get(measure_key).title,
            chart=view.chart,
            note=note,
        )
        record(session, proposed, actor_id=person_id)
    return view


def _require_answerable(viewer: Viewer, loaded: Loaded, view: DataView, doing: str) -> None:
    if not access.is_requester(viewer, loaded.parties):
        raise Forbidden(f"Only the requester can {doing} a proposed view.")
    if view.status != DataViewStatus.PROPOSED:
        why = {
            DataViewStatus.ACCEPTED: "This view is already accepted.",
            DataViewStatus.REJECTED: "This view was rejected.",
            DataViewStatus.SUPERSEDED: "A later proposal replaced this view.",
        }[view.status]
        raise refuse("id", why, UserErrorCode.CONFLICT)
    require_state(loaded, (DataRequestState.PROPOSED,), "id", f"{doing} a view")


async def accept_view(
    db: Database,
    viewer: Viewer,
    view_id: int,
) -> DataView:
    """The requester accepts the proposal: its centers' deciders are asked (by mail, not by
    joining them to the discussion); a view naming no center approves the request at once."""
    person_id = viewer.require_member()
    async with db.transaction() as session:
        loaded, view = await view_for_update(session, viewer, view_id, field="id")
        _require_answerable(viewer, loaded, view, "accept")
        request = loaded.request
        view.status = DataViewStatus.ACCEPTED
        view.responded_at = utcnow()
        center_ids = await view_center_ids(session, view.id)
        asked = [pk for pk in await deciders_of(session, center_ids) if pk != person_id]
        # The asked deciders are not put into the discussion: its participants see one another,
        # and which centers a view names is for the stewards, the requester and each center
        # itself. A decider joins by commenting (their own choice to show their center).
        accepted = DataViewAccepted(
            **request_refs(request), view=view_ref(view), version=view.version, asked=people(asked)
        )
        record(session, accepted, actor_id=person_id)
        if center_ids:
            request.state = DataRequestState.AWAITING_CENTERS
        else:
            approve(session, request, view, actor_id=person_id)
    return view


def approve(
    session: AsyncSession, request: DataRequest, view: DataView, *, actor_id: int | None
) -> None:
    """Every center of ``view`` has answered (or it names none): the request is APPROVED.
    ``actor_id`` is ``None`` when the last center's answer approved it: every participant
    hears of the approval, and naming that center's decider would tell the other centers it
    is in the view."""
    request.state = DataRequestState.APPROVED
    approved = DataRequestApproved(
        **request_refs(request), view=view_ref(view), version=view.version
    )
    record(session, approved, actor_id=actor_id)


async def reject_view(db: Database, viewer: Viewer, view_id: int, response: str) -> DataView:
    """The requester rejects the proposal, saying how they would rather have it."""
    person_id = viewer.require_member()
    check = Checker()
    why = check.text(
        "response", response, max_length=checks.NOTE_LENGTH, label="Response", multiline=True
    )
    async with db.transaction() as session:
        loaded, view = await view_for_update(session, viewer, view_id, field="id")
        _require_answerable(viewer, loaded, view, "reject")
        check.raise_if_any()
        request = loaded.request
        view.status = DataViewStatus.REJECTED
        view.response = why
        view.responded_at = utcnow()
        request.state = DataRequestState.IN_DISCUSSION
        rejected = DataViewRejected(
            **request_refs(request), view=view_ref(view), version=view.version, response=why
        )
        record(session, rejected, actor_id=person_id)
    return view
