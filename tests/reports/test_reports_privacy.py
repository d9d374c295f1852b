"""Small-cell suppression and who sees which report, for every audience, through the API."""

from __future__ import annotations

from typing import Any

import pytest

from icn_graph.db.database import Database
from icn_graph.errors import Forbidden, Unauthenticated
from icn_graph.models import CenterRole, NetworkRole
from icn_graph.services.reports.access import (
    Disclosure,
    center_disclosure,
    disclosure_for,
    may_see_identified_values,
    network_disclosure,
)
from icn_graph.services.reports.disclosure import is_small_count, reveals_small_count
from icn_graph.services.viewer import Viewer
from icn_graph.testing import GraphQLClient, make_center
from tests.helpers import error_codes
from tests.report_helpers import REPORT_QUERY, make_audience, month, store_values

# (numerator, denominator) -> suppressed outside the owning center?
BOUNDARIES: list[tuple[int, int, bool]] = [
    (0, 50, False),  # numerator 0 may show; complement 50
    (1, 50, True),  # numerator 1
    (10, 50, True),  # numerator 10
    (11, 50, False),  # numerator 11, complement 39
    (39, 50, False),  # complement 11
    (40, 50, True),  # complement 10
    (49, 50, True),  # complement 1
    (50, 50, False),  # complement 0 may show
    (0, 10, True),  # denominator 10 (complement 10)
    (0, 11, False),  # denominator 11, complement 11
    (3, 4, True),  # denominator 4
    (11, 22, False),
]


def test_small_counts_are_one_to_ten() -> None:
    assert [count for count in range(-1, 13) if is_small_count(count)] == list(range(1, 11))
    for numerator, denominator, suppressed in BOUNDARIES:
        assert reveals_small_count(numerator, denominator) is suppressed, (numerator, denominator)


async def _points(client: GraphQLClient, token: str, center_id: str | None) -> list[dict[str, Any]]:
    data = await client.data(
        REPORT_QUERY, {"measure": "remission_rate", "centerId": center_id}, token=token
    )
    points: list[dict[str, Any]] = data["report"]["points"]
    return points


@pytest.mark.parametrize("reader", ["staff", "admin", "data_manager"])
async def test_network_staff_and_data_managers_see_centers_suppressed(
    db: Database, client: GraphQLClient, reader: str
) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(y, n) for y, n, _ in BOUNDARIES])

    points = await _points(client, getattr(audience, reader), audience.center_id)

    # The centre line p̄ is computed on the shown months only: over every month it would let a
    # reader solve for the hidden ones.
    shown = [(y, n) for y, n, suppressed in BOUNDARIES if not suppressed]
    centre = sum(y for y, _ in shown) / sum(n for _, n in shown)
    assert len(points) == len(BOUNDARIES)
    for point, (numerator, denominator, suppressed) in zip(points, BOUNDARIES, strict=True):
        assert point["suppressed"] is suppressed, (numerator, denominator)
        assert point["centerLine"] == pytest.approx(centre)
        if suppressed:
            hidden = ("numerator", "denominator", "value", "lowerLimit", "upperLimit")
            assert all(point[name] is None for name in hidden), point
        else:
            assert (point["numerator"], point["denominator"]) == (numerator, denominator)
            assert point["value"] == pytest.approx(numerator / denominator)
            assert point["lowerLimit"] is not None
            assert point["upperLimit"] is not None


async def test_a_centers_own_team_sees_every_count(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(y, n) for y, n, _ in BOUNDARIES])

    points = await _points(client, audience.member, audience.center_id)

    assert [(p["numerator"], p["denominator"]) for p in points] == [
        (y, n) for y, n, _ in BOUNDARIES
    ]
    assert not any(point["suppressed"] for point in points)
    assert all(point["upperLimit"] is not None for point in points)


async def test_other_members_may_not_see_another_centers_report(
    db: Database, client: GraphQLClient
) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(20, 40)])

    body = await client.execute(
        REPORT_QUERY,
        {"measure": "remission_rate", "centerId": audience.center_id},
        token=audience.other_member,
    )
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["data"] is None

    anonymous = await client.execute(
        REPORT_QUERY, {"measure": "remission_rate", "centerId": audience.center_id}
    )
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    network = await client.execute(REPORT_QUERY, {"measure": "remission_rate"})
    assert error_codes(network) == ["UNAUTHENTICATED"]


async def test_center_report_field_follows_the_same_rules(
    db: Database, client: GraphQLClient
) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(5, 40), (20, 40)])
    query = """
    query($id: ID!) { node(id: $id) { ... on Center {
      report(measure: "remission_rate") { points { numerator suppressed } }
    } } }
    """
    variables = {"id": audience.center_id}

    own = await client.data(query, variables, token=audience.member)
    assert own["node"]["report"]["points"] == [
        {"numerator": 5, "suppressed": False},
        {"numerator": 20, "suppressed": False},
    ]
    staff = await client.data(query, variables, token=audience.staff)
    assert staff["node"]["report"]["points"] == [
        {"numerator": None, "suppressed": True},
        {"numerator": 20, "suppressed": False},
    ]
    # Another center's member still sees the center; its report is null, not an error.
    other = await client.execute(query, variables, token=audience.other_member)
    assert "errors" not in other
    assert other["data"]["node"] == {"report": None}


NETWORK_QUERY = """
{ network { report(measure: "remission_rate") {
    center { name }
    points { month numerator denominator suppressed }
} } }
"""


async def test_the_network_aggregate_is_suppressed_for_everyone(
    db: Database, client: GraphQLClient
) -> None:
    audience = await make_audience(db)
    third = await make_center(db)
    # Month 0: 13/30 + 20/31 + 30/41 = 63/102 shows. Month 1: 1/5 + 2/3 + 0/0 = 3/8 hides.
    # Month 2: 0/0 + 0/12 + 0/0 = 0/12 shows (zero may show, complement 12).
    await store_values(db, audience.center, [(13, 30), (1, 5), (0, 0)])
    await store_values(db, audience.other_center, [(20, 31), (2, 3), (0, 12)])
    await store_values(db, third, [(30, 41), (0, 0), (0, 0)])

    for token in (audience.staff, audience.data_manager, audience.member):
        report = (await client.data(NETWORK_QUERY, token=token))["network"]["report"]
        assert report["center"] is None
        assert report["points"] == [
            {
                "month": month(0).isoformat(),
                "numerator": 63,
                "denominator": 102,
                "suppressed": False,
            },
            {
                "month": month(1).isoformat(),
                "numerator": None,
                "denominator": None,
                "suppressed": True,
            },
            {"month": month(2).isoformat(), "numerator": 0, "denominator": 12, "suppressed": False},
        ], token


async def test_members_cannot_subtract_their_own_center_from_the_network(
    db: Database, client: GraphQLClient
) -> None:
    """Two centers: the network minus my center is the other center. A month where the other
    center's counts are small is hidden from my team, and from staff too: they see my center's
    unsuppressed counts and could subtract them just the same."""
    audience = await make_audience(db)
    await store_values(db, audience.center, [(40, 60), (40, 60)])
    await store_values(db, audience.other_center, [(4, 30), (15, 30)])

    mine = (await client.data(NETWORK_QUERY, token=audience.member))["network"]["report"]
    assert [point["suppressed"] for point in mine["points"]] == [True, False]
    assert mine["points"][1]["numerator"] == 55

    staff = (await client.data(NETWORK_QUERY, token=audience.staff))["network"]["report"]
    assert [point["numerator"] for point in staff["points"]] == [None, 55]


# --- who sees which series, decided without the API ------------------------------------------

PARENT = Viewer(1, None, {7: CenterRole.PARENT_PARTNER})


@pytest.mark.parametrize(
    ("viewer", "own", "other"),
    [
        (PARENT, Disclosure.FULL, None),
        (Viewer(2, NetworkRole.STAFF), Disclosure.SUPPRESSED, Disclosure.SUPPRESSED),
        (Viewer(3, NetworkRole.ADMIN), Disclosure.SUPPRESSED, Disclosure.SUPPRESSED),
        (Viewer(4, NetworkRole.DATA_MANAGER), Disclosure.SUPPRESSED, Disclosure.SUPPRESSED),
        (Viewer(5, NetworkRole.STAFF, {7: CenterRole.CLINICIAN}), Disclosure.FULL,
         Disclosure.SUPPRESSED),
        (Viewer(6), None, None),
        (Viewer(None, NetworkRole.ADMIN, {7: CenterRole.CLINICIAN}), None, None),
    ],
    ids=["member", "staff", "admin", "data manager", "staff on the team", "no role", "anonymous"],
)  # fmt: skip
def test_who_sees_a_centers_series(
    viewer: Viewer, own: Disclosure | None, other: Disclosure | None
) -> None:
    assert disclosure_for(viewer, 7) is own
    assert disclosure_for(viewer, 8) is other


def test_identified_values_are_for_network_staff_and_data_managers() -> None:
    roles = {role for role in NetworkRole if may_see_identified_values(Viewer(1, role))}
    assert roles == {NetworkRole.ADMIN, NetworkRole.STAFF, NetworkRole.DATA_MANAGER}
    assert not may_see_identified_values(PARENT)


def test_a_series_one_may_not_see_is_forbidden_and_anonymous_readers_sign_in() -> None:
    assert center_disclosure(PARENT, 7) is Disclosure.FULL
    with pytest.raises(Forbidden) as forbidden:
        center_disclosure(PARENT, 8)
    assert str(forbidden.value) == (
        "Only this center's team, network staff and network data managers can see its "
        "report; the network report is open to every member."
    )
    assert network_disclosure(PARENT) is Disclosure.SUPPRESSED
    assert network_disclosure(Viewer(2, NetworkRole.ADMIN)) is Disclosure.SUPPRESSED
    for read in (lambda v: center_disclosure(v, 7), network_disclosure):
        with pytest.raises(Unauthenticated):
            read(Viewer(None, NetworkRole.ADMIN, {7: CenterRole.CLINICIAN}))
