"""The read-time consent rule (services/stewardship/showing.py): NAMED, BLINDED or TOTAL_ONLY
for each center of a view at one instant, the blinded-group minimum and the unnamed remainder."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone

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
    period_months,
    today_at,
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


def _full(showing: ViewShowing) -> list[tuple[int, str, Showing, int | None]]:
    return [(c.center_id, c.letter, c.showing, c.consent_id) for c in showing.centers]


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
    consents = await consent_all(db, network, view, request, network.centers[:3])
    showing = await _showing(db, view)
    assert _states(showing) == {
        "A": Showing.NAMED,
        "B": Showing.NAMED,
        "C": Showing.NAMED,
        "D": Showing.TOTAL_ONLY,
        "E": Showing.TOTAL_ONLY,
    }
    # Each center keeps its id and letter; only how it shows changes.
    assert _full(showing) == [
        *[
            (c.id, "ABC"[i], Showing.NAMED, consents[i].id)
            for i, c in enumerate(network.centers[:3])
        ],
        (network.centers[3].id, "D", Showing.TOTAL_ONLY, None),
        (network.centers[4].id, "E", Showing.TOTAL_ONLY, None),
    ]
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

    # A revoked consent still counts as shown: readers may have kept the named values.
    await revoke(db, consents[4], network.deciders[network.centers[4].id])
    assert (await _showing(db, view)).withheld_months == frozenset(MONTHS)

    fresh = await make_request(db, network.requester, purpose="A poster")
    four = await make_view(
        db,
        fresh,
        network.centers[:4],
        proposer=network.steward,
        others=OthersShown.NETWORK_TOTAL_ONLY,
    )
    await consent_all(db, network, four, fresh, network.centers[:4])
    assert (await _showing(db, four)).withheld_months == frozenset(MONTHS)  # center 4 kept


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

    # Once the other request is withdrawn its view renders no more, but its readers keep what
    # it named: those centers still count as shown.
    await set_request(db, second, state=DataRequestState.WITHDRAWN)
    assert (await _showing(db, view)).withheld_months == frozenset({MONTHS[1]})


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


async def test_a_decline_is_never_blinded(db: Database) -> None:
    # Declining is not asking to be blinded: with the others only in the total, three centers
    # that decline are only in the total too (three would be enough to blind).
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    centers = network.centers[:4]
    view = await make_view(
        db, request, centers, proposer=network.steward, others=OthersShown.NETWORK_TOTAL_ONLY
    )
    await consent_all(db, network, view, request, centers[:3], ConsentDecision.DECLINE)
    assert set(_states(await _showing(db, view)).values()) == {Showing.TOTAL_ONLY}


async def test_the_answer_is_for_its_view_and_the_day_of_now(db: Database) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    view = await make_view(db, request, network.centers[:3], proposer=network.steward)
    now = datetime(2014, 3, 1, 23, 30, tzinfo=UTC)
    showing = await _showing(db, view, now)
    assert (showing.view_id, showing.today) == (view.id, date(2014, 3, 1))


async def test_the_request_s_expiry_is_read_on_the_day_of_now(db: Database) -> None:
    # The request (and its consents) ended yesterday; read as of the day before, it was open
    # and the centers were named: the answer depends on ``now``, not on the clock.
    network = await make_network(db, 8)
    yesterday = utcnow().date() - timedelta(days=1)
    request = await make_request(db, network.requester, expires_on=yesterday)
    centers = network.centers[:3]
    view = await make_view(db, request, centers, proposer=network.steward)
    await consent_all(db, network, view, request, centers)
    before = await _showing(db, view, utcnow() - timedelta(days=2))
    assert _states(before) == {letter: Showing.NAMED for letter in "ABC"}
    assert set(_states(await _showing(db, view)).values()) == {Showing.TOTAL_ONLY}


def test_today_is_the_utc_date_whatever_the_server_s_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    # Noon UTC on 31 January is already 1 February at UTC+13: the day is UTC's.
    monkeypatch.setenv("TZ", "NZDT-13")
    time.tzset()
    try:
        assert today_at(datetime(2014, 1, 31, 12, tzinfo=UTC)) == date(2014, 1, 31)
        assert today_at(datetime(2014, 1, 31, 20, tzinfo=timezone(-timedelta(hours=5)))) == date(
            2014, 2, 1
        )
    finally:
        monkeypatch.undo()
        time.tzset()


@contextmanager
def _within(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in a loop that runs longer than ``seconds`` (a month step that goes
    backwards never ends, and would fill memory before any outer timeout)."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2013, 11, 20), date(2014, 2, 3), ["2013-11", "2013-12", "2014-01", "2014-02"]),
        (date(2013, 12, 1), date(2013, 12, 31), ["2013-12"]),
        (date(2014, 1, 31), date(2014, 1, 1), ["2014-01"]),
        (
            date(2012, 12, 1),
            date(2014, 1, 1),
            ["2012-12", *[f"2013-{m:02d}" for m in range(1, 13)], "2014-01"],
        ),
    ],
)
def test_period_months_are_the_first_days_of_each_month_across_years(
    start: date, end: date, months: list[str]
) -> None:
    view = DataView(period_start=start, period_end=end)
    with _within(2):
        found = period_months(view)
    assert [f"{m:%Y-%m}" for m in found] == months
    assert all(m.day == 1 for m in found)


@pytest.mark.parametrize(("denominator", "withheld"), [(0, frozenset(MONTHS)), (1, frozenset())])
async def test_a_center_has_data_in_a_month_when_it_has_a_patient(
    db: Database, denominator: int, withheld: frozenset[date]
) -> None:
    # 4 centers with data and 2 more with rows of ``denominator`` patients; 2 named. Rows of no
    # patient are no data (2 unnamed: withheld); one patient is (4 unnamed).
    network = await make_network(db, 6, with_data=4)
    await store_counts(
        db, [(center, month, 0, denominator) for center in network.centers[4:] for month in MONTHS]
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
    assert (await _showing(db, view)).withheld_months == withheld


async def test_data_of_another_family_is_not_data_of_the_view_s_family(db: Database) -> None:
    # 4 centers with remission data, 4 more with pre-visit planning only; 2 named leaves 2
    # centers of remission data unnamed, whatever the others have of another measure.
    network = await make_network(db, 8, with_data=4)
    await store_counts(
        db,
        [(center, month, 20, 50) for center in network.centers[4:] for month in MONTHS],
        measure="pre_visit_planning_rate",
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
    assert (await _showing(db, view)).withheld_months == frozenset(MONTHS)


async def test_a_decision_in_another_view_is_not_this_view_s(db: Database) -> None:
    # The same centers consent in another request's view of January; this view of February and
    # March has no decision and blinds its others: they are blinded here (the named view does
    # not overlap), neither named by the other view's consents nor "once consented" here.
    network = await make_network(db, 8)
    centers = network.centers[:3]
    first = await make_request(db, network.requester)
    view = await make_view(
        db, first, centers, proposer=network.steward, period=(MONTHS[1], MONTHS[2])
    )
    second = await make_request(db, network.requester, purpose="A poster")
    other = await make_view(
        db, second, centers, proposer=network.steward, period=(MONTHS[0], MONTHS[0])
    )
    await consent_all(db, network, other, second, centers)
    assert _full(await _showing(db, view)) == [
        (center.id, letter, Showing.BLINDED, None)
        for center, letter in zip(centers, "ABC", strict=True)
    ]


@pytest.mark.parametrize(
    ("period", "other_period", "measure", "first_shows"),
    [
        # Overlapping views of the family: the center named there is not blinded here.
        ((0, 2), (0, 2), "steroid_free_remission", Showing.TOTAL_ONLY),
        ((0, 1), (1, 2), "remission_rate", Showing.TOTAL_ONLY),  # one month in common
        ((1, 2), (0, 1), "remission_rate", Showing.TOTAL_ONLY),
        # Periods apart (whatever the request's period), or another family: blinded here.
        ((0, 0), (1, 2), "remission_rate", Showing.BLINDED),
        ((1, 2), (0, 0), "remission_rate", Showing.BLINDED),
        ((0, 2), (0, 2), "pre_visit_planning_rate", Showing.BLINDED),
    ],
)
async def test_named_elsewhere_means_in_an_overlapping_view_of_the_family(
    db: Database,
    period: tuple[int, int],
    other_period: tuple[int, int],
    measure: str,
    first_shows: Showing,
) -> None:
    network = await make_network(db, 8)
    centers = network.centers[:4]
    request = await make_request(db, network.requester)
    view = await make_view(
        db,
        request,
        centers,
        proposer=network.steward,
        period=(MONTHS[period[0]], MONTHS[period[1]]),
    )
    second = await make_request(db, network.requester, purpose="A poster")
    other = await make_view(
        db,
        second,
        centers[:1],
        proposer=network.steward,
        measure=measure,
        period=(MONTHS[other_period[0]], MONTHS[other_period[1]]),
    )
    await consent_all(db, network, other, second, centers[:1])
    assert _full(await _showing(db, view)) == [
        (centers[0].id, "A", first_shows, None),
        *[
            (center.id, letter, Showing.BLINDED, None)
            for center, letter in zip(centers[1:], "BCD", strict=True)
        ],
    ]


async def test_centers_named_in_several_other_views_are_each_not_blinded(db: Database) -> None:
    network = await make_network(db, 8)
    centers = network.centers[:6]
    request = await make_request(db, network.requester)
    view = await make_view(db, request, centers, proposer=network.steward)
    for index in (0, 1):
        other_request = await make_request(db, network.requester, purpose=f"Poster {index}")
        other = await make_view(db, other_request, [centers[index]], proposer=network.steward)
        await consent_all(db, network, other, other_request, [centers[index]])
    assert _full(await _showing(db, view)) == [
        (centers[0].id, "A", Showing.TOTAL_ONLY, None),
        (centers[1].id, "B", Showing.TOTAL_ONLY, None),
        *[
            (c.id, letter, Showing.BLINDED, None)
            for c, letter in zip(centers[2:], "CDEF", strict=True)
        ],
    ]


@pytest.mark.parametrize(
    ("other_state", "withheld"),
    [
        ("rendering", True),
        ("superseded", False),
        ("withdrawn", False),
        ("declined", False),
        ("expired yesterday", False),
        ("expires today", True),
    ],
)
async def test_only_views_that_render_count_in_the_remainder(
    db: Database, other_state: str, withheld: bool
) -> None:
    # 8 centers with data, 2 named here; another view of the family blinds 3 more: 3 left (all
    # months withheld) while that view renders, 6 once it does not.
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    view = await make_view(
        db,
        request,
        network.centers[:2],
        proposer=network.steward,
        others=OthersShown.NETWORK_TOTAL_ONLY,
    )
    await consent_all(db, network, view, request, network.centers[:2])
    today = utcnow().date()
    expires_on = {"expired yesterday": today - timedelta(days=1), "expires today": today}
    second = await make_request(
        db, network.requester, purpose="A poster", expires_on=expires_on.get(other_state)
    )
    other = await make_view(db, second, network.centers[2:5], proposer=network.steward)
    if other_state == "superseded":
        await set_view(db, other, status=DataViewStatus.SUPERSEDED)
    elif other_state in ("withdrawn", "declined"):
        await set_request(db, second, state=DataRequestState(other_state.upper()))
    assert (await _showing(db, view)).withheld_months == (
        frozenset(MONTHS) if withheld else frozenset()
    )


@pytest.mark.parametrize("before", ["a view of other months", "a view showing no center"])
async def test_every_view_that_shows_counts_in_the_remainder(db: Database, before: str) -> None:
    # 8 centers, 2 named here, 3 blinded in a later view of the family: 3 left, withheld. A
    # view made before that one, which shows nothing in these months, changes nothing.
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    view = await make_view(
        db,
        request,
        network.centers[:2],
        proposer=network.steward,
        others=OthersShown.NETWORK_TOTAL_ONLY,
    )
    await consent_all(db, network, view, request, network.centers[:2])
    earlier = await make_request(db, network.requester, purpose="An earlier poster")
    if before == "a view of other months":
        await make_view(
            db,
            earlier,
            network.centers[5:8],
            proposer=network.steward,
            period=(date(2013, 11, 1), date(2013, 12, 1)),
        )
    else:
        await make_view(
            db,
            earlier,
            network.centers[5:6],
            proposer=network.steward,
            others=OthersShown.NETWORK_TOTAL_ONLY,
        )
    later = await make_request(db, network.requester, purpose="A later poster")
    await make_view(db, later, network.centers[2:5], proposer=network.steward)
    assert (await _showing(db, view)).withheld_months == frozenset(MONTHS)


async def test_a_view_of_only_the_network_total_takes_no_part(db: Database) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    view = await make_view(db, request, network.centers[:3], proposer=network.steward)
    second = await make_request(db, network.requester, purpose="A poster")
    await make_view(db, second, [], proposer=network.steward)
    showing = await _showing(db, view)
    assert set(_states(showing).values()) == {Showing.BLINDED}
    assert showing.withheld_months == frozenset()
