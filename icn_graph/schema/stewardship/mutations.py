"""Data request mutations: each returns a payload with what changed and ``userErrors``.

Refused input (an unknown measure, a period out of order, a center that does not exist, a
malformed ID, a step the request's state does not allow) comes back as ``userErrors`` naming the
field, with nothing written; acting without the right (a member proposing, staff deciding for
a center) is a FORBIDDEN error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import TypeVar

import strawberry

from icn_graph import models
from icn_graph.errors import BadInput, InvalidInput, UserErrorCode
from icn_graph.errors import UserError as ServiceUserError
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.schema.centers import Center
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import USER_ERRORS_DESCRIPTION, InputArgument
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.relay import Node, expect_global_id, parse_global_id
from icn_graph.schema.stewardship import loaders
from icn_graph.schema.stewardship.types import (
    DataRequest,
    DataRequestComment,
    DataView,
    DisplayConsent,
    StandingConsent,
)
from icn_graph.services.stewardship import (
    comments,
    consents,
    queries,
    requests,
    standing,
    views,
)
from icn_graph.services.stewardship.access import Parties
from icn_graph.services.stewardship.discussion import DataRequestDiscussion, discussion_provider

T = TypeVar("T")


def _measures(info: Info) -> MeasureRegistry:
    from icn_graph.schema.reports.queries import measure_registry

    return measure_registry(info)


def _discussion(info: Info) -> DataRequestDiscussion | None:
    return discussion_provider(info.context.plugins)


def _id(value: str, type_name: str, field: str) -> int:
    """The pk of ``value``, an ID of ``type_name``; a userError naming ``field`` otherwise."""
    try:
        return expect_global_id(value, type_name, field=field)
    except BadInput as error:
        raise InvalidInput(
            [ServiceUserError(field, error.message, UserErrorCode.INVALID)]
        ) from None


def _ids(values: Sequence[str], type_name: str, field: str) -> list[int]:
    """Each of ``values`` as a pk of ``type_name``; one userError per malformed one."""
    found: list[int] = []
    problems: list[ServiceUserError] = []
    for index, value in enumerate(values):
        try:
            found.append(expect_global_id(value, type_name, field=f"{field}[{index}]"))
        except BadInput as error:
            problems.append(
                ServiceUserError(f"{field}[{index}]", error.message, UserErrorCode.INVALID)
            )
    if problems:
        raise InvalidInput(problems)
    return found


async def _run(info: Info, action: Callable[[], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    """``action`` (IDs decoded inside it) with refused input as userErrors; anonymous callers
    are refused first."""
    info.context.viewer.require_member()
    return await attempt(action())


async def _request(info: Info, row: models.DataRequest) -> DataRequest:
    """The GraphQL object of a request just written (its parties read again)."""
    loaders.forget(info)
    [parties] = await queries.parties(info.context.db, [row.id])
    return DataRequest.of(row, parties or Parties(row.requester_id, frozenset()))


async def _view(info: Info, row: models.DataView) -> tuple[DataView, DataRequest] | None:
    loaders.forget(info)
    request = await loaders.request(info).load(row.request_id)
    if request is None:
        return None
    wrapped = await _request(info, request)
    return DataView.of(row, wrapped.row, wrapped.parties), wrapped


# -- inputs --------------------------------------------------------------------------------------

REQUEST_AFTER = "The request as it is now, its state included; null if refused."
VIEW_AFTER = "The view as it is now; null if refused."


@strawberry.input(description="A request to use network data, and for what.")
class RequestDataInput:
    purpose: str = strawberry.field(description='e.g. "Spring 2014 Learning Session talk".')
    audience: models.DataAudience = strawberry.field(description="Who will see the data.")
    measure_keys: list[str] = strawberry.field(description="Measure keys (see `measures`).")
    period_start: date = strawberry.field(description="First month (any day in it).")
    period_end: date = strawberry.field(description="Last month (any day in it).")
    presentation: str = strawberry.field(description="How you mean to show it, in your words.")
    expires_on: date = strawberry.field(description="After this day nothing of it is shown.")
    center_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The centers asked about; none: the whole network."
    )


@strawberry.input(description="A comment on an open data request.")
class CommentOnDataRequestInput:
    data_request_id: strawberry.ID = strawberry.field(description="The data request to comment on.")
    body: str = strawberry.field(description="Markdown.")


@strawberry.input(
    description="A concrete view proposed for an open request; it supersedes the one standing."
)
class ProposeDataViewInput:
    data_request_id: strawberry.ID = strawberry.field(description="The data request to answer.")
    measure_key: str = strawberry.field(description="The measure to show (see `measures`).")
    chart: models.DataViewChart = strawberry.field(description="How to draw it.")
    period_start: date = strawberry.field(description="First month (any day in it).")
    period_end: date = strawberry.field(description="Last month (any day in it).")
    center_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="The centers shown (each named, blinded or in the total as it consents); "
        "none: the network total only.",
    )
    others: models.OthersShown = strawberry.field(
        default=models.OthersShown.BLINDED,
        description="How centers that do not consent to be named are shown.",
    )
    include_network: bool = strawberry.field(
        default=True, description="Whether the network total is shown too."
    )
    note: str = strawberry.field(default="", description="Why this way (the requester sees it).")


@strawberry.input(description="The proposed view the requester accepts.")
class AcceptDataViewInput:
    id: strawberry.ID = strawberry.field(description="The proposed data view to accept.")


@strawberry.input(description="The proposed view the requester rejects, and why.")
class RejectDataViewInput:
    id: strawberry.ID = strawberry.field(description="The proposed data view to reject.")
    response: str = strawberry.field(description="How you would rather have it; required.")


@strawberry.input(description="An open request to decline, and why.")
class DeclineDataRequestInput:
    id: strawberry.ID = strawberry.field(description="The data request to decline.")
    reason: str = strawberry.field(description="Required: the requester reads it.")


@strawberry.input(description="An open request to withdraw.")
class WithdrawDataRequestInput:
    id: strawberry.ID = strawberry.field(description="The data request to withdraw.")
    reason: str | None = strawberry.field(
        default=None, description="Why, for the participants; optional."
    )


@strawberry.input(description="A center's answer to an accepted view.")
class DecideConsentInput:
    data_view_id: strawberry.ID = strawberry.field(description="The accepted data view.")
    center_id: strawberry.ID = strawberry.field(
        description="A center of the view that you decide for (as its QI lead or data manager)."
    )
    decision: models.ConsentDecision = strawberry.field(description="The center's answer.")
    expires_on: date | None = strawberry.field(
        default=None, description="At most the request's expiry date, which is the default."
    )
    note: str = strawberry.field(
        default="", description="Your words for the requester and the record; optional."
    )


@strawberry.input(description="A center's consent to take back.")
class RevokeConsentInput:
    id: strawberry.ID = strawberry.field(description="The DisplayConsent to revoke.")
    reason: str | None = strawberry.field(
        default=None, description="Why, for the requester and the record; optional."
    )


@strawberry.input(description="A center's standing preference for display consent.")
class SetStandingConsentInput:
    center_id: strawberry.ID = strawberry.field(
        description="A center you decide for (as its QI lead or data manager)."
    )
    preference: models.StandingPreference = strawberry.field(
        description="The answer it suggests for the center's future views."
    )
    valid_until: date | None = strawberry.field(default=None, description="Null: until changed.")
    note: str = strawberry.field(default="", description="The center's words about it; optional.")


# -- payloads ------------------------------------------------------------------------------------


@strawberry.type(description="What `requestData` did.")
class RequestDataPayload:
    data_request: DataRequest | None = strawberry.field(
        description="The new request (SUBMITTED); null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `commentOnDataRequest` did.")
class CommentOnDataRequestPayload:
    data_request: DataRequest | None = strawberry.field(description=REQUEST_AFTER)
    comment: DataRequestComment | None = strawberry.field(
        description="The comment, when the request's own comments are its discussion."
    )
    message: Node | None = strawberry.field(
        description="The message posted, when a plugin provides the discussion."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `proposeDataView` did.")
class ProposeDataViewPayload:
    view: DataView | None = strawberry.field(description=VIEW_AFTER)
    data_request: DataRequest | None = strawberry.field(description=REQUEST_AFTER)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `acceptDataView` did.")
class AcceptDataViewPayload:
    view: DataView | None = strawberry.field(description=VIEW_AFTER)
    data_request: DataRequest | None = strawberry.field(description=REQUEST_AFTER)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `rejectDataView` did.")
class RejectDataViewPayload:
    view: DataView | None = strawberry.field(description=VIEW_AFTER)
    data_request: DataRequest | None = strawberry.field(description=REQUEST_AFTER)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `declineDataRequest` did.")
class DeclineDataRequestPayload:
    data_request: DataRequest | None = strawberry.field(description=REQUEST_AFTER)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `withdrawDataRequest` did.")
class WithdrawDataRequestPayload:
    data_request: DataRequest | None = strawberry.field(description=REQUEST_AFTER)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `decideConsent` did.")
class DecideConsentPayload:
    consent: DisplayConsent | None = strawberry.field(
        description="The decision recorded; null if refused."
    )
    view: DataView | None = strawberry.field(
        description="The view, with its request's state (APPROVED once every center answered)."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `revokeConsent` did.")
class RevokeConsentPayload:
    consent: DisplayConsent | None = strawberry.field(
        description="The decision, now with `revokedAt`; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `setStandingConsent` did.")
class SetStandingConsentPayload:
    standing_consent: StandingConsent | None = strawberry.field(
        description="The preference now in force; null if refused."
    )
    center: Center | None = strawberry.field(
        description="The center, for client caches of `Center.standingConsent`."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


async def _view_payload(
    info: Info, row: models.DataView | None
) -> tuple[DataView | None, DataRequest | None]:
    found = await _view(info, row) if row is not None else None
    return found if found is not None else (None, None)


async def _consent_payload(
    info: Info, row: models.DisplayConsent | None
) -> tuple[DisplayConsent | None, DataView | None]:
    if row is None:
        return None, None
    loaders.forget(info)
    view = await loaders.view(info).load(row.view_id)
    found = await _view(info, view) if view is not None else None
    if found is None:
        return None, None
    wrapped, _request_object = found
    return DisplayConsent.of(row, wrapped.request_row, wrapped.parties), wrapped


@strawberry.type
class StewardshipMutations:
    @strawberry.mutation(
        description="Ask to use network data (any member). The network's data managers are "
        "told; with icn-codesign, a co-design thread opens for the discussion."
    )
    async def request_data(
        self, info: Info, input: InputArgument[RequestDataInput]
    ) -> RequestDataPayload:
        async def run() -> models.DataRequest:
            draft = requests.RequestDraft(
                purpose=input.purpose,
                audience=input.audience,
                measure_keys=input.measure_keys,
                period_start=input.period_start,
                period_end=input.period_end,
                presentation=input.presentation,
                expires_on=input.expires_on,
                center_ids=_ids(input.center_ids, "Center", "centerIds"),
            )
            return await requests.request_data(
                info.context.db,
                info.context.viewer,
                draft,
                measures=_measures(info),
                discussion=_discussion(info),
            )

        row, errors = await _run(info, run)
        request = await _request(info, row) if row else None
        return RequestDataPayload(data_request=request, user_errors=errors)

    @strawberry.mutation(
        description="Comment on a data request you can see, while it is open: in its co-design "
        "thread when it has one, else as its own comment."
    )
    async def comment_on_data_request(
        self, info: Info, input: InputArgument[CommentOnDataRequestInput]
    ) -> CommentOnDataRequestPayload:
        async def run() -> comments.Commented:
            return await comments.comment_on_request(
                info.context.db,
                info.context.viewer,
                _id(input.data_request_id, "DataRequest", "dataRequestId"),
                input.body,
                discussion=_discussion(info),
            )

        done, errors = await _run(info, run)
        if done is None:
            return CommentOnDataRequestPayload(
                data_request=None, comment=None, message=None, user_errors=errors
            )
        message: Node | None = None
        if done.message_id is not None:
            from icn_graph.schema.nodes import fetch_node

            type_name, pk = parse_global_id(done.message_id)
            message = await fetch_node(info, type_name, pk)
        return CommentOnDataRequestPayload(
            data_request=await _request(info, done.request),
            comment=DataRequestComment.from_model(done.comment) if done.comment else None,
            message=message,
            user_errors=[],
        )

    @strawberry.mutation(
        description="Propose a view for a request (network staff and data managers). It "
        "supersedes the view standing and asks the requester to accept or reject it."
    )
    async def propose_data_view(
        self, info: Info, input: InputArgument[ProposeDataViewInput]
    ) -> ProposeDataViewPayload:
        async def run() -> models.DataView:
            draft = views.ViewDraft(
                request_id=_id(input.data_request_id, "DataRequest", "dataRequestId"),
                measure_key=input.measure_key,
                chart=input.chart,
                period_start=input.period_start,
                period_end=input.period_end,
                center_ids=_ids(input.center_ids, "Center", "centerIds"),
                others=input.others,
                include_network=input.include_network,
                note=input.note,
            )
            return await views.propose_view(
                info.context.db, info.context.viewer, draft, measures=_measures(info)
            )

        row, errors = await _run(info, run)
        view, request = await _view_payload(info, row)
        return ProposeDataViewPayload(view=view, data_request=request, user_errors=errors)

    @strawberry.mutation(
        description="Accept a proposed view (the requester): each center in it is asked to "
        "decide; a view naming no center approves the request."
    )
    async def accept_data_view(
        self, info: Info, input: InputArgument[AcceptDataViewInput]
    ) -> AcceptDataViewPayload:
        async def run() -> models.DataView:
            return await views.accept_view(
                info.context.db,
                info.context.viewer,
                _id(input.id, "DataView", "id"),
            )

        row, errors = await _run(info, run)
        view, request = await _view_payload(info, row)
        return AcceptDataViewPayload(view=view, data_request=request, user_errors=errors)

    @strawberry.mutation(
        description="Reject a proposed view (the requester), saying how you would rather have "
        'it ("no, let\'s try it this way").'
    )
    async def reject_data_view(
        self, info: Info, input: InputArgument[RejectDataViewInput]
    ) -> RejectDataViewPayload:
        async def run() -> models.DataView:
            return await views.reject_view(
                info.context.db,
                info.context.viewer,
                _id(input.id, "DataView", "id"),
                input.response,
            )

        row, errors = await _run(info, run)
        view, request = await _view_payload(info, row)
        return RejectDataViewPayload(view=view, data_request=request, user_errors=errors)

    @strawberry.mutation(
        description="Decline an open request, giving the reason (network staff and data managers)."
    )
    async def decline_data_request(
        self, info: Info, input: InputArgument[DeclineDataRequestInput]
    ) -> DeclineDataRequestPayload:
        async def run() -> models.DataRequest:
            return await requests.decline_request(
                info.context.db,
                info.context.viewer,
                _id(input.id, "DataRequest", "id"),
                input.reason,
            )

        row, errors = await _run(info, run)
        request = await _request(info, row) if row else None
        return DeclineDataRequestPayload(data_request=request, user_errors=errors)

    @strawberry.mutation(
        description="Withdraw an open request (its requester, or network staff): nothing of it "
        "is shown any more."
    )
    async def withdraw_data_request(
        self, info: Info, input: InputArgument[WithdrawDataRequestInput]
    ) -> WithdrawDataRequestPayload:
        async def run() -> models.DataRequest:
            return await requests.withdraw_request(
                info.context.db,
                info.context.viewer,
                _id(input.id, "DataRequest", "id"),
                input.reason,
            )

        row, errors = await _run(info, run)
        request = await _request(info, row) if row else None
        return WithdrawDataRequestPayload(data_request=request, user_errors=errors)

    @strawberry.mutation(
        description="Answer for a center in an accepted view (its QI leads and data managers "
        "only): CONSENT to be named, UNNAMED (blinded) or DECLINE, for the request's audience "
        "and purpose until `expiresOn`. A later answer replaces it; the requester is told."
    )
    async def decide_consent(
        self, info: Info, input: InputArgument[DecideConsentInput]
    ) -> DecideConsentPayload:
        async def run() -> models.DisplayConsent:
            draft = consents.DecisionDraft(
                view_id=_id(input.data_view_id, "DataView", "dataViewId"),
                center_id=_id(input.center_id, "Center", "centerId"),
                decision=input.decision,
                expires_on=input.expires_on,
                note=input.note,
            )
            return await consents.decide_consent(info.context.db, info.context.viewer, draft)

        row, errors = await _run(info, run)
        consent, view = await _consent_payload(info, row)
        return DecideConsentPayload(consent=consent, view=view, user_errors=errors)

    @strawberry.mutation(
        description="Revoke a center's consent (its QI leads and data managers): it stops "
        "counting at the next read of the view; the requester is told."
    )
    async def revoke_consent(
        self, info: Info, input: InputArgument[RevokeConsentInput]
    ) -> RevokeConsentPayload:
        async def run() -> models.DisplayConsent:
            return await consents.revoke_consent(
                info.context.db,
                info.context.viewer,
                _id(input.id, "DisplayConsent", "id"),
                input.reason,
            )

        row, errors = await _run(info, run)
        consent, _view_object = await _consent_payload(info, row)
        return RevokeConsentPayload(consent=consent, user_errors=errors)

    @strawberry.mutation(
        description="Set a center's standing preference (its QI leads and data managers): it "
        "suggests the center's answer to each view; a decision is still recorded every time."
    )
    async def set_standing_consent(
        self, info: Info, input: InputArgument[SetStandingConsentInput]
    ) -> SetStandingConsentPayload:
        async def run() -> models.StandingConsent:
            draft = standing.StandingDraft(
                center_id=_id(input.center_id, "Center", "centerId"),
                preference=input.preference,
                valid_until=input.valid_until,
                note=input.note,
            )
            return await standing.set_standing_consent(info.context.db, info.context.viewer, draft)

        row, errors = await _run(info, run)
        if row is None:
            return SetStandingConsentPayload(standing_consent=None, center=None, user_errors=errors)
        loaders.forget(info)
        center = await info.context.loaders.center.load(row.center_id)
        return SetStandingConsentPayload(
            standing_consent=StandingConsent.from_model(row),
            center=Center.from_model(center) if center else None,
            user_errors=[],
        )
