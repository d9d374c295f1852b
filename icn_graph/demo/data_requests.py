"""The demo's data request: the parent persona's request for the network's remission data for her
talk at the Spring 2014 Learning Session (3-5 April 2014), as the network's second story tells it.

She asked in February 2014 for the twelve months to February 2014 (the demo's last month of
registry data). A first proposal (a run chart of the network) was rejected ("no, let's try it
this way"); the second, a funnel plot of fifteen centers that have data over those months, was
accepted in March. Twelve centers consented to be named, two declined, and one consent was
revoked after the session; the parent's own center (the first) has not answered yet, so the
request awaits it and the funnel shows eleven centers by name and three blinded (the revoked
one only inside the network total: once named, never blinded). Its steps are
dated in 2014, but the request and the consents expire 90 days after the demo is loaded, so the
funnel renders on a present-day screen too. It is ``DataRequest:1`` with views ``DataView:1``
and ``DataView:2`` in every demo network, which docs/data-requests.md relies on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.demo.context import DemoContext
from icn_graph.models import (
    CenterRole,
    CenterStatus,
    ConsentDecision,
    DataAudience,
    DataRequest,
    DataRequestState,
    DataView,
    DataViewCenter,
    DataViewChart,
    DataViewStatus,
    DisplayConsent,
    NetworkRole,
    OthersShown,
)
from icn_graph.services.stewardship.views import letter

PURPOSE = "Spring 2014 Learning Session talk"
MEASURE = "remission_rate"
CENTERS = 15
CONSENTING = 12
DECLINING = 2
PERIOD_START = date(2013, 3, 1)
PERIOD_END = date(2014, 2, 1)
ASKED_AT = datetime(2014, 2, 24, 20, 15, tzinfo=UTC)
REVOKED_AT = datetime(2014, 4, 14, 15, 40, tzinfo=UTC)
"""The week after the Spring 2014 Learning Session."""


async def contribute(session: AsyncSession, context: DemoContext) -> None:
    network = context.network
    today = datetime.now(UTC).date()
    parent = context.persona_ids["parent"]
    manager = next(
        context.person_ids[index]
        for index, person in enumerate(network.people)
        if person.network_role == NetworkRole.DATA_MANAGER
    )
    # Centers that were in the network for the whole period, so each has data to place.
    reporting = [
        i
        for i, c in enumerate(network.centers)
        if c.status is CenterStatus.ACTIVE and c.joined_on < PERIOD_START
    ]
    rng = context.rng("data_requests")
    # The parent's center first (it has not answered), then fourteen others.
    chosen = [reporting[0], *rng.sample(reporting[1:], CENTERS - 1)]
    deciders: dict[int, int] = {}
    for membership in network.memberships:
        if membership.role is CenterRole.QI_LEAD:
            deciders.setdefault(membership.center, context.person_ids[membership.person])

    asked_at = ASKED_AT
    expires_on = today + timedelta(days=90)
    request_id = await session.scalar(
        insert(DataRequest)
        .values(
            requester_id=parent,
            purpose=PURPOSE,
            audience=DataAudience.PUBLIC,
            measure_keys=[MEASURE],
            whole_network=True,
            period_start=PERIOD_START,
            period_end=PERIOD_END,
            presentation="A slide of remission by center for the parents' session, to show "
            "how far the network has come.",
            expires_on=expires_on,
            state=DataRequestState.AWAITING_CENTERS,
            created_at=asked_at,
            updated_at=REVOKED_AT,
        )
        .returning(DataRequest.id)
    )
    assert request_id is not None
    common = {
        "request_id": request_id,
        "proposed_by_id": manager,
        "measure_key": MEASURE,
        "period_start": PERIOD_START,
        "period_end": PERIOD_END,
    }
    first, second = (
        await session.scalars(
            insert(DataView).returning(DataView.id, sort_by_parameter_order=True),
            [
                common
                | {
                    "version": 1,
                    "chart": DataViewChart.RUN_CHART,
                    "others": OthersShown.NETWORK_TOTAL_ONLY,
                    "include_network": True,
                    "note": "The network's remission rate as a run chart.",
                    "status": DataViewStatus.REJECTED,
                    "response": "No, let's try it this way: each center against the network.",
                    "responded_at": asked_at + timedelta(days=3),
                    "created_at": asked_at + timedelta(days=2),
                },
                common
                | {
                    "version": 2,
                    "chart": DataViewChart.FUNNEL,
                    "others": OthersShown.BLINDED,
                    "include_network": True,
                    "note": "A funnel plot: consenting centers named, the others blinded.",
                    "status": DataViewStatus.ACCEPTED,
                    "responded_at": asked_at + timedelta(days=8),
                    "created_at": asked_at + timedelta(days=7),
                },
            ],
        )
    ).all()
    letters = [letter(index) for index in range(CENTERS)]
    rng.shuffle(letters)
    center_ids = [context.center_ids[index] for index in chosen]
    await session.execute(
        insert(DataViewCenter),
        [
            {"view_id": second, "center_id": center_id, "letter": name}
            for center_id, name in zip(center_ids, letters, strict=True)
        ],
    )
    answers = [ConsentDecision.CONSENT] * CONSENTING + [ConsentDecision.DECLINE] * DECLINING
    rows = []
    for offset, (index, decision) in enumerate(zip(chosen[1:], answers, strict=True)):
        decided_at = asked_at + timedelta(days=9, hours=11 * offset)
        row = {
            "view_id": second,
            "center_id": context.center_ids[index],
            "decision": decision,
            "audience": DataAudience.PUBLIC,
            "purpose": PURPOSE,
            "expires_on": expires_on,
            "decided_by_id": deciders[index],
            "decided_at": decided_at,
            "note": "",
        }
        if offset == 0:  # the one that changed its mind after the session
            row |= {
                "revoked_at": REVOKED_AT,
                "revoked_by_id": deciders[index],
                "revoke_reason": "We would rather not be named outside the network after all.",
            }
        rows.append(row)
    await session.execute(insert(DisplayConsent), rows)
    assert first is not None
