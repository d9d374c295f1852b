"""Rows for the data-view tests: a network of centers with published values, a request, its
views and the centers' decisions, written straight to the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import update

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.models import (
    Center,
    CenterRole,
    MeasureValue,
    NetworkRole,
    Person,
    PersonKind,
)
from icn_graph.models.stewardship import (
    ConsentDecision,
    DataAudience,
    DataRequest,
    DataRequestState,
    DataView,
    DataViewCenter,
    DataViewChart,
    DataViewStatus,
    DisplayConsent,
    OthersShown,
)
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.reports.disclosure import republish
from icn_graph.testing import make_center, make_person, token_for

MEASURE = "remission_rate"
PURPOSE = "Spring 2014 Learning Session talk"
START = date(2014, 1, 1)
MONTHS = (date(2014, 1, 1), date(2014, 2, 1), date(2014, 3, 1))


def counts_of(index: int, month: int) -> tuple[int, int]:
    """Center ``index``'s (numerator, denominator) in month ``month`` (0, 1, 2): no count, and
    no complement, below 11, so every cell is published."""
    denominator = 40 + 7 * index + 3 * month
    numerator = 20 + (index * 5 + month * 2) % 17
    return numerator, denominator


@dataclass
class Network:
    centers: list[Center]
    deciders: dict[int, Person]
    """A QI lead of each center, by center id."""
    requester: Person
    steward: Person
    """A network data manager."""
    staff: Person
    tokens: dict[int, str] = field(default_factory=dict)
    """Bearer tokens by person id (made by ``token``)."""

    async def token(self, db: Database, person: Person) -> str:
        if person.id not in self.tokens:
            self.tokens[person.id] = await token_for(db, person)
        return self.tokens[person.id]


async def store_counts(
    db: Database, cells: Sequence[tuple[Center, date, int, int]], *, measure: str = MEASURE
) -> None:
    async with db.transaction() as session:
        session.add_all(
            MeasureValue(
                measure_key=measure,
                center_id=center.id,
                month=month,
                numerator=numerator,
                denominator=denominator,
            )
            for center, month, numerator, denominator in cells
        )
        await session.flush()
        await republish(session, core_registry())


async def make_network(db: Database, count: int = 8, *, with_data: int | None = None) -> Network:
    """``count`` centers, the first ``with_data`` (default all) with three published months."""
    centers = [await make_center(db, name=f"Children's Hospital {i:02d}") for i in range(count)]
    cells = [
        (center, month, *counts_of(index, offset))
        for index, center in enumerate(centers[: count if with_data is None else with_data])
        for offset, month in enumerate(MONTHS)
    ]
    await store_counts(db, cells)
    deciders = {
        center.id: await make_person(db, PersonKind.QI_LEAD, center=center, role=CenterRole.QI_LEAD)
        for center in centers
    }
    return Network(
        centers=centers,
        deciders=deciders,
        requester=await make_person(db, PersonKind.PARENT_PARTNER),
        steward=await make_person(db, PersonKind.STAFF, network_role=NetworkRole.DATA_MANAGER),
        staff=await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF),
    )


async def make_request(
    db: Database,
    requester: Person,
    *,
    audience: DataAudience = DataAudience.NETWORK,
    purpose: str = PURPOSE,
    expires_on: date | None = None,
    state: DataRequestState = DataRequestState.AWAITING_CENTERS,
) -> DataRequest:
    request = DataRequest(
        requester_id=requester.id,
        purpose=purpose,
        audience=audience,
        measure_keys=[MEASURE],
        whole_network=True,
        period_start=MONTHS[0],
        period_end=MONTHS[-1],
        presentation="A slide with each center's remission rate.",
        expires_on=expires_on or utcnow().date() + timedelta(days=60),
        state=state,
    )
    async with db.transaction() as session:
        session.add(request)
    return request


def letter(index: int) -> str:
    """A, B, ..., Z, AA, AB, ..."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


async def make_view(
    db: Database,
    request: DataRequest,
    centers: Sequence[Center],
    *,
    proposer: Person,
    chart: DataViewChart = DataViewChart.FUNNEL,
    others: OthersShown = OthersShown.BLINDED,
    status: DataViewStatus = DataViewStatus.ACCEPTED,
    include_network: bool = True,
    measure: str = MEASURE,
    period: tuple[date, date] = (MONTHS[0], MONTHS[-1]),
    letters: Sequence[str] | None = None,
    version: int | None = None,
) -> DataView:
    view = DataView(
        request_id=request.id,
        version=version or 1,
        proposed_by_id=proposer.id,
        measure_key=measure,
        chart=chart,
        period_start=period[0],
        period_end=period[1],
        others=others,
        include_network=include_network,
        status=status,
    )
    async with db.transaction() as session:
        session.add(view)
        await session.flush()
        session.add_all(
            DataViewCenter(
                view_id=view.id,
                center_id=center.id,
                letter=letters[index] if letters is not None else letter(index),
            )
            for index, center in enumerate(centers)
        )
    return view


async def decide(
    db: Database,
    view: DataView,
    request: DataRequest,
    center: Center,
    decision: ConsentDecision,
    decided_by: Person,
    *,
    audience: DataAudience | None = None,
    purpose: str | None = None,
    expires_on: date | None = None,
) -> DisplayConsent:
    consent = DisplayConsent(
        view_id=view.id,
        center_id=center.id,
        decision=decision,
        audience=audience or request.audience,
        purpose=purpose or request.purpose,
        expires_on=expires_on or request.expires_on,
        decided_by_id=decided_by.id,
    )
    async with db.transaction() as session:
        session.add(consent)
    return consent


async def consent_all(
    db: Database,
    network: Network,
    view: DataView,
    request: DataRequest,
    centers: Sequence[Center],
    decision: ConsentDecision = ConsentDecision.CONSENT,
) -> list[DisplayConsent]:
    return [
        await decide(db, view, request, center, decision, network.deciders[center.id])
        for center in centers
    ]


async def revoke(db: Database, consent: DisplayConsent, by: Person) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(DisplayConsent)
            .where(DisplayConsent.id == consent.id)
            .values(revoked_at=utcnow(), revoked_by_id=by.id, revoke_reason="After the session.")
        )


async def set_request(db: Database, request: DataRequest, **values: object) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(DataRequest).where(DataRequest.id == request.id).values(**values)
        )
        for name, value in values.items():
            setattr(request, name, value)


async def set_view(db: Database, view: DataView, **values: object) -> None:
    async with db.transaction() as session:
        await session.execute(update(DataView).where(DataView.id == view.id).values(**values))
        for name, value in values.items():
            setattr(view, name, value)


async def publish_rows(db: Database, view: DataView, request: DataRequest, by: Person) -> None:
    """Published as ``publishDataView`` leaves it, without the service."""
    await set_view(db, view, published_at=utcnow(), published_by_id=by.id)
    await set_request(db, request, state=DataRequestState.APPROVED)


def at(day: date) -> datetime:
    """Noon UTC of ``day``."""
    from datetime import UTC, time

    return datetime.combine(day, time(12), tzinfo=UTC)
