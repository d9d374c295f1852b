"""The read-time consent rule (services/stewardship/showing.py): NAMED, BLINDED or TOTAL_ONLY
for each center of a view at one instant, the blinded-group minimum and the unnamed remainder."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.models.stewardship import (
    ConsentDecision,
    DataAudience,
    DataRequest,
    DataRequestState,
    DataView,
    DataViewStatus,
    OthersShown,
)
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.data_views.showing import (
    BLINDED_MIN,
    SAFE_REMAINDER,
    Showing,
    ViewShowing,
    view_showing,
)
from icn_graph.services.data_views.view_reads import view_and_request
from icn_graph.testing import StatementCounter
from tests.stewardship.view_helpers import (
    MONTHS,
    consent_all,
    decide,
    make_network,
    make_request,
    make_view,
    revoke,
    set_request,
    set_view,
    store_counts,
)


async def _showing(db: Database, view: DataView, now: datetime | None = None) -> ViewShowing:
    async with db.session() as session:
        fresh, request = await view_and_request(session, view.id)
        return await view_showing(session, core_registry(), fresh, request, now=now or utcnow())


def _states(showing: ViewShowing) -> dict[str, Showing]:
    return {center.letter: center.showing for center in showing.centers}


def test_the_constants_are_the_spec() -> None:
    assert BLINDED_MIN == 3
    assert SAFE_REMAINDER == 4  # INSIDER_CENTERS (2) + 2


async def test_consent_names_and_revocation_unnames_at_the_next_read(db: Database) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    view = await make_view(
        db,
        request,
        network.centers[:4],
        proposer=network.steward,
        others=OthersShown.NETWORK_TOTAL_ONLY,
    )
    consents = await consent_all(db, network, view, request, network.centers[:4])

    before = await _showing(db, view)
    assert _states(before) == {letter: Showing.NAMED for letter in "ABCD"}
    assert [c.consent_id for c in before.centers] == [c.id for c in consents]

    await revoke(db, consents[1], network.deciders[network.centers[1].id])
    after = await _showing(db, view)
    assert _states(after) == {
        "A": Showing.NAMED,
        "B": Showing.TOTAL_ONLY,
        "C": Showing.NAMED,
        "D": Showing.NAMED,
    }
    assert after.centers[1].consent_id is None


async def test_the_latest_decision_counts(db: Database) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    center = network.centers[0]
    view = await make_view(
        db, request, [center], proposer=network.steward, others=OthersShown.NETWORK_TOTAL_ONLY
    )
    lead = network.deciders[center.id]
    await decide(db, view, request, center, ConsentDecision.CONSENT, lead)
    await decide(db, view, request, center, ConsentDecision.DECLINE, lead)
    assert _states(await _showing(db, view)) == {"A": Showing.TOTAL_ONLY}
    await decide(db, view, request, center, ConsentDecision.CONSENT, lead)
    assert _states(await _showing(db, view)) == {"A": Showing.NAMED}


async def test_a_consent_counts_only_within_its_scope(db: Database) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester, audience=DataAudience.PUBLIC)
    centers = network.centers[:5]
    view = await make_view(
        db, request, centers, proposer=network.steward, others=OthersShown.NETWORK_TOTAL_ONLY
    )
    today = utcnow().date()
    leads = [network.deciders[c.id] for c in centers]
    consent = ConsentDecision.CONSENT
    await decide(db, view, request, centers[0], consent, leads[0])  # in scope
    await decide(  # network members only, for a public talk
        db, view, request, centers[1], consent, leads[1], audience=DataAudience.NETWORK
    )
    await decide(db, view, request, centers[2], consent, leads[2], purpose="Another talk")
    await decide(
        db, view, request, centers[3], consent, leads[3], expires_on=today - timedelta(days=1)
    )
    await decide(db, view, request, centers[4], consent, leads[4], expires_on=today)

    assert _states(await _showing(db, view)) == {
        "A": Showing.NAMED,
        "B": Showing.TOTAL_ONLY,
        "C": Showing.TOTAL_ONLY,
        "D": Showing.TOTAL_ONLY,
        "E": Showing.NAMED,  # expires at the end of today
    }
    tomorrow = utcnow() + timedelta(days=1)
    assert _states(await _showing(db, view, tomorrow))["E"] is Showing.TOTAL_ONLY


async def test_a_public_consent_covers_a_network_audience(db: Database) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester, audience=DataAudience.NETWORK)
    center = network.centers[0]
    view = await make_view(
        db, request, [center], proposer=network.steward, others=OthersShown.NETWORK_TOTAL_ONLY
    )
    await decide(
        db,
        view,
        request,
        center,
        ConsentDecision.CONSENT,
        network.deciders[center.id],
        audience=DataAudience.PUBLIC,
    )
    assert _states(await _showing(db, view)) == {"A": Showing.NAMED}


async def test_the_view_and_request_must_be_live(db: Database) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    centers = network.centers[:3]
    view = await make_view(db, request, centers, proposer=network.steward)
    await consent_all(db, network, view, request, centers)
    named = {letter: Showing.NAMED for letter in "ABC"}
    # Once named in the view, never blinded there: the letters would match the named values.
    blinded = {letter: Showing.TOTAL_ONLY for letter in "ABC"}
    assert _states(await _showing(db, view)) == named

    # Past the request's last day: expired, whatever the stored state.
    after_expiry = utcnow() + timedelta(days=61)
    assert _states(await _showing(db, view, after_expiry)) == blinded

    for state in (DataRequestState.WITHDRAWN, DataRequestState.DECLINED):
        await set_request(db, request, state=state)
        assert _states(await _showing(db, view)) == blinded
    await set_request(db, request, state=DataRequestState.APPROVED)
    assert _states(await _showing(db, view)) == named

    for status in (DataViewStatus.SUPERSEDED, DataViewStatus.PROPOSED, DataViewStatus.REJECTED):
        await set_view(db, view, status=status)
        assert _states(await _showing(db, view)) == blinded


async def test_blinded_group_minimum(db: Database) -> None:
    network = await make_network(db, 10)
    request = await make_request(db, network.requester)
    view = await make_view(db, request, network.centers[:5], proposer=network.steward)
    # Three consent: two left blinded, too few to blind.
    await consent_all(db, network, view, request, network.centers[:3])
    assert _states(await _showing(db, view)) == {
        "A": Showing.NAMED,
        "B": Showing.NAMED,
        "C": Showing.NAMED,
        "D": Showing.TOTAL_ONLY,
        "E": Showing.TOTAL_ONLY,
    }
    # Three left blinded: shown with their letters.
    wider = await make_view(db, request, network.centers[:6], proposer=network.steward, version=2)
    await consent_all(db, network, wider, request, network.centers[:3])
    assert _states(await _showing(db, wider)) == {
        "A": Showing.NAMED,
        "B": Showing.NAMED,
        "C": Showing.NAMED,
        "D": Showing.BLINDED,
        "E": Showing.BLINDED,
        "F": Showing.BLINDED,
    }


async def test_unnamed_answers_blind_even_when_others_show_only_in_the_total(
    db: Database,
) -> None:
    network = await make_network(db, 10)
    request = await make_request(db, network.requester)
    centers = network.centers[:4]
    view = await make_view(
        db, request, centers, proposer=network.steward, others=OthersShown.NETWORK_TOTAL_ONLY
    )
    await consent_all(db, network, view, request, centers[:2], ConsentDecision.UNNAMED)
    # Two asked to be blinded: too few, only in the total.
    assert set(_states(await _showing(db, view)).values()) == {Showing.TOTAL_ONLY}
    await decide(
        db, view, request, centers[2], ConsentDecision.UNNAMED, network.deciders[centers[2].id]
    )
    showing = await _showing(db, view)
    assert _states(showing) == {
        "A": Showing.BLINDED,
        "B": Showing.BLINDED,
        "C": Showing.BLINDED,
        "D": Showing.TOTAL_ONLY,
    }
    assert all(c.consent_id is not None for c in showing.blinded)


async def test_letters_are_the_views_own(db: Database) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    view = await make_view(
        db, request, network.centers[:3], proposer=network.steward, letters=["Q", "C", "AB"]
    )
    showing = await _showing(db, view)
    # Letter order, shorter first; each center keeps its letter at every read.
    assert [(c.center_id, c.letter) for c in showing.centers] == [
        (network.centers[1].id, "C"),
        (network.centers[0].id, "Q"),
        (network.centers[2].id, "AB"),
    ]
    assert (await _showing(db, view)).centers == showing.centers


async def test_unnamed_remainder_withholds_named_months(db: Database) -> None:
    # 8 centers with data; 5 named leaves 3 unnamed (from 1 to 3: withheld), 4 named leaves 4.
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    view = await make_view(
        db,
        request,
        network.centers[:5],
        proposer=network.steward,
        others=OthersShown.NETWORK_TOTAL_ONLY,
    )
    consents = await consent_all(db, network, view, request, network.centers[:5])
    assert (await _showing(db, view)).withheld_months == frozenset(MONTHS)

    await revoke(db, consents[4], network.deciders[network.centers[4].id])
    assert (await _showing(db, view)).withheld_months == frozenset()


async def test_unnamed_remainder_of_zero_is_safe(db: Database) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    view = await make_view(db, request, network.centers, proposer=network.steward)
    await consent_all(db, network, view, request, network.centers)
    showing = await _showing(db, view)
    assert len(showing.named) == 8
    assert showing.withheld_months == frozenset()


async def test_unnamed_remainder_counts_centers_named_in_other_views(db: Database) -> None:
    network = await make_network(db, 9)
    first = await make_request(db, network.requester)
    view = await make_view(
        db,
        first,
        network.centers[:3],
        proposer=network.steward,
        others=OthersShown.NETWORK_TOTAL_ONLY,
    )
    await consent_all(db, network, view, first, network.centers[:3])
    assert (await _showing(db, view)).withheld_months == frozenset()  # 6 unnamed

    # Another request names three more centers in February only (same family: steroid-free
    # remission shares remission's patients): 9 - 6 = 3 unnamed that month.
    second = await make_request(db, network.requester, purpose="A poster")
    other = await make_view(
        db,
        second,
        network.centers[3:6],
        proposer=network.steward,
        measure="steroid_free_remission",
        period=(MONTHS[1], MONTHS[1]),
        others=OthersShown.NETWORK_TOTAL_ONLY,
    )
    await consent_all(db, network, other, second, network.centers[3:6])
    await store_counts(
        db,
        [
            (center, month, 11, 40 + 7 * index + 3 * offset)
            for index, center in enumerate(network.centers)
            for offset, month in enumerate(MONTHS)
        ],
        measure="steroid_free_remission",
    )
    assert (await _showing(db, view)).withheld_months == frozenset({MONTHS[1]})
    assert (await _showing(db, other)).withheld_months == frozenset({MONTHS[1]})

    # Once the other request is withdrawn its view renders no more, and names no one.
    await set_request(db, second, state=DataRequestState.WITHDRAWN)
    assert (await _showing(db, view)).withheld_months == frozenset()


async def test_unnamed_remainder_looks_at_each_month_s_centers_with_data(db: Database) -> None:
    # 6 centers, 4 with data in January to March; a fifth and sixth only from February on.
    network = await make_network(db, 6, with_data=4)
    await store_counts(
        db,
        [(center, month, 25, 50) for center in network.centers[4:] for month in MONTHS[1:]],
    )
    request = await make_request(db, network.requester)
    view = await make_view(
        db,
        request,
        network.centers[:2],
        proposer=network.steward,
        others=OthersShown.NETWORK_TOTAL_ONLY,
    )
    await consent_all(db, network, view, request, network.centers[:2])
    # January: 4 - 2 = 2 unnamed (withheld); February, March: 6 - 2 = 4.
    assert (await _showing(db, view)).withheld_months == frozenset({MONTHS[0]})


@pytest.mark.parametrize(("count", "withheld"), [(7, frozenset()), (5, frozenset(MONTHS))])
async def test_blinded_centers_count_as_shown_in_the_remainder(
    db: Database, count: int, withheld: frozenset[date]
) -> None:
    # Blinded values subtract from the network total like named ones: 3 blinded of 7 leave 4
    # centers not shown (safe); of 5 they leave 2, whose sum the total would give away.
    network = await make_network(db, count)
    request = await make_request(db, network.requester)
    view = await make_view(db, request, network.centers[:3], proposer=network.steward)
    showing = await _showing(db, view)
    assert showing.named == ()
    assert len(showing.blinded) == 3
    assert showing.withheld_months == withheld


async def test_three_queries_however_many_views(db: Database, statements: StatementCounter) -> None:
    network = await make_network(db, 10)
    views = []
    for index in range(4):
        request = await make_request(db, network.requester, purpose=f"Talk {index}")
        view = await make_view(
            db, request, network.centers[index * 2 : index * 2 + 2], proposer=network.steward
        )
        await consent_all(db, network, view, request, network.centers[index * 2 : index * 2 + 2])
        views.append(view)
    async with db.session() as session:
        fresh, request = await view_and_request(session, views[0].id)
        statements.reset()
        await view_showing(session, core_registry(), fresh, request, now=utcnow())
        assert statements.count == 3


async def test_a_view_of_a_request_not_yet_answered_previews_blinded(db: Database) -> None:
    network = await make_network(db, 6)
    request: DataRequest = await make_request(
        db, network.requester, state=DataRequestState.PROPOSED
    )
    view = await make_view(
        db,
        request,
        network.centers[:4],
        proposer=network.steward,
        status=DataViewStatus.PROPOSED,
    )
    assert set(_states(await _showing(db, view)).values()) == {Showing.BLINDED}
