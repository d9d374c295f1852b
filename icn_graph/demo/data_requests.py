"""The demo's data request: the parent persona's request for the network's remission data for a
Learning Session talk, as the network's second story tells it.

A first proposal (a run chart of the network) was rejected ("no, let's try it this way"); the
second, a funnel plot of fifteen centers, was accepted. Twelve centers consented to be named,
two declined, and one consent was revoked after the session; the parent's own center (the first)
has not answered yet, so the request awaits it. Dates are relative to today, so the request is
live whenever the demo is loaded. It is ``DataRequest:1`` with views ``DataView:1`` and
``DataView:2`` in every demo network, which docs/data-requests.md relies on.
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


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


async def contribute(session: AsyncSession, context: DemoContext) -> None:
    network = context.network
    now = datetime.now(UTC)
    today = now.date()
    parent = context.persona_ids["parent"]
    manager = next(
        context.person_ids[index]
        for index, person in enumerate(network.people)
        if person.network_role == NetworkRole.DATA_MANAGER
    )
    active = [i for i, c in enumerate(network.centers) if c.status is CenterStatus.ACTIVE]
    rng = context.rng("data_requests")
    # The parent's center first (it has not answered), then fourteen others.
    chosen = [active[0], *rng.sample(active[1:], CENTERS - 1)]
    deciders: dict[int, int] = {}
    for membership in network.memberships:
        if membership.role is CenterRole.QI_LEAD:
            deciders.setdefault(membership.center, context.person_ids[membership.person])

    end = _months_back(today, 1)
    start = _months_back(end, 14)
    asked_at = now - timedelta(days=20)
    request_id = await session.scalar(
        insert(DataRequest)
        .values(
            requester_id=parent,
            purpose=PURPOSE,
            audience=DataAudience.PUBLIC,
            measure_keys=[MEASURE],
            whole_network=True,
            period_start=start,
            period_end=end,
            presentation="A slide of remission by center for the parents' session, to show "
            "how far the network has come.",
            expires_on=today + timedelta(days=90),
            state=DataRequestState.AWAITING_CENTERS,
            created_at=asked_at,
            updated_at=now - timedelta(days=10),
        )
        .returning(DataRequest.id)
    )
    assert request_id is not None
    common = {
        "request_id": request_id,
        "proposed_by_id": manager,
        "measure_key": MEASURE,
        "period_start": start,
        "period_end": end,
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
                    "responded_at": asked_at + timedelta(days=2),
                    "created_at": asked_at + timedelta(days=1),
                },
                common
                | {
                    "version": 2,
                    "chart": DataViewChart.FUNNEL,
                    "others": OthersShown.BLINDED,
                    "include_network": True,
                    "note": "A funnel plot: consenting centers named, the others blinded.",
                    "status": DataViewStatus.ACCEPTED,
                    "responded_at": asked_at + timedelta(days=4),
                    "created_at": asked_at + timedelta(days=3),
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
        decided_at = asked_at + timedelta(days=5, hours=offset)
        row = {
            "view_id": second,
            "center_id": context.center_ids[index],
            "decision": decision,
            "audience": DataAudience.PUBLIC,
            "purpose": PURPOSE,
            "expires_on": today + timedelta(days=90),
            "decided_by_id": deciders[index],
            "decided_at": decided_at,
            "note": "",
        }
        if offset == 0:  # the one that changed its mind after the session
            row |= {
                "revoked_at": now - timedelta(days=2),
                "revoked_by_id": deciders[index],
                "revoke_reason": "We would rather not be named outside the network after all.",
            }
        rows.append(row)
    await session.execute(insert(DisplayConsent), rows)
    assert first is not None
