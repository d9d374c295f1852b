"""Centers: the ``centers`` connection (paging, ordering, filters) and the center mutations."""

from __future__ import annotations

import base64
import json
import random
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from icn_graph.db.database import Database
from icn_graph.models import Center, CenterRole, CenterStatus, NetworkRole, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import make_staff_token, single_error
from tests.helpers import GraphQLClient, error_codes, make_center, make_person, token_for

CENTERS = """
query Centers($first: Int, $after: String, $filter: CenterFilter, $orderBy: CenterOrder) {
  centers(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { cursor node { id name shortCode city region country joinedOn status } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

CENTER_FIELDS = "id name shortCode city region country joinedOn status"

CREATE = f"""
mutation Create($input: CreateCenterInput!) {{
  createCenter(input: $input) {{
    center {{ {CENTER_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

UPDATE = f"""
mutation Update($input: UpdateCenterInput!) {{
  updateCenter(input: $input) {{
    center {{ {CENTER_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

TREES = [
    "Alder", "Aspen", "Beech", "Birch", "Cedar", "Cherry", "Chestnut", "Cypress", "Elm",
    "Fir", "Hawthorn", "Hazel", "Hemlock", "Hickory", "Holly", "Juniper", "Larch", "Linden",
    "Maple", "Oak", "Pine", "Poplar", "Rowan", "Spruce", "Willow",
]  # fmt: skip


# --- helpers -------------------------------------------------------------------------------


async def member_token(db: Database) -> str:
    member = await make_person(db, PersonKind.CLINICIAN)
    return await token_for(db, member)


async def center_rows(db: Database) -> list[Center]:
    async with db.session() as session:
        return list(await session.scalars(select(Center).order_by(Center.id)))


async def center_count(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Center)) or 0)


def assert_bad_input(body: dict[str, Any], field: str) -> None:
    error = single_error(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == field, error
    assert field.split(".")[-1] in error["message"] or field in error["message"], error


async def centers_page(client: GraphQLClient, token: str, **variables: Any) -> dict[str, Any]:
    data = await client.data(CENTERS, variables, token=token)
    page: dict[str, Any] = data["centers"]
    return page


async def walk(
    client: GraphQLClient,
    token: str,
    *,
    first: int,
    filter: dict[str, Any] | None = None,
    order_by: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Every node of a listing, page by page, checking each page's ``pageInfo`` on the way."""
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    total: int | None = None
    for page_number in range(100):
        page = await centers_page(
            client, token, first=first, after=after, filter=filter, orderBy=order_by
        )
        edges, info = page["edges"], page["pageInfo"]
        if total is None:
            total = page["totalCount"]
        assert page["totalCount"] == total, "totalCount must not depend on the page"
        assert info["hasPreviousPage"] is (page_number > 0)
        assert edges, "a page reached through endCursor with hasNextPage must not be empty"
        assert info["startCursor"] == edges[0]["cursor"]
        assert info["endCursor"] == edges[-1]["cursor"]
        nodes.extend(edge["node"] for edge in edges)
        if not info["hasNextPage"]:
            assert len(edges) <= first
            break
        assert len(edges) == first
        after = info["endCursor"]
    else:
        pytest.fail("paging never ended")
    assert len(nodes) == total
    return nodes


def cursor_of(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


# --- access --------------------------------------------------------------------------------


async def test_anonymous_callers_cannot_list_centers_but_see_the_network_name(
    db: Database, client: GraphQLClient
) -> None:
    await make_center(db)
    body = await client.execute("{ centers { totalCount } }")
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] is None

    data = await client.data("{ network { name } }")
    assert data == {"network": {"name": "Test Network"}}


async def test_an_unknown_token_is_unauthenticated(db: Database, client: GraphQLClient) -> None:
    await make_center(db)
    body = await client.execute("{ centers { totalCount } }", token="icn_not-a-real-token")
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_any_member_may_list_centers(db: Database, client: GraphQLClient) -> None:
    await make_center(db, name="Only Center")
    token = await member_token(db)
    page = await centers_page(client, token)
    assert [edge["node"]["name"] for edge in page["edges"]] == ["Only Center"]


# --- paging --------------------------------------------------------------------------------


async def _trees(db: Database) -> list[Center]:
    """25 centers named after trees, inserted in shuffled order so ids do not follow names."""
    names = TREES.copy()
    random.Random(25).shuffle(names)
    return [
        await make_center(db, name=f"{name} Center", short_code=name.upper()[:8]) for name in names
    ]


async def test_walking_pages_of_seven_gives_every_center_once_in_name_order(
    db: Database, client: GraphQLClient
) -> None:
    created = await _trees(db)
    token = await make_staff_token(db)

    nodes = await walk(client, token, first=7)

    names = [node["name"] for node in nodes]
    assert names == [f"{tree} Center" for tree in TREES]
    assert len(set(names)) == 25
    ids = [node["id"] for node in nodes]
    assert len(set(ids)) == 25
    by_name = {center.name: to_global_id("Center", center.id) for center in created}
    assert ids == [by_name[name] for name in names]


async def test_page_sizes_and_page_info_when_walking(db: Database, client: GraphQLClient) -> None:
    await _trees(db)
    token = await make_staff_token(db)

    sizes: list[int] = []
    after: str | None = None
    flags: list[tuple[bool, bool]] = []
    while True:
        page = await centers_page(client, token, first=7, after=after)
        assert page["totalCount"] == 25
        sizes.append(len(page["edges"]))
        info = page["pageInfo"]
        flags.append((info["hasPreviousPage"], info["hasNextPage"]))
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert sizes == [7, 7, 7, 4]
    assert flags == [(False, True), (True, True), (True, True), (True, False)]


async def test_descending_name_order_walks_backwards(db: Database, client: GraphQLClient) -> None:
    await _trees(db)
    token = await make_staff_token(db)

    nodes = await walk(client, token, first=7, order_by={"field": "NAME", "direction": "DESC"})

    assert [node["name"] for node in nodes] == [f"{tree} Center" for tree in reversed(TREES)]


async def test_default_page_is_twenty_and_the_total_counts_everything(
    db: Database, client: GraphQLClient
) -> None:
    await _trees(db)
    token = await make_staff_token(db)

    page = await centers_page(client, token)

    assert len(page["edges"]) == 20
    assert page["totalCount"] == 25
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["hasPreviousPage"] is False


async def test_nodes_shortcut_matches_the_edges(db: Database, client: GraphQLClient) -> None:
    await _trees(db)
    token = await make_staff_token(db)
    data = await client.data(
        "{ centers(first: 5) { nodes { id name } edges { node { id name } } } }", token=token
    )
    assert data["centers"]["nodes"] == [edge["node"] for edge in data["centers"]["edges"]]
    assert len(data["centers"]["nodes"]) == 5


async def test_an_empty_listing(db: Database, client: GraphQLClient) -> None:
    token = await make_staff_token(db)
    page = await centers_page(client, token)
    assert page["edges"] == []
    assert page["totalCount"] == 0
    assert page["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


async def test_first_zero_gives_no_edges_but_says_there_are_more(
    db: Database, client: GraphQLClient
) -> None:
    await make_center(db)
    token = await make_staff_token(db)
    page = await centers_page(client, token, first=0)
    assert page["edges"] == []
    assert page["totalCount"] == 1
    assert page["pageInfo"]["hasNextPage"] is True


async def test_first_one_hundred_is_allowed(db: Database, client: GraphQLClient) -> None:
    await _trees(db)
    token = await make_staff_token(db)
    page = await centers_page(client, token, first=100)
    assert len(page["edges"]) == 25
    assert page["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize("first", [101, 1000, -1, -20])
async def test_first_out_of_range_is_bad_user_input(
    db: Database, client: GraphQLClient, first: int
) -> None:
    await make_center(db)
    token = await make_staff_token(db)
    body = await client.execute(CENTERS, {"first": first}, token=token)
    assert_bad_input(body, "first")
    assert body["data"] is None


async def test_first_1000_inline_is_bad_user_input(db: Database, client: GraphQLClient) -> None:
    token = await make_staff_token(db)
    body = await client.execute("{ centers(first: 1000) { totalCount } }", token=token)
    assert_bad_input(body, "first")


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("not a cursor", id="spaces"),
        pytest.param("abc", id="short"),
        pytest.param("!!!!", id="punctuation"),
        pytest.param("", id="empty"),
        pytest.param("x" * 500, id="long"),
        pytest.param(base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(), id="not-utf8"),
        pytest.param(cursor_of({"name": "x"}), id="object"),
        pytest.param(cursor_of(["name", "Oak Center"]), id="no-id"),
        pytest.param(cursor_of(["name", "Oak Center", "7"]), id="text-id"),
        pytest.param(cursor_of(["name", "Oak Center", 7.5]), id="fraction-id"),
        pytest.param(cursor_of(["name", "Oak Center", True]), id="boolean-id"),
        pytest.param(cursor_of(["name", "Oak Center", 7, "extra"]), id="four-parts"),
        pytest.param(cursor_of(["name", "Oak Center", -1]), id="negative-id"),
        pytest.param(cursor_of(["name", "Oak Center", 2**31]), id="id-beyond-integer-columns"),
        pytest.param(cursor_of(["name", "Oak Center", 10**30]), id="huge-id"),
        pytest.param(cursor_of(["name", ["nested"], 7]), id="list-value"),
        pytest.param(cursor_of(["name", 42, 7]), id="number-value"),
        pytest.param(cursor_of(["name", None, 7]), id="null-value"),
        pytest.param(cursor_of(["name", "Oak\u0000", 7]), id="nul-value"),
    ],
)
async def test_a_malformed_cursor_is_bad_user_input(
    db: Database, client: GraphQLClient, cursor: str
) -> None:
    await _trees(db)
    token = await make_staff_token(db)
    body = await client.execute(CENTERS, {"first": 3, "after": cursor}, token=token)
    assert_bad_input(body, "after")


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param(cursor_of(["joined_on", "not a date", 7]), id="text-value"),
        pytest.param(cursor_of(["joined_on", 20120101, 7]), id="number-value"),
        pytest.param(cursor_of(["joined_on", None, 7]), id="null-value"),
    ],
)
async def test_a_malformed_date_cursor_is_bad_user_input(
    db: Database, client: GraphQLClient, cursor: str
) -> None:
    await _trees(db)
    token = await make_staff_token(db)
    body = await client.execute(
        CENTERS,
        {"first": 3, "after": cursor, "orderBy": {"field": "JOINED_ON"}},
        token=token,
    )
    assert_bad_input(body, "after")


@pytest.mark.parametrize(
    ("taken_with", "used_with"),
    [
        ({"field": "JOINED_ON", "direction": "ASC"}, {"field": "NAME", "direction": "ASC"}),
        ({"field": "NAME", "direction": "ASC"}, {"field": "JOINED_ON", "direction": "ASC"}),
        ({"field": "NAME", "direction": "ASC"}, {"field": "NAME", "direction": "DESC"}),
        ({"field": "JOINED_ON", "direction": "DESC"}, {"field": "JOINED_ON", "direction": "ASC"}),
    ],
)
async def test_a_cursor_from_another_ordering_is_bad_user_input(
    db: Database,
    client: GraphQLClient,
    taken_with: dict[str, str],
    used_with: dict[str, str],
) -> None:
    await _trees(db)
    token = await make_staff_token(db)
    first_page = await centers_page(client, token, first=3, orderBy=taken_with)
    cursor = first_page["pageInfo"]["endCursor"]
    assert cursor is not None

    # The cursor works with its own ordering...
    same = await client.execute(
        CENTERS, {"first": 3, "after": cursor, "orderBy": taken_with}, token=token
    )
    assert "errors" not in same
    # ...but not with another one.
    body = await client.execute(
        CENTERS, {"first": 3, "after": cursor, "orderBy": used_with}, token=token
    )
    assert_bad_input(body, "after")
    assert "orderBy" in single_error(body)["message"]


async def test_a_people_cursor_is_not_a_centers_cursor(db: Database, client: GraphQLClient) -> None:
    await _trees(db)
    for _ in range(3):
        await make_person(db)
    token = await make_staff_token(db)
    people = await client.data("{ people(first: 2) { pageInfo { endCursor } } }", token=token)
    cursor = people["people"]["pageInfo"]["endCursor"]
    body = await client.execute(CENTERS, {"first": 3, "after": cursor}, token=token)
    assert_bad_input(body, "after")


async def test_cursors_keep_working_after_rows_before_them_are_added(
    db: Database, client: GraphQLClient
) -> None:
    """Keyset paging: inserting a row on an earlier page does not shift or repeat later ones."""
    await _trees(db)
    token = await make_staff_token(db)
    first_page = await centers_page(client, token, first=5)
    seen = [edge["node"]["name"] for edge in first_page["edges"]]
    assert seen[-1] == "Cedar Center"

    await make_center(db, name="Acacia Center")  # sorts before everything already seen
    rest = await centers_page(client, token, first=100, after=first_page["pageInfo"]["endCursor"])
    names = [edge["node"]["name"] for edge in rest["edges"]]
    assert names == [f"{tree} Center" for tree in TREES[5:]]
    assert rest["totalCount"] == 26


# --- ordering by joinedOn ------------------------------------------------------------------


async def _joined_on_ties(db: Database) -> list[Center]:
    """Centers sharing joinedOn dates; within a date, ids run against name order."""
    spec = [
        ("Zeta Clinic", date(2012, 5, 1)),
        ("Mu Clinic", date(2012, 5, 1)),
        ("Alpha Clinic", date(2012, 5, 1)),
        ("Kappa Clinic", date(2009, 3, 15)),
        ("Omega Clinic", date(2015, 9, 30)),
        ("Beta Clinic", date(2015, 9, 30)),
        ("Eta Clinic", date(2009, 3, 15)),
        ("Delta Clinic", date(2020, 1, 1)),
    ]
    return [await make_center(db, name=name, joined_on=joined) for name, joined in spec]


@pytest.mark.parametrize("first", [1, 2, 3, 100])
async def test_joined_on_order_breaks_ties_by_id(
    db: Database, client: GraphQLClient, first: int
) -> None:
    created = await _joined_on_ties(db)
    token = await make_staff_token(db)

    nodes = await walk(client, token, first=first, order_by={"field": "JOINED_ON"})

    expected = sorted(created, key=lambda center: (center.joined_on, center.id))
    assert [node["name"] for node in nodes] == [center.name for center in expected]
    assert [node["joinedOn"] for node in nodes] == [c.joined_on.isoformat() for c in expected]
    # Ties are broken by id (creation order), not by name.
    assert [node["name"] for node in nodes][2:5] == ["Zeta Clinic", "Mu Clinic", "Alpha Clinic"]


@pytest.mark.parametrize("first", [2, 3])
async def test_joined_on_descending_breaks_ties_by_id_descending(
    db: Database, client: GraphQLClient, first: int
) -> None:
    created = await _joined_on_ties(db)
    token = await make_staff_token(db)

    nodes = await walk(
        client, token, first=first, order_by={"field": "JOINED_ON", "direction": "DESC"}
    )

    expected = sorted(created, key=lambda center: (center.joined_on, center.id), reverse=True)
    assert [node["name"] for node in nodes] == [center.name for center in expected]
    assert [node["name"] for node in nodes][3:6] == ["Alpha Clinic", "Mu Clinic", "Zeta Clinic"]


# --- filters -------------------------------------------------------------------------------


async def _atlas(db: Database) -> None:
    await make_center(
        db, name="Riverside Children's", short_code="RIVER", city="Cincinnati", region="Midwest"
    )
    await make_center(
        db, name="Lakeshore Pediatrics", short_code="LAKE", city="Chicago", region="Midwest"
    )
    await make_center(
        db,
        name="Prairie Health",
        short_code="PRAIRIE",
        city="Omaha",
        region="Midwest",
        status=CenterStatus.INACTIVE,
    )
    await make_center(
        db, name="Bayview Kids", short_code="BAYKID", city="San Francisco", region="West"
    )
    await make_center(
        db,
        name="Harbour Hospital",
        short_code="HARBOUR",
        city="Toronto",
        region="Ontario",
        country="CA",
    )
    await make_center(
        db,
        name="Maple Leaf Care",
        short_code="MAPLE",
        city="Ottawa",
        region="Ontario",
        country="CA",
        status=CenterStatus.INACTIVE,
    )


async def _names(client: GraphQLClient, token: str, **variables: Any) -> list[str]:
    page = await centers_page(client, token, first=100, **variables)
    names = [edge["node"]["name"] for edge in page["edges"]]
    assert page["totalCount"] == len(names)
    return names


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("riverside", ["Riverside Children's"]),  # name, other case
        ("PEDIAT", ["Lakeshore Pediatrics"]),  # name fragment, upper case
        ("baykid", ["Bayview Kids"]),  # short code, lower case
        ("Omaha", ["Prairie Health"]),  # city
        ("  toronto  ", ["Harbour Hospital"]),  # city, padded
        ("ci", ["Riverside Children's", "Bayview Kids"]),  # city Cincinnati, San Francisco
        (
            "o",  # every center but Riverside has an "o" in its name, code or city
            [
                "Bayview Kids",
                "Harbour Hospital",
                "Lakeshore Pediatrics",
                "Maple Leaf Care",
                "Prairie Health",
            ],
        ),
        ("nowhere", []),
    ],
)
async def test_search_is_case_insensitive_over_name_short_code_and_city(
    db: Database, client: GraphQLClient, search: str, expected: list[str]
) -> None:
    await _atlas(db)
    token = await make_staff_token(db)
    names = await _names(client, token, filter={"search": search})
    assert sorted(names) == sorted(expected)
    assert names == sorted(names)


async def test_search_does_not_match_region_or_country(db: Database, client: GraphQLClient) -> None:
    await _atlas(db)
    token = await make_staff_token(db)
    assert await _names(client, token, filter={"search": "Ontario"}) == []
    assert await _names(client, token, filter={"search": "Midwest"}) == []


async def test_search_treats_percent_and_underscore_literally(
    db: Database, client: GraphQLClient
) -> None:
    await make_center(db, name="100% Kids", short_code="HUNDRED")
    await make_center(db, name="Plain Center", short_code="PLAIN")
    await make_center(db, name="A_B Clinic", short_code="AB")
    await make_center(db, name="AxB Clinic", short_code="AXB")
    await make_center(db, name="Back\\slash Clinic", short_code="BACK")
    token = await make_staff_token(db)

    assert await _names(client, token, filter={"search": "%"}) == ["100% Kids"]
    assert await _names(client, token, filter={"search": "0%"}) == ["100% Kids"]
    assert await _names(client, token, filter={"search": "%%"}) == []
    assert await _names(client, token, filter={"search": "_"}) == ["A_B Clinic"]
    assert await _names(client, token, filter={"search": "a_b"}) == ["A_B Clinic"]
    assert await _names(client, token, filter={"search": "p%n"}) == []
    assert await _names(client, token, filter={"search": "\\"}) == ["Back\\slash Clinic"]
    assert await _names(client, token, filter={"search": "k\\s"}) == ["Back\\slash Clinic"]


async def test_an_overlong_search_is_bad_user_input(db: Database, client: GraphQLClient) -> None:
    token = await make_staff_token(db)
    body = await client.execute(CENTERS, {"filter": {"search": "x" * 101}}, token=token)
    assert_bad_input(body, "filter.search")
    ok = await client.execute(CENTERS, {"filter": {"search": "x" * 100}}, token=token)
    assert "errors" not in ok


@pytest.mark.parametrize("field", ["search", "region", "country"])
async def test_a_nul_character_in_a_filter_is_bad_user_input(
    db: Database, client: GraphQLClient, field: str
) -> None:
    """PostgreSQL cannot compare text holding NUL; the caller hears why, not "Unexpected error"."""
    await make_center(db)
    token = await make_staff_token(db)
    body = await client.execute(CENTERS, {"filter": {field: "Mid\u0000west"}}, token=token)
    assert_bad_input(body, f"filter.{field}")


async def test_filter_by_status(db: Database, client: GraphQLClient) -> None:
    await _atlas(db)
    token = await make_staff_token(db)
    assert await _names(client, token, filter={"status": "INACTIVE"}) == [
        "Maple Leaf Care",
        "Prairie Health",
    ]
    assert await _names(client, token, filter={"status": "ACTIVE"}) == [
        "Bayview Kids",
        "Harbour Hospital",
        "Lakeshore Pediatrics",
        "Riverside Children's",
    ]


@pytest.mark.parametrize("region", ["Ontario", "ontario", "ONTARIO", " Ontario "])
async def test_filter_by_region_ignores_case(
    db: Database, client: GraphQLClient, region: str
) -> None:
    await _atlas(db)
    token = await make_staff_token(db)
    assert await _names(client, token, filter={"region": region}) == [
        "Harbour Hospital",
        "Maple Leaf Care",
    ]


async def test_filter_by_region_is_an_exact_match_not_a_substring(
    db: Database, client: GraphQLClient
) -> None:
    await _atlas(db)
    token = await make_staff_token(db)
    assert await _names(client, token, filter={"region": "Mid"}) == []


@pytest.mark.parametrize("country", ["CA", "ca"])
async def test_filter_by_country(db: Database, client: GraphQLClient, country: str) -> None:
    await _atlas(db)
    token = await make_staff_token(db)
    assert await _names(client, token, filter={"country": country}) == [
        "Harbour Hospital",
        "Maple Leaf Care",
    ]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        (
            {"region": "midwest", "status": "ACTIVE"},
            ["Lakeshore Pediatrics", "Riverside Children's"],
        ),
        ({"region": "midwest", "status": "ACTIVE", "search": "chicago"}, ["Lakeshore Pediatrics"]),
        ({"country": "CA", "status": "INACTIVE"}, ["Maple Leaf Care"]),
        (
            {"country": "US", "search": "o"},
            ["Bayview Kids", "Lakeshore Pediatrics", "Prairie Health"],
        ),
        ({"country": "CA", "region": "Midwest"}, []),
        (
            {"country": "US", "region": "West", "status": "ACTIVE", "search": "bay"},
            ["Bayview Kids"],
        ),
    ],
)
async def test_filters_combine_with_and(
    db: Database, client: GraphQLClient, filter: dict[str, str], expected: list[str]
) -> None:
    await _atlas(db)
    token = await make_staff_token(db)
    assert await _names(client, token, filter=filter) == expected


async def test_paging_through_a_filtered_listing(db: Database, client: GraphQLClient) -> None:
    await _trees(db)
    await make_center(db, name="Zebra Hospital", short_code="ZEBRA", region="South")
    token = await make_staff_token(db)
    filter = {"search": "e", "region": "midwest"}

    nodes = await walk(client, token, first=4, filter=filter, order_by={"direction": "DESC"})

    expected = [f"{tree} Center" for tree in reversed(TREES)]  # every one has "Center"
    assert [node["name"] for node in nodes] == expected


# --- createCenter --------------------------------------------------------------------------


def center_input(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Nationwide Children's",
        "shortCode": "NCH",
        "city": "Columbus",
        "region": "Midwest",
        "country": "US",
        "joinedOn": "2008-06-01",
    } | overrides


async def test_create_center(db: Database, client: GraphQLClient) -> None:
    token = await make_staff_token(db)
    data = await client.data(CREATE, {"input": center_input()}, token=token)

    payload = data["createCenter"]
    assert payload["userErrors"] == []
    center = payload["center"]
    assert center["name"] == "Nationwide Children's"
    assert center["shortCode"] == "NCH"
    assert center["joinedOn"] == "2008-06-01"
    assert center["status"] == "ACTIVE"

    rows = await center_rows(db)
    assert len(rows) == 1
    row = rows[0]
    assert center["id"] == to_global_id("Center", row.id)
    assert (row.name, row.short_code, row.city, row.region, row.country) == (
        "Nationwide Children's",
        "NCH",
        "Columbus",
        "Midwest",
        "US",
    )
    assert row.joined_on == date(2008, 6, 1)
    assert row.status is CenterStatus.ACTIVE

    # It is listed and can be refetched.
    page = await centers_page(client, token)
    assert [edge["node"] for edge in page["edges"]] == [center]
    node = await client.data(
        "query($id: ID!) { node(id: $id) { ... on Center { name city } } }",
        {"id": center["id"]},
        token=token,
    )
    assert node["node"] == {"name": "Nationwide Children's", "city": "Columbus"}


async def test_create_center_normalizes_its_input(db: Database, client: GraphQLClient) -> None:
    token = await make_staff_token(db)
    data = await client.data(
        CREATE,
        {
            "input": center_input(
                name="  Padded Name  ",
                shortCode=" nch-2 ",
                city=" Columbus ",
                country="us",
                status="INACTIVE",
            )
        },
        token=token,
    )
    center = data["createCenter"]["center"]
    assert center["name"] == "Padded Name"
    assert center["shortCode"] == "NCH-2"
    assert center["city"] == "Columbus"
    assert center["country"] == "US"
    assert center["status"] == "INACTIVE"
    [row] = await center_rows(db)
    assert (row.name, row.short_code, row.country, row.status) == (
        "Padded Name",
        "NCH-2",
        "US",
        CenterStatus.INACTIVE,
    )


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"name": ""}, "name", "REQUIRED"),
        ({"name": "   "}, "name", "REQUIRED"),
        ({"name": "N" * 201}, "name", "TOO_LONG"),
        ({"name": "Bad\nName"}, "name", "INVALID"),
        ({"name": "Bell\x07Center"}, "name", "INVALID"),
        ({"shortCode": ""}, "shortCode", "INVALID"),
        ({"shortCode": "X"}, "shortCode", "INVALID"),
        ({"shortCode": "NO SPACES"}, "shortCode", "INVALID"),
        ({"shortCode": "-LEADING"}, "shortCode", "INVALID"),
        ({"shortCode": "A" * 17}, "shortCode", "INVALID"),
        ({"city": ""}, "city", "REQUIRED"),
        ({"city": "C" * 101}, "city", "TOO_LONG"),
        ({"region": " "}, "region", "REQUIRED"),
        ({"region": "R" * 101}, "region", "TOO_LONG"),
        ({"country": "USA"}, "country", "INVALID"),
        ({"country": "U"}, "country", "INVALID"),
        ({"country": "1A"}, "country", "INVALID"),
        ({"country": ""}, "country", "INVALID"),
    ],
)
async def test_create_center_validation_errors_write_nothing(
    db: Database, client: GraphQLClient, overrides: dict[str, str], field: str, code: str
) -> None:
    token = await make_staff_token(db)
    data = await client.data(CREATE, {"input": center_input(**overrides)}, token=token)

    payload = data["createCenter"]
    assert payload["center"] is None
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [(field, code)]
    assert payload["userErrors"][0]["message"]
    assert await center_count(db) == 0


async def test_create_center_boundary_lengths_are_accepted(
    db: Database, client: GraphQLClient
) -> None:
    token = await make_staff_token(db)
    data = await client.data(
        CREATE,
        {
            "input": center_input(
                name="N" * 200, shortCode="A" * 16, city="C" * 100, region="R" * 100
            )
        },
        token=token,
    )
    assert data["createCenter"]["userErrors"] == []
    assert await center_count(db) == 1


async def test_create_center_reports_every_problem_at_once(
    db: Database, client: GraphQLClient
) -> None:
    token = await make_staff_token(db)
    data = await client.data(
        CREATE,
        {"input": center_input(name="", shortCode="?", city="", region="", country="USA")},
        token=token,
    )
    errors = data["createCenter"]["userErrors"]
    assert {(error["field"], error["code"]) for error in errors} == {
        ("name", "REQUIRED"),
        ("shortCode", "INVALID"),
        ("city", "REQUIRED"),
        ("region", "REQUIRED"),
        ("country", "INVALID"),
    }
    assert await center_count(db) == 0


@pytest.mark.parametrize(
    ("overrides", "taken"),
    [
        ({"name": "Riverside Children's"}, ["name"]),
        ({"name": "RIVERSIDE children's"}, ["name"]),
        ({"shortCode": "river"}, ["shortCode"]),
        ({"name": "riverside children's", "shortCode": "RIVER"}, ["name", "shortCode"]),
    ],
)
async def test_create_center_with_a_taken_name_or_code(
    db: Database, client: GraphQLClient, overrides: dict[str, str], taken: list[str]
) -> None:
    await make_center(db, name="Riverside Children's", short_code="RIVER")
    token = await make_staff_token(db)
    data = await client.data(
        CREATE, {"input": center_input(name="Another", shortCode="OTHER") | overrides}, token=token
    )
    payload = data["createCenter"]
    assert payload["center"] is None
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [
        (field, "TAKEN") for field in taken
    ]
    assert await center_count(db) == 1


async def test_create_center_with_a_bad_date_is_a_graphql_error(
    db: Database, client: GraphQLClient
) -> None:
    token = await make_staff_token(db)
    body = await client.execute(CREATE, {"input": center_input(joinedOn="2020-13-45")}, token=token)
    assert body.get("data") is None
    assert body["errors"]
    assert "Traceback" not in json.dumps(body)
    assert await center_count(db) == 0


async def test_only_staff_create_centers(db: Database, client: GraphQLClient) -> None:
    member = await member_token(db)
    body = await client.execute(CREATE, {"input": center_input()}, token=member)
    assert error_codes(body) == ["FORBIDDEN"]
    anonymous = await client.execute(CREATE, {"input": center_input()})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert await center_count(db) == 0

    admin = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.ADMIN)
    data = await client.data(CREATE, {"input": center_input()}, token=await token_for(db, admin))
    assert data["createCenter"]["userErrors"] == []
    assert await center_count(db) == 1


# --- updateCenter --------------------------------------------------------------------------


async def test_update_center_changes_only_the_given_fields(
    db: Database, client: GraphQLClient
) -> None:
    center = await make_center(
        db,
        name="Riverside Children's",
        short_code="RIVER",
        city="Cincinnati",
        region="Midwest",
        country="US",
        joined_on=date(2011, 2, 3),
    )
    other = await make_center(db, name="Untouched", short_code="UNTOUCHED")
    token = await make_staff_token(db)
    center_id = to_global_id("Center", center.id)

    data = await client.data(
        UPDATE, {"input": {"id": center_id, "city": "Dayton", "name": None}}, token=token
    )

    payload = data["updateCenter"]
    assert payload["userErrors"] == []
    assert payload["center"] == {
        "id": center_id,
        "name": "Riverside Children's",
        "shortCode": "RIVER",
        "city": "Dayton",
        "region": "Midwest",
        "country": "US",
        "joinedOn": "2011-02-03",
        "status": "ACTIVE",
    }
    rows = {row.id: row for row in await center_rows(db)}
    assert rows[center.id].city == "Dayton"
    assert rows[center.id].name == "Riverside Children's"
    assert rows[center.id].joined_on == date(2011, 2, 3)
    assert rows[other.id].name == "Untouched"
    assert rows[other.id].city == "Cincinnati"


async def test_update_center_several_fields(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db, name="Old Name", short_code="OLD")
    token = await make_staff_token(db)
    data = await client.data(
        UPDATE,
        {
            "input": {
                "id": to_global_id("Center", center.id),
                "name": " New Name ",
                "shortCode": "new",
                "region": "South",
                "country": "mx",
                "joinedOn": "2019-12-31",
                "status": "INACTIVE",
            }
        },
        token=token,
    )
    updated = data["updateCenter"]["center"]
    assert updated["name"] == "New Name"
    assert updated["shortCode"] == "NEW"
    assert updated["region"] == "South"
    assert updated["country"] == "MX"
    assert updated["joinedOn"] == "2019-12-31"
    assert updated["status"] == "INACTIVE"
    [row] = await center_rows(db)
    assert (row.name, row.short_code, row.country, row.joined_on, row.status) == (
        "New Name",
        "NEW",
        "MX",
        date(2019, 12, 31),
        CenterStatus.INACTIVE,
    )


@pytest.mark.parametrize("new_name", ["Lakeshore Pediatrics", "lakeshore PEDIATRICS"])
async def test_renaming_to_a_taken_name_is_refused_and_writes_nothing(
    db: Database, client: GraphQLClient, new_name: str
) -> None:
    await make_center(db, name="Lakeshore Pediatrics", short_code="LAKE")
    center = await make_center(db, name="Riverside Children's", short_code="RIVER", city="Dayton")
    token = await make_staff_token(db)

    data = await client.data(
        UPDATE,
        {"input": {"id": to_global_id("Center", center.id), "name": new_name, "city": "Akron"}},
        token=token,
    )

    payload = data["updateCenter"]
    assert payload["center"] is None
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [
        ("name", "TAKEN")
    ]
    rows = {row.id: row for row in await center_rows(db)}
    assert rows[center.id].name == "Riverside Children's"
    assert rows[center.id].city == "Dayton", "a refused update must not write its other fields"


async def test_changing_the_short_code_to_a_taken_one_is_refused(
    db: Database, client: GraphQLClient
) -> None:
    await make_center(db, name="Lakeshore Pediatrics", short_code="LAKE")
    center = await make_center(db, name="Riverside Children's", short_code="RIVER")
    token = await make_staff_token(db)
    data = await client.data(
        UPDATE,
        {"input": {"id": to_global_id("Center", center.id), "shortCode": "lake"}},
        token=token,
    )
    errors = data["updateCenter"]["userErrors"]
    assert [(error["field"], error["code"]) for error in errors] == [("shortCode", "TAKEN")]
    rows = {row.id: row for row in await center_rows(db)}
    assert rows[center.id].short_code == "RIVER"


async def test_a_center_may_keep_or_recase_its_own_name(
    db: Database, client: GraphQLClient
) -> None:
    center = await make_center(db, name="Riverside Children's", short_code="RIVER")
    token = await make_staff_token(db)
    data = await client.data(
        UPDATE,
        {
            "input": {
                "id": to_global_id("Center", center.id),
                "name": "RIVERSIDE Children's",
                "shortCode": "river",
            }
        },
        token=token,
    )
    assert data["updateCenter"]["userErrors"] == []
    assert data["updateCenter"]["center"]["name"] == "RIVERSIDE Children's"
    [row] = await center_rows(db)
    assert row.name == "RIVERSIDE Children's"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"name": ""}, "name", "REQUIRED"),
        ({"name": "N" * 201}, "name", "TOO_LONG"),
        ({"city": "   "}, "city", "REQUIRED"),
        ({"shortCode": "a b"}, "shortCode", "INVALID"),
        ({"country": "Canada"}, "country", "INVALID"),
    ],
)
async def test_update_center_validation_errors_write_nothing(
    db: Database, client: GraphQLClient, changes: dict[str, str], field: str, code: str
) -> None:
    center = await make_center(db, name="Riverside Children's", short_code="RIVER")
    token = await make_staff_token(db)
    data = await client.data(
        UPDATE,
        {"input": {"id": to_global_id("Center", center.id), "region": "Elsewhere"} | changes},
        token=token,
    )
    payload = data["updateCenter"]
    assert payload["center"] is None
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [(field, code)]
    [row] = await center_rows(db)
    assert (row.name, row.short_code, row.city, row.region, row.country) == (
        "Riverside Children's",
        "RIVER",
        "Cincinnati",
        "Midwest",
        "US",
    )


async def test_updating_an_unknown_center_is_not_found(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db, name="Riverside Children's")
    token = await make_staff_token(db)
    body = await client.execute(
        UPDATE,
        {"input": {"id": to_global_id("Center", center.id + 1000), "name": "Ghost"}},
        token=token,
    )
    error = single_error(body)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["field"] == "id"
    assert error["path"] == ["updateCenter"]
    assert body["data"] is None
    [row] = await center_rows(db)
    assert row.name == "Riverside Children's"


@pytest.mark.parametrize(
    "bad_id",
    ["", "garbage", "Center:1", "1", to_global_id("Center", 1)[:-2] + "!!"],
)
async def test_updating_with_a_malformed_id_is_bad_user_input(
    db: Database, client: GraphQLClient, bad_id: str
) -> None:
    await make_center(db)
    token = await make_staff_token(db)
    body = await client.execute(UPDATE, {"input": {"id": bad_id, "name": "X"}}, token=token)
    assert_bad_input(body, "id")


async def test_updating_with_the_id_of_a_person_is_bad_user_input(
    db: Database, client: GraphQLClient
) -> None:
    await make_center(db, name="Riverside Children's")
    person = await make_person(db)
    token = await make_staff_token(db)
    body = await client.execute(
        UPDATE,
        {"input": {"id": to_global_id("Person", person.id), "name": "Hijacked"}},
        token=token,
    )
    assert_bad_input(body, "id")
    assert "Center" in single_error(body)["message"]
    [row] = await center_rows(db)
    assert row.name == "Riverside Children's"


async def test_only_staff_update_centers(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db, name="Riverside Children's")
    qi_lead = await make_person(db, PersonKind.QI_LEAD, center=center, role=CenterRole.QI_LEAD)
    token = await token_for(db, qi_lead)
    body = await client.execute(
        UPDATE, {"input": {"id": to_global_id("Center", center.id), "name": "Mine"}}, token=token
    )
    assert error_codes(body) == ["FORBIDDEN"]
    [row] = await center_rows(db)
    assert row.name == "Riverside Children's"


# --- Center.members ------------------------------------------------------------------------


async def test_center_members_lists_the_team_with_roles(
    db: Database, client: GraphQLClient
) -> None:
    home = await make_center(db, name="Home Center")
    elsewhere = await make_center(db, name="Elsewhere Center")
    nurse = await make_person(db, PersonKind.NURSE, display_name="Nora Nurse", center=home)
    lead = await make_person(
        db, PersonKind.QI_LEAD, display_name="Quinn Lead", center=home, role=CenterRole.QI_LEAD
    )
    parent = await make_person(
        db, PersonKind.PARENT_PARTNER, display_name="Pat Parent", center=home
    )
    await make_person(db, PersonKind.CLINICIAN, display_name="Other Doc", center=elsewhere)
    await make_person(db, PersonKind.CLINICIAN, display_name="No Team")
    token = await make_staff_token(db)

    data = await client.data(
        """
        query($filter: CenterFilter) {
          centers(filter: $filter) { nodes { name members {
            id role since person { id displayName } center { id name }
          } } }
        }
        """,
        {"filter": {"search": "home"}},
        token=token,
    )

    [center] = data["centers"]["nodes"]
    members = center["members"]
    assert [(m["person"]["displayName"], m["role"]) for m in members] == [
        ("Nora Nurse", "NURSE"),
        ("Quinn Lead", "QI_LEAD"),
        ("Pat Parent", "PARENT_PARTNER"),
    ]
    assert [m["person"]["id"] for m in members] == [
        to_global_id("Person", person.id) for person in (nurse, lead, parent)
    ]
    assert all(m["since"] == "2015-01-01" for m in members)
    home_ref = {"id": to_global_id("Center", home.id), "name": "Home Center"}
    assert all(m["center"] == home_ref for m in members)
    assert len({m["id"] for m in members}) == 3


async def test_center_members_is_empty_for_a_new_center(
    db: Database, client: GraphQLClient
) -> None:
    await make_center(db)
    token = await make_staff_token(db)
    data = await client.data("{ centers { nodes { members { id } } } }", token=token)
    assert data["centers"]["nodes"] == [{"members": []}]
