"""The stewardship enums, registered with Strawberry once (imported by every module here)."""

from __future__ import annotations

from icn_graph.models import (
    ConsentDecision,
    DataAudience,
    DataRequestState,
    DataViewChart,
    DataViewStatus,
    OthersShown,
    StandingPreference,
)
from icn_graph.schema.described_enums import described_enum

DataRequestStateEnum = described_enum(
    DataRequestState,
    name="DataRequestState",
    description="SUBMITTED -> IN_DISCUSSION -> PROPOSED -> AWAITING_CENTERS -> APPROVED; or "
    "DECLINED, WITHDRAWN. EXPIRED: past its expiry date (a withdrawn or declined request stays "
    "as it was closed).",
    values={
        DataRequestState.SUBMITTED: "Asked; no one but the requester has commented yet.",
        DataRequestState.IN_DISCUSSION: "Being discussed (also after the requester rejects a "
        "proposed view).",
        DataRequestState.PROPOSED: "A view is proposed; the requester accepts or rejects it.",
        DataRequestState.AWAITING_CENTERS: "The requester accepted the view; its centers are "
        "asked and not all have answered.",
        DataRequestState.APPROVED: "Every center of the view answered, or the view was "
        "published; what shows of each center still depends on its decision at each read.",
        DataRequestState.DECLINED: "Closed by a data manager or staff, with a reason.",
        DataRequestState.WITHDRAWN: "Closed by the requester (or staff); nothing of it shows.",
        DataRequestState.EXPIRED: "Its expiry date has passed: no further step, nothing shows.",
    },
)
DataAudienceEnum = described_enum(
    DataAudience,
    name="DataAudience",
    description="Who will see the data: NETWORK members, or a PUBLIC presentation.",
    values={
        DataAudience.NETWORK: "Signed-in members of the network.",
        DataAudience.PUBLIC: "A public presentation: anyone holding one of the view's public "
        "links, without signing in.",
    },
)
DataViewChartEnum = described_enum(
    DataViewChart,
    name="DataViewChart",
    description="How a data view draws its measure.",
    values={
        DataViewChart.RUN_CHART: "One series per shown center (and the network), with the "
        "median and the Anhøj run rules.",
        DataViewChart.P_CHART: "One series per shown center (and the network), with p̄ and "
        "3-sigma limits.",
        DataViewChart.FUNNEL: "Centers' rates against their number of patients, with limits "
        "around the network rate.",
    },
)
OthersShownEnum = described_enum(
    OthersShown,
    name="OthersShown",
    description="How a view shows centers that have not consented to be named.",
    values={
        OthersShown.BLINDED: 'As "Center A", "Center B", ... (letters fixed per view).',
        OthersShown.NETWORK_TOTAL_ONLY: "Not at all, except inside the network total.",
    },
)
DataViewStatusEnum = described_enum(
    DataViewStatus,
    name="DataViewStatus",
    description="Where a proposed view stands with its requester.",
    values={
        DataViewStatus.PROPOSED: "Waiting for the requester's answer.",
        DataViewStatus.ACCEPTED: "The requester accepted it; its centers are asked.",
        DataViewStatus.REJECTED: 'The requester answered "no, let\'s try it this way".',
        DataViewStatus.SUPERSEDED: "A later proposal replaced it; consents given to it no "
        "longer count.",
    },
)
ConsentDecisionEnum = described_enum(
    ConsentDecision,
    name="ConsentDecision",
    description="A center's answer to a view: CONSENT (named), UNNAMED (blinded) or DECLINE.",
    values={
        ConsentDecision.CONSENT: "Show us by name, for the request's audience and purpose.",
        ConsentDecision.UNNAMED: "Show us, but blinded.",
        ConsentDecision.DECLINE: "Do not show us (we stay inside the network total).",
    },
)
StandingPreferenceEnum = described_enum(
    StandingPreference,
    name="StandingPreference",
    description="A center's standing preference; it suggests an answer, never gives one.",
    values={
        StandingPreference.ALWAYS_ASK: "Suggests nothing.",
        StandingPreference.IDENTIFIED_WITHIN_NETWORK: "Suggests CONSENT for views shown to "
        "network members; public views are asked.",
        StandingPreference.IDENTIFIED: "Suggests CONSENT for any audience.",
        StandingPreference.UNNAMED: "Suggests UNNAMED.",
        StandingPreference.DECLINE: "Suggests DECLINE.",
    },
)
