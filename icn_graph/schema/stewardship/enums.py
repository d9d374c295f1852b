"""The stewardship enums, registered with Strawberry once (imported by every module here)."""

from __future__ import annotations

import strawberry

from icn_graph.models import (
    ConsentDecision,
    DataAudience,
    DataRequestState,
    DataViewChart,
    DataViewStatus,
    OthersShown,
    StandingPreference,
)

DataRequestStateEnum = strawberry.enum(
    DataRequestState,
    name="DataRequestState",
    description="SUBMITTED -> IN_DISCUSSION -> PROPOSED -> AWAITING_CENTERS -> APPROVED; or "
    "DECLINED, WITHDRAWN. EXPIRED: past its expiry date (a withdrawn or declined request stays "
    "as it was closed).",
)
DataAudienceEnum = strawberry.enum(
    DataAudience,
    name="DataAudience",
    description="Who will see the data: NETWORK members, or a PUBLIC presentation.",
)
DataViewChartEnum = strawberry.enum(DataViewChart, name="DataViewChart")
OthersShownEnum = strawberry.enum(
    OthersShown,
    name="OthersShown",
    description="How a view shows centers that have not consented to be named.",
)
DataViewStatusEnum = strawberry.enum(DataViewStatus, name="DataViewStatus")
ConsentDecisionEnum = strawberry.enum(
    ConsentDecision,
    name="ConsentDecision",
    description="A center's answer to a view: CONSENT (named), UNNAMED (blinded) or DECLINE.",
)
StandingPreferenceEnum = strawberry.enum(
    StandingPreference,
    name="StandingPreference",
    description="A center's standing preference; it suggests an answer, never gives one.",
)
