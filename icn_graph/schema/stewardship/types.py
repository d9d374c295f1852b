"""DataRequest, DataView, DisplayConsent and the types around them.

A ``DataRequest`` object carries its row and its parties (requester and named centers), and a
``DataView`` its row, its request's row and parties: every permission (``viewerCan…``, which
center rows show) is decided from them without another query. Fields that read more go through
the request's loaders (``loaders.py``), so a page of requests with their views and centers costs
the same statements for 2 requests or 20.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from icn_graph import models
from icn_graph.errors import NotFound
from icn_graph.schema.centers import Center
from icn_graph.schema.context import Info
from icn_graph.schema.following import Followable
from icn_graph.schema.people import Person
from icn_graph.schema.relay import Node, parse_global_id
from icn_graph.schema.reports.types import Measure
from icn_graph.schema.stewardship import enums as _enums  # noqa: F401  (registers the enums)
from icn_graph.schema.stewardship import loaders
from icn_graph.services.stewardship import access
from icn_graph.services.stewardship.queries import latest_by_center
from icn_graph.services.stewardship.standing import in_force, suggested_decision
from icn_graph.services.stewardship.states import (
    DECIDABLE,
    OPEN,
    PROPOSABLE,
    effective_state,
)
from icn_graph.services.viewer import Viewer


async def _person(info: Info, pk: int | None) -> Person | None:
    if pk is None:
        return None
    row = await info.context.loaders.person.load(pk)
    return Person.from_model(row) if row else None


async def _required_person(info: Info, pk: int, what: str) -> Person:
    found = await _person(info, pk)
    if found is None:
        raise NotFound(f"The {what} no longer exists.")
    return found


async def _center(info: Info, pk: int) -> Center:
    row = await info.context.loaders.center.load(pk)
    if row is None:
        raise NotFound("This center no longer exists.")
    return Center.from_model(row)


def _measure(info: Info, key: str) -> Measure | None:
    from icn_graph.schema.reports.queries import measure_registry

    registry = measure_registry(info)
    return Measure.from_definition(registry.get(key)) if key in registry else None


@strawberry.type(description="A center's standing preference for display consent.")
class StandingConsent:
    preference: models.StandingPreference = strawberry.field(
        description="The answer it suggests to the center's deciders."
    )
    valid_until: date | None = strawberry.field(description="Null: until changed.")
    note: str = strawberry.field(description="The center's words about it; empty if none.")
    set_at: datetime = strawberry.field(description="When it was set (UTC).")
    row: strawberry.Private[models.StandingConsent]

    @classmethod
    def from_model(cls, row: models.StandingConsent) -> StandingConsent:
        return cls(
            preference=row.preference,
            valid_until=row.valid_until,
            note=row.note,
            set_at=row.set_at,
            row=row,
        )

    @strawberry.field(description="Whether it still holds today (UTC).")
    def in_force(self) -> bool:
        return in_force(self.row) is not None

    @strawberry.field(description="Who set it; null if that account is gone.")
    async def set_by(self, info: Info) -> Person | None:
        return await _person(info, self.row.set_by_id)


@strawberry.type(
    description="A comment on a data request (when no plugin provides its discussion)."
)
class DataRequestComment:
    body: str = strawberry.field(description="The comment, plain text.")
    created_at: datetime = strawberry.field(description="When it was posted (UTC).")
    row: strawberry.Private[models.DataRequestComment]

    @classmethod
    def from_model(cls, row: models.DataRequestComment) -> DataRequestComment:
        return cls(body=row.body, created_at=row.created_at, row=row)

    @strawberry.field(description="Who wrote it; null if that account is gone.")
    async def author(self, info: Info) -> Person | None:
        return await _person(info, self.row.author_id)


@strawberry.type(
    description="One center's decision about one data view, with the exact scope agreed to. The "
    "latest decision of a center is its answer; revoking marks it, never deletes it."
)
class DisplayConsent(Node):
    type_name = "DisplayConsent"

    decision: models.ConsentDecision = strawberry.field(description="The center's answer.")
    audience: models.DataAudience = strawberry.field(description="The audience agreed to.")
    purpose: str = strawberry.field(description="The purpose agreed to.")
    expires_on: date = strawberry.field(description="The last day it holds.")
    decided_at: datetime = strawberry.field(description="When it was decided (UTC).")
    note: str = strawberry.field(description="The decider's words; empty if none.")
    revoked_at: datetime | None = strawberry.field(
        description="When it was revoked (UTC); null while not revoked."
    )
    revoke_reason: str | None = strawberry.field(
        description="Why it was revoked; null while not revoked."
    )
    row: strawberry.Private[models.DisplayConsent]
    request_row: strawberry.Private[models.DataRequest]
    parties: strawberry.Private[access.Parties]

    @classmethod
    def of(
        cls, row: models.DisplayConsent, request: models.DataRequest, parties: access.Parties
    ) -> DisplayConsent:
        return cls(
            pk=row.id,
            decision=row.decision,
            audience=row.audience,
            purpose=row.purpose,
            expires_on=row.expires_on,
            decided_at=row.decided_at,
            note=row.note,
            revoked_at=row.revoked_at,
            revoke_reason=row.revoke_reason,
            row=row,
            request_row=request,
            parties=parties,
        )

    @strawberry.field(description="The center that decided.")
    async def center(self, info: Info) -> Center:
        return await _center(info, self.row.center_id)

    @strawberry.field(description="The data view it is about.")
    async def view(self, info: Info) -> DataView:
        row = await loaders.view(info).load(self.row.view_id)
        if row is None:
            raise NotFound("This data view no longer exists.")
        return DataView.of(row, self.request_row, self.parties)

    @strawberry.field(description="The QI lead or data manager who decided for the center.")
    async def decided_by(self, info: Info) -> Person | None:
        return await _person(info, self.row.decided_by_id)

    @strawberry.field(description="Who revoked it; null while not revoked.")
    async def revoked_by(self, info: Info) -> Person | None:
        return await _person(info, self.row.revoked_by_id)

    @strawberry.field(
        description="The standing preference that suggested this answer: set when the decision "
        "matched the suggestion in force when it was made."
    )
    async def prefilled_from(self, info: Info) -> StandingConsent | None:
        if self.row.prefilled_from_id is None:
            return None
        row = await loaders.standing(info).load(self.row.prefilled_from_id)
        return StandingConsent.from_model(row) if row else None

    @strawberry.field(
        description="Whether you may revoke it: the center's deciders, while it is the center's "
        "latest answer, a CONSENT or UNNAMED, and not yet revoked."
    )
    async def viewer_can_revoke(self, info: Info) -> bool:
        if not access.may_decide_for(info.context.viewer, self.row.center_id):
            return False
        if self.row.revoked_at is not None or self.row.decision == models.ConsentDecision.DECLINE:
            return False
        history = await loaders.consents_of_view(info).load(self.row.view_id)
        latest = latest_by_center(history).get(self.row.center_id)
        return latest is not None and latest.id == self.row.id


@strawberry.type(
    description="A center in a data view: its letter there (shown whenever it is blinded), its "
    "latest decision and the answer its standing preference suggests. Shown to network staff, "
    "data managers and the requester, and to each center's own team for its own row."
)
class DataViewCenterStatus:
    letter: str | None = strawberry.field(
        description="'A', 'B', … 'Z', 'AA': fixed within this view. Null for the requester "
        "(unless on the center's team): a blinded center's values show in the view, so which "
        "letter is which center is known only to network staff, data managers and the "
        "center's own team."
    )
    row: strawberry.Private[models.DataViewCenter]
    view: strawberry.Private[DataView]

    @strawberry.field(description="The center.")
    async def center(self, info: Info) -> Center:
        return await _center(info, self.row.center_id)

    @strawberry.field(
        description="The center's latest decision about this view, if any. The requester sees "
        "a CONSENT only: other answers, and when they came, are for network staff, data "
        "managers and the center's own team (each adds a blinded series to the view)."
    )
    async def decision(self, info: Info) -> DisplayConsent | None:
        history = await loaders.consents_of_view(info).load(self.row.view_id)
        latest = latest_by_center(history).get(self.row.center_id)
        if latest is None or not self._shown(info, latest):
            return None
        return DisplayConsent.of(latest, self.view.request_row, self.view.parties)

    @strawberry.field(
        description="Every decision of the center about this view, oldest first (the "
        "requester: its CONSENTs only, as `decision` says)."
    )
    async def history(self, info: Info) -> list[DisplayConsent]:
        rows = await loaders.consents_of_view(info).load(self.row.view_id)
        return [
            DisplayConsent.of(row, self.view.request_row, self.view.parties)
            for row in rows
            if row.center_id == self.row.center_id and self._shown(info, row)
        ]

    def _shown(self, info: Info, row: models.DisplayConsent) -> bool:
        return access.sees_decision(
            info.context.viewer, self.view.parties, row.center_id, row.decision
        )

    @strawberry.field(
        description="The answer the center's standing preference in force suggests for this "
        "view's audience (null: ask). It pre-fills the answer; a decision is still recorded. "
        "Shown to those who see the center's standing preference (its team, network staff and "
        "data managers); null for others."
    )
    async def suggested_decision(self, info: Info) -> models.ConsentDecision | None:
        viewer = info.context.viewer
        if not (access.is_steward(viewer) or self.row.center_id in viewer.center_ids):
            return None
        standing = await loaders.latest_standing(info).load(self.row.center_id)
        return suggested_decision(standing, self.view.request_row.audience)

    @strawberry.field(description="Whether you may decide (or change the decision) for it now.")
    def viewer_can_decide(self, info: Info) -> bool:
        return self.view.deciding_open() and access.may_decide_for(
            info.context.viewer, self.row.center_id
        )


@strawberry.type(
    description="One concrete proposal of what to show for a data request. Never edited: a "
    "revision is a new view with the next version, and the previous one is SUPERSEDED."
)
class DataView(Node):
    type_name = "DataView"

    version: int = strawberry.field(
        description="1 for the request's first view, then 2, 3, ... for each new proposal."
    )
    measure_key: str = strawberry.field(description="The measure shown (see `measures`).")
    chart: models.DataViewChart = strawberry.field(description="How it is drawn.")
    period_start: date = strawberry.field(description="First month (the 1st).")
    period_end: date = strawberry.field(description="Last month (the 1st).")
    others: models.OthersShown = strawberry.field(
        description="How centers that do not consent to be named are shown."
    )
    include_network: bool = strawberry.field(description="Whether the network total is shown.")
    note: str = strawberry.field(description="The proposer's explanation.")
    status: models.DataViewStatus = strawberry.field(
        description="Where the proposal stands with the requester."
    )
    response: str | None = strawberry.field(description="The requester's reason for rejecting.")
    responded_at: datetime | None = strawberry.field(
        description="When the requester accepted or rejected it (UTC); null before."
    )
    published_at: datetime | None = strawberry.field(
        description="When `publishDataView` published it (UTC); null before."
    )
    created_at: datetime = strawberry.field(description="When it was proposed (UTC).")
    row: strawberry.Private[models.DataView]
    request_row: strawberry.Private[models.DataRequest]
    parties: strawberry.Private[access.Parties]

    @classmethod
    def of(
        cls, row: models.DataView, request: models.DataRequest, parties: access.Parties
    ) -> DataView:
        return cls(
            pk=row.id,
            version=row.version,
            measure_key=row.measure_key,
            chart=row.chart,
            period_start=row.period_start,
            period_end=row.period_end,
            others=row.others,
            include_network=row.include_network,
            note=row.note,
            status=row.status,
            response=row.response,
            responded_at=row.responded_at,
            published_at=row.published_at,
            created_at=row.created_at,
            row=row,
            request_row=request,
            parties=parties,
        )

    def deciding_open(self) -> bool:
        """Whether its centers may decide now: it is accepted and the request awaits them."""
        return (
            self.row.status == models.DataViewStatus.ACCEPTED
            and effective_state(self.request_row) in DECIDABLE
        )

    @strawberry.field(description="The measure shown; null if no longer installed.")
    def measure(self, info: Info) -> Measure | None:
        return _measure(info, self.row.measure_key)

    @strawberry.field(description="The request it answers.")
    async def data_request(self, info: Info) -> DataRequest:
        return DataRequest.of(self.request_row, self.parties)

    @strawberry.field(description="The data manager or staff member who proposed it.")
    async def proposed_by(self, info: Info) -> Person | None:
        return await _person(info, self.row.proposed_by_id)

    @strawberry.field(description="Who published it; null before publication.")
    async def published_by(self, info: Info) -> Person | None:
        return await _person(info, self.row.published_by_id)

    @strawberry.field(
        description="The centers of the view you may see: all of them for network staff, data "
        "managers and the requester; your own center's row for a center's team. In letter "
        "order, except for a reader who may not see every letter (the requester): by center."
    )
    async def centers(self, info: Info) -> list[DataViewCenterStatus]:
        rows = await loaders.centers_of_view(info).load(self.pk)
        viewer = info.context.viewer
        shown = [
            DataViewCenterStatus(
                letter=row.letter
                if access.sees_letter(viewer, self.parties, row.center_id)
                else None,
                row=row,
                view=self,
            )
            for row in rows
            if access.may_see_center_row(viewer, self.parties, row.center_id)
        ]
        if any(center.letter is None for center in shown):
            # In letter order, a row's place would be its letter (A, B, C ... have no gaps).
            shown.sort(key=lambda center: center.row.center_id)
        return shown

    @strawberry.field(description="Whether you may accept it: the requester, while it is proposed.")
    def viewer_can_accept(self, info: Info) -> bool:
        return self._respondable(info.context.viewer)

    @strawberry.field(description="Whether you may reject it: the requester, while it is proposed.")
    def viewer_can_reject(self, info: Info) -> bool:
        return self._respondable(info.context.viewer)

    @strawberry.field(
        description="Whether you may decide for one of its centers now (its QI leads and data "
        "managers, once the requester accepted it)."
    )
    async def viewer_can_decide(self, info: Info) -> bool:
        deciding = access.deciding_centers(info.context.viewer)
        if not deciding or not self.deciding_open():
            return False
        rows = await loaders.centers_of_view(info).load(self.pk)
        return any(row.center_id in deciding for row in rows)

    def _respondable(self, viewer: Viewer) -> bool:
        return (
            access.is_requester(viewer, self.parties)
            and self.row.status == models.DataViewStatus.PROPOSED
            and effective_state(self.request_row) == models.DataRequestState.PROPOSED
        )


@strawberry.type(description="A request to use network data, from any member.")
class DataRequest(Followable):
    type_name = "DataRequest"

    purpose: str = strawberry.field(description='e.g. "Spring 2014 Learning Session talk".')
    audience: models.DataAudience = strawberry.field(description="Who will see the data.")
    measure_keys: list[str] = strawberry.field(description="The measures asked for, in order.")
    whole_network: bool = strawberry.field(
        description="The network as a whole; else the centers in `centers`."
    )
    period_start: date = strawberry.field(description="First month asked for (the 1st).")
    period_end: date = strawberry.field(description="Last month asked for (the 1st).")
    presentation: str = strawberry.field(description="How the requester means to show it.")
    expires_on: date = strawberry.field(description="After this day nothing of it is shown.")
    closed_reason: str | None = strawberry.field(description="Why it was declined or withdrawn.")
    closed_at: datetime | None = strawberry.field(
        description="When it was declined or withdrawn (UTC); null while not closed."
    )
    created_at: datetime = strawberry.field(description="When it was asked (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")
    row: strawberry.Private[models.DataRequest]
    parties: strawberry.Private[access.Parties]

    @classmethod
    def of(cls, row: models.DataRequest, parties: access.Parties) -> DataRequest:
        return cls(
            pk=row.id,
            purpose=row.purpose,
            audience=row.audience,
            measure_keys=[str(key) for key in row.measure_keys],
            whole_network=row.whole_network,
            period_start=row.period_start,
            period_end=row.period_end,
            presentation=row.presentation,
            expires_on=row.expires_on,
            closed_reason=row.closed_reason,
            closed_at=row.closed_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            row=row,
            parties=parties,
        )

    @strawberry.field(description="EXPIRED once `expiresOn` has passed (unless closed before).")
    def state(self) -> models.DataRequestState:
        return effective_state(self.row)

    @strawberry.field(description="The member who asked.")
    async def requester(self, info: Info) -> Person:
        return await _required_person(info, self.row.requester_id, "requester")

    @strawberry.field(description="Who declined or withdrew it.")
    async def closed_by(self, info: Info) -> Person | None:
        return await _person(info, self.row.closed_by_id)

    @strawberry.field(description="The measures asked for that are installed, in order.")
    def measures(self, info: Info) -> list[Measure]:
        found = (_measure(info, str(key)) for key in self.row.measure_keys)
        return [measure for measure in found if measure is not None]

    @strawberry.field(
        description="The centers asked about (none: the whole network), as far as you may see "
        "them: all for network staff, data managers and the requester; your own otherwise."
    )
    async def centers(self, info: Info) -> list[Center]:
        ids = await loaders.centers_of_request(info).load(self.pk)
        viewer = info.context.viewer
        shown = [pk for pk in ids if access.may_see_center_row(viewer, self.parties, pk)]
        rows = await info.context.loaders.center.load_many(shown)
        return [Center.from_model(row) for row in rows if row is not None]

    @strawberry.field(description="Every view proposed for it, oldest version first.")
    async def views(self, info: Info) -> list[DataView]:
        rows = await loaders.views_of_request(info).load(self.pk)
        return [DataView.of(row, self.row, self.parties) for row in rows]

    @strawberry.field(description="The latest view still standing (PROPOSED or ACCEPTED).")
    async def current_view(self, info: Info) -> DataView | None:
        rows = await loaders.views_of_request(info).load(self.pk)
        standing = (models.DataViewStatus.PROPOSED, models.DataViewStatus.ACCEPTED)
        current = [row for row in rows if row.status in standing]
        return DataView.of(current[-1], self.row, self.parties) if current else None

    @strawberry.field(
        description="Its comments, oldest first, when no plugin provides its discussion (see "
        "`discussion`)."
    )
    async def comments(self, info: Info) -> list[DataRequestComment]:
        rows = await loaders.comments_of_request(info).load(self.pk)
        return [DataRequestComment.from_model(row) for row in rows]

    @strawberry.field(
        description="Where it is discussed when a plugin provides the discussion (a co-design "
        "thread with icn-codesign), as far as you may see it; null otherwise."
    )
    async def discussion(self, info: Info) -> Node | None:
        if self.row.discussion_id is None:
            return None
        from icn_graph.schema.nodes import fetch_node

        type_name, pk = parse_global_id(self.row.discussion_id)
        return await fetch_node(info, type_name, pk)

    @strawberry.field(description="Whether you may comment: whoever sees it, while it is open.")
    def viewer_can_comment(self, info: Info) -> bool:
        return self._open() and access.may_see(info.context.viewer, self.parties)

    @strawberry.field(
        description="Whether you may propose a view: network staff and data managers, while it "
        "is open."
    )
    def viewer_can_propose(self, info: Info) -> bool:
        return effective_state(self.row) in PROPOSABLE and access.may_steward(info.context.viewer)

    @strawberry.field(
        description="Whether you may decline it: network staff and data managers, while open."
    )
    def viewer_can_decline(self, info: Info) -> bool:
        return self._open() and access.may_steward(info.context.viewer)

    @strawberry.field(
        description="Whether you may withdraw it: the requester and network staff, while open."
    )
    def viewer_can_withdraw(self, info: Info) -> bool:
        return self._open() and access.may_withdraw(info.context.viewer, self.parties)

    def _open(self) -> bool:
        return effective_state(self.row) in OPEN


async def load_request(info: Info, pk: int) -> DataRequest | None:
    """The request ``pk`` if the viewer may see it (else None, as if it did not exist)."""
    row = await loaders.request(info).load(pk)
    if row is None:
        return None
    parties = await loaders.parties(info).load(pk)
    if parties is None or not access.may_see(info.context.viewer, parties):
        return None
    return DataRequest.of(row, parties)


async def load_view(info: Info, pk: int) -> DataView | None:
    """The view ``pk`` if the viewer may see its request."""
    row = await loaders.view(info).load(pk)
    if row is None:
        return None
    request = await load_request(info, row.request_id)
    return DataView.of(row, request.row, request.parties) if request else None


async def load_consent(info: Info, pk: int) -> DisplayConsent | None:
    """The decision ``pk`` if the viewer may see its center's row of its view, and the decision
    (``access.sees_decision``)."""
    row = await loaders.consent(info).load(pk)
    if row is None:
        return None
    view = await loaders.view(info).load(row.view_id)
    request = await load_request(info, view.request_id) if view else None
    viewer = info.context.viewer
    if (
        request is None
        or not access.may_see_center_row(viewer, request.parties, row.center_id)
        or not access.sees_decision(viewer, request.parties, row.center_id, row.decision)
    ):
        return None
    return DisplayConsent.of(row, request.row, request.parties)
