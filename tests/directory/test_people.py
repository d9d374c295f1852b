"""People: the ``people`` directory, who sees whose email, and ``createPerson``."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from icn_graph.db.database import Database
from icn_graph.models import CenterRole, NetworkRole, Person, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import single_error
from tests.helpers import GraphQLClient, error_codes, make_center, make_person, token_for

PEOPLE = """
query People($first: Int, $after: String, $filter: PersonFilter, $orderBy: PersonOrder) {
  people(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { cursor node { id displayName kind networkRole timezone createdAt email } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

CREATE = """
mutation Create($input: CreatePersonInput!) {
  createPerson(input: $input) {
    person { id displayName email kind timezone networkRole createdAt memberships { id } }
    userErrors { field message code }
  }
}
"""

PERSON_EMAIL = "query($id: ID!) { node(id: $id) { ... on Person { displayName email } } }"


# --- helpers -------------------------------------------------------------------------------


async def staff(db: Database, role: NetworkRole = NetworkRole.STAFF, **fields: Any) -> str:
    person = await make_person(db, PersonKind.STAFF, network_role=role, **fields)
    return await token_for(db, person)


async def people_rows(db: Database) -> list[Person]:
    async with db.session() as session:
        return list(await session.scalars(select(Person).order_by(Person.id)))


async def people_count(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Person)) or 0)


def assert_bad_input(body: dict[str, Any], field: str) -> None:
    error = single_error(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == field, error


async def listing(client: GraphQLClient, token: str, **variables: Any) -> dict[str, Any]:
    data = await client.data(PEOPLE, {"first": 100} | variables, token=token)
    page: dict[str, Any] = data["people"]
    return page


async def names(client: GraphQLClient, token: str, **variables: Any) -> list[str]:
    page = await listing(client, token, **variables)
    found = [edge["node"]["displayName"] for edge in page["edges"]]
    assert page["totalCount"] == len(found)
    return found


async def walk(
    client: GraphQLClient, token: str, *, first: int, **variables: Any
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    for page_number in range(100):
        page = await listing(client, token, first=first, after=after, **variables)
        info = page["pageInfo"]
        assert info["hasPreviousPage"] is (page_number > 0)
        nodes.extend(edge["node"] for edge in page["edges"])
        if not info["hasNextPage"]:
            break
        assert len(page["edges"]) == first
        after = info["endCursor"]
    else:
        pytest.fail("paging never ended")
    assert len(nodes) == page["totalCount"]
    return nodes


def cursor_of(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


# --- access --------------------------------------------------------------------------------


async def test_anonymous_callers_cannot_list_people(db: Database, client: GraphQLClient) -> None:
    await make_person(db)
    body = await client.execute("{ people { totalCount } }")
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] is None


async def test_viewer_is_null_when_anonymous_and_the_caller_otherwise(
    db: Database, client: GraphQLClient
) -> None:
    assert await client.data("{ viewer { person { id } } }") == {"viewer": None}
    person = await make_person(db, PersonKind.NURSE, display_name="Nell", email="Nell@Example.org")
    data = await client.data(
        "{ viewer { person { id displayName email kind } } }", token=await token_for(db, person)
    )
    assert data["viewer"]["person"] == {
        "id": to_global_id("Person", person.id),
        "displayName": "Nell",
        "email": "Nell@Example.org",
        "kind": "NURSE",
    }


# --- ordering and paging -------------------------------------------------------------------

DIRECTORY = [
    "Ada Lovelace", "Barbara Liskov", "Claude Shannon", "Donald Knuth", "Edsger Dijkstra",
    "Frances Allen", "Grace Hopper", "Hedy Lamarr", "Ida Rhodes", "John Backus",
    "Katherine Johnson",
]  # fmt: skip


async def _directory(db: Database) -> list[Person]:
    order = [5, 2, 9, 0, 7, 10, 3, 1, 8, 4, 6]  # insertion order unrelated to names
    return [
        await make_person(db, PersonKind.CLINICIAN, display_name=DIRECTORY[index])
        for index in order
    ]


async def test_walking_people_in_name_order(db: Database, client: GraphQLClient) -> None:
    await _directory(db)
    token = await staff(db, display_name="Zed Staff")

    nodes = await walk(client, token, first=3)

    assert [node["displayName"] for node in nodes] == [*DIRECTORY, "Zed Staff"]


async def test_walking_people_in_descending_name_order(db: Database, client: GraphQLClient) -> None:
    await _directory(db)
    token = await staff(db, display_name="Zed Staff")

    nodes = await walk(client, token, first=4, orderBy={"direction": "DESC"})

    assert [node["displayName"] for node in nodes] == ["Zed Staff", *reversed(DIRECTORY)]


async def test_same_names_are_ordered_by_id_across_pages(
    db: Database, client: GraphQLClient
) -> None:
    twins = [await make_person(db, display_name="Sam Same") for _ in range(5)]
    token = await staff(db, display_name="Zed Staff")

    nodes = await walk(client, token, first=2, filter={"search": "sam same"})

    assert [node["id"] for node in nodes] == [to_global_id("Person", p.id) for p in twins]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_created_at_order_breaks_ties_by_id(
    db: Database, client: GraphQLClient, direction: str
) -> None:
    base = datetime(2020, 1, 1, 12, 0, tzinfo=UTC)
    offsets = [3, 0, 3, 1, 3, 0, 2]  # minutes; several people created at the same instant
    people = [
        await make_person(
            db,
            display_name=f"Person {chr(ord('Z') - index)}",  # names run against creation order
            created_at=base + timedelta(minutes=offset),
        )
        for index, offset in enumerate(offsets)
    ]
    token = await staff(db, created_at=base - timedelta(days=1), display_name="Staff")

    nodes = await walk(
        client,
        token,
        first=2,
        filter={"kind": "CLINICIAN"},
        orderBy={"field": "CREATED_AT", "direction": direction},
    )

    expected = sorted(people, key=lambda p: (p.created_at, p.id), reverse=direction == "DESC")
    assert [node["id"] for node in nodes] == [to_global_id("Person", p.id) for p in expected]
    stamps = [datetime.fromisoformat(node["createdAt"]) for node in nodes]
    assert stamps == sorted(stamps, reverse=direction == "DESC")
    assert all(stamp.utcoffset() == timedelta(0) for stamp in stamps)


@pytest.mark.parametrize("first", [101, 1000, -1])
async def test_first_out_of_range_is_bad_user_input(
    db: Database, client: GraphQLClient, first: int
) -> None:
    token = await staff(db)
    body = await client.execute(PEOPLE, {"first": first}, token=token)
    assert_bad_input(body, "first")


@pytest.mark.parametrize(
    ("cursor", "order"),
    [
        pytest.param("bm9wZQ", "DISPLAY_NAME", id="not-json"),
        pytest.param(cursor_of(["display_name", 42, 1]), "DISPLAY_NAME", id="name-not-text"),
        pytest.param(cursor_of(["display_name", None, 1]), "DISPLAY_NAME", id="name-null"),
        pytest.param(cursor_of(["display_name", "A", 2**70]), "DISPLAY_NAME", id="huge-id"),
        pytest.param(cursor_of(["created_at", "yesterday", 1]), "CREATED_AT", id="not-a-time"),
        pytest.param(cursor_of(["created_at", 5, 1]), "CREATED_AT", id="time-not-text"),
        pytest.param(
            cursor_of(["created_at", "2020-01-01T12:00:00", 1]), "CREATED_AT", id="naive-time"
        ),
        pytest.param(cursor_of(["display_name", "A", 1]), "CREATED_AT", id="other-ordering"),
        pytest.param(cursor_of(["name", "A", 1]), "DISPLAY_NAME", id="centers-cursor"),
    ],
)
async def test_malformed_or_foreign_cursors_are_bad_user_input(
    db: Database, client: GraphQLClient, cursor: str, order: str
) -> None:
    await _directory(db)
    token = await staff(db)
    body = await client.execute(
        PEOPLE, {"first": 2, "after": cursor, "orderBy": {"field": order}}, token=token
    )
    assert_bad_input(body, "after")


async def test_a_cursor_from_the_other_direction_is_bad_user_input(
    db: Database, client: GraphQLClient
) -> None:
    await _directory(db)
    token = await staff(db)
    page = await listing(client, token, first=2, orderBy={"direction": "DESC"})
    body = await client.execute(
        PEOPLE,
        {"first": 2, "after": page["pageInfo"]["endCursor"], "orderBy": {"direction": "ASC"}},
        token=token,
    )
    assert_bad_input(body, "after")


# --- filters -------------------------------------------------------------------------------


async def _network(db: Database) -> dict[str, Any]:
    north = await make_center(db, name="North Center")
    south = await make_center(db, name="South Center")
    people = {
        "nina": await make_person(
            db, PersonKind.NURSE, display_name="Nina North", email="nina@north.org", center=north
        ),
        "cole": await make_person(
            db,
            PersonKind.CLINICIAN,
            display_name="Cole North",
            email="cole@north.org",
            center=north,
        ),
        "sara": await make_person(
            db, PersonKind.NURSE, display_name="Sara South", email="sara@south.org", center=south
        ),
        "pia": await make_person(
            db,
            PersonKind.PARENT_PARTNER,
            display_name="Pia Parent",
            email="pia.secret@home.example",
            center=south,
        ),
        "dora": await make_person(
            db,
            PersonKind.DATA_MANAGER,
            display_name="Dora Data",
            email="dora@network.org",
            network_role=NetworkRole.DATA_MANAGER,
        ),
    }
    return {"north": north, "south": south, **people}


async def test_filter_by_kind(db: Database, client: GraphQLClient) -> None:
    await _network(db)
    token = await staff(db, display_name="Staff")
    assert await names(client, token, filter={"kind": "NURSE"}) == ["Nina North", "Sara South"]
    assert await names(client, token, filter={"kind": "STAFF"}) == ["Staff"]


async def test_filter_by_network_role(db: Database, client: GraphQLClient) -> None:
    await _network(db)
    token = await staff(db, display_name="Staff")
    assert await names(client, token, filter={"networkRole": "DATA_MANAGER"}) == ["Dora Data"]
    assert await names(client, token, filter={"networkRole": "STAFF"}) == ["Staff"]
    assert await names(client, token, filter={"networkRole": "ADMIN"}) == []


async def test_filter_by_center(db: Database, client: GraphQLClient) -> None:
    network = await _network(db)
    token = await staff(db)
    north = to_global_id("Center", network["north"].id)
    south = to_global_id("Center", network["south"].id)
    assert await names(client, token, filter={"centerId": north}) == ["Cole North", "Nina North"]
    assert await names(client, token, filter={"centerId": south}) == ["Pia Parent", "Sara South"]
    unknown = to_global_id("Center", network["south"].id + 1000)
    assert await names(client, token, filter={"centerId": unknown}) == []


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"kind": "NURSE", "search": "north"}, ["Nina North"]),
        ({"kind": "NURSE", "centerId": "south"}, ["Sara South"]),
        ({"search": "a", "centerId": "south"}, ["Pia Parent", "Sara South"]),
        ({"kind": "CLINICIAN", "centerId": "south"}, []),
        ({"kind": "DATA_MANAGER", "networkRole": "DATA_MANAGER", "search": "DORA"}, ["Dora Data"]),
        ({"kind": "DATA_MANAGER", "networkRole": "MEMBER"}, []),
    ],
)
async def test_filters_combine(
    db: Database, client: GraphQLClient, filter: dict[str, str], expected: list[str]
) -> None:
    network = await _network(db)
    token = await staff(db)
    if "centerId" in filter:
        filter = filter | {"centerId": to_global_id("Center", network[filter["centerId"]].id)}
    assert await names(client, token, filter=filter) == expected


@pytest.mark.parametrize(
    ("center_id", "why"),
    [("nonsense", "malformed"), ("person", "a person's ID"), ("", "empty")],
)
async def test_filter_by_center_needs_a_center_id(
    db: Database, client: GraphQLClient, center_id: str, why: str
) -> None:
    network = await _network(db)
    token = await staff(db)
    if center_id == "person":
        center_id = to_global_id("Person", network["nina"].id)
    body = await client.execute(PEOPLE, {"filter": {"centerId": center_id}}, token=token)
    assert_bad_input(body, "filter.centerId")


async def test_search_by_name_ignores_case_and_treats_wildcards_literally(
    db: Database, client: GraphQLClient
) -> None:
    await make_person(db, display_name="Ann O'Brien")
    await make_person(db, display_name="Anna_Bell")
    await make_person(db, display_name="AnnaXBell")
    await make_person(db, display_name="Percy 100%")
    token = await staff(db, display_name="Staff")
    assert await names(client, token, filter={"search": "ANN"}) == [
        "Ann O'Brien",
        "AnnaXBell",
        "Anna_Bell",
    ]
    assert await names(client, token, filter={"search": "o'b"}) == ["Ann O'Brien"]
    assert await names(client, token, filter={"search": "a_b"}) == ["Anna_Bell"]
    assert await names(client, token, filter={"search": "%"}) == ["Percy 100%"]


async def test_a_nul_character_in_the_search_is_bad_user_input(
    db: Database, client: GraphQLClient
) -> None:
    await make_person(db)
    token = await staff(db)
    body = await client.execute(PEOPLE, {"filter": {"search": "a\u0000"}}, token=token)
    assert_bad_input(body, "filter.search")


async def test_staff_search_finds_people_by_email(db: Database, client: GraphQLClient) -> None:
    await _network(db)
    token = await staff(db, email="staffer@network.org")
    assert await names(client, token, filter={"search": "PIA.SECRET"}) == ["Pia Parent"]
    assert await names(client, token, filter={"search": "@north.org"}) == [
        "Cole North",
        "Nina North",
    ]


async def test_admin_search_finds_people_by_email(db: Database, client: GraphQLClient) -> None:
    await _network(db)
    token = await staff(db, NetworkRole.ADMIN)
    assert await names(client, token, filter={"search": "home.example"}) == ["Pia Parent"]


@pytest.mark.parametrize("who", ["nina", "dora", "pia"])
async def test_non_staff_search_does_not_match_emails(
    db: Database, client: GraphQLClient, who: str
) -> None:
    """Not even a teammate's email: Nina may read Cole's, but not find him by it."""
    network = await _network(db)
    token = await token_for(db, network[who])
    assert await names(client, token, filter={"search": "pia.secret"}) == []
    assert await names(client, token, filter={"search": "@north.org"}) == []
    assert await names(client, token, filter={"search": "home.example"}) == []
    # The name still matches.
    assert await names(client, token, filter={"search": "pia"}) == ["Pia Parent"]


# --- email visibility ----------------------------------------------------------------------


async def _emails_seen_by(client: GraphQLClient, token: str) -> dict[str, str | None]:
    page = await listing(client, token)
    return {edge["node"]["displayName"]: edge["node"]["email"] for edge in page["edges"]}


async def test_staff_see_every_email(db: Database, client: GraphQLClient) -> None:
    await _network(db)
    seen = await _emails_seen_by(client, await staff(db, display_name="Staff"))
    assert seen == {
        "Cole North": "cole@north.org",
        "Dora Data": "dora@network.org",
        "Nina North": "nina@north.org",
        "Pia Parent": "pia.secret@home.example",
        "Sara South": "sara@south.org",
        "Staff": seen["Staff"],
    }
    assert seen["Staff"] is not None


async def test_members_see_their_own_and_their_teammates_emails_only(
    db: Database, client: GraphQLClient
) -> None:
    network = await _network(db)
    await staff(db, display_name="Staff", email="staff@network.org")

    assert await _emails_seen_by(client, await token_for(db, network["nina"])) == {
        "Cole North": "cole@north.org",  # shares North
        "Dora Data": None,
        "Nina North": "nina@north.org",  # herself
        "Pia Parent": None,
        "Sara South": None,
        "Staff": None,
    }
    assert await _emails_seen_by(client, await token_for(db, network["pia"])) == {
        "Cole North": None,
        "Dora Data": None,
        "Nina North": None,
        "Pia Parent": "pia.secret@home.example",
        "Sara South": "sara@south.org",  # shares South
        "Staff": None,
    }


async def test_a_person_on_no_team_sees_only_their_own_email(
    db: Database, client: GraphQLClient
) -> None:
    """Dora is a network data manager but not staff: no special email access."""
    network = await _network(db)
    seen = await _emails_seen_by(client, await token_for(db, network["dora"]))
    assert seen["Dora Data"] == "dora@network.org"
    assert {name: email for name, email in seen.items() if name != "Dora Data"} == {
        "Cole North": None,
        "Nina North": None,
        "Pia Parent": None,
        "Sara South": None,
    }


async def test_email_visibility_is_the_same_through_node_and_nested_fields(
    db: Database, client: GraphQLClient
) -> None:
    network = await _network(db)
    token = await token_for(db, network["nina"])
    cole = await client.data(
        PERSON_EMAIL, {"id": to_global_id("Person", network["cole"].id)}, token=token
    )
    sara = await client.data(
        PERSON_EMAIL, {"id": to_global_id("Person", network["sara"].id)}, token=token
    )
    assert cole["node"] == {"displayName": "Cole North", "email": "cole@north.org"}
    assert sara["node"] == {"displayName": "Sara South", "email": None}

    teams = await client.data(
        "{ centers { nodes { name members { person { displayName email } } } } }", token=token
    )
    seen = {
        member["person"]["displayName"]: member["person"]["email"]
        for center in teams["centers"]["nodes"]
        for member in center["members"]
    }
    assert seen == {
        "Nina North": "nina@north.org",
        "Cole North": "cole@north.org",
        "Sara South": None,
        "Pia Parent": None,
    }


async def test_joining_a_team_reveals_teammates_emails(db: Database, client: GraphQLClient) -> None:
    network = await _network(db)
    token = await token_for(db, network["dora"])
    sara_id = to_global_id("Person", network["sara"].id)
    before = await client.data(PERSON_EMAIL, {"id": sara_id}, token=token)
    assert before["node"]["email"] is None

    await client.data(
        """mutation($input: AddMembershipInput!) { addMembership(input: $input) {
             userErrors { code } } }""",
        {
            "input": {
                "personId": to_global_id("Person", network["dora"].id),
                "centerId": to_global_id("Center", network["south"].id),
                "role": "DATA_MANAGER",
            }
        },
        token=await staff(db),
    )
    after = await client.data(PERSON_EMAIL, {"id": sara_id}, token=token)
    assert after["node"]["email"] == "sara@south.org"


# --- createPerson --------------------------------------------------------------------------


def person_input(**overrides: Any) -> dict[str, Any]:
    defaults = {
        "displayName": "Rosalind Franklin",
        "email": "rosalind@example.org",
        "kind": "NURSE",
    }
    return defaults | overrides


async def test_create_person(db: Database, client: GraphQLClient) -> None:
    token = await staff(db)
    before = datetime.now(UTC)
    data = await client.data(
        CREATE,
        {"input": person_input(timezone="Europe/London", email="Rosalind@Example.org")},
        token=token,
    )

    payload = data["createPerson"]
    assert payload["userErrors"] == []
    person = payload["person"]
    assert person["displayName"] == "Rosalind Franklin"
    assert person["email"] == "Rosalind@Example.org"  # staff see it; stored as given
    assert person["kind"] == "NURSE"
    assert person["timezone"] == "Europe/London"
    assert person["networkRole"] == "MEMBER"
    assert person["memberships"] == []
    created = datetime.fromisoformat(person["createdAt"])
    assert before - timedelta(seconds=5) <= created <= datetime.now(UTC) + timedelta(seconds=5)

    row = next(row for row in await people_rows(db) if row.display_name == "Rosalind Franklin")
    assert person["id"] == to_global_id("Person", row.id)
    assert row.email == "Rosalind@Example.org"
    assert row.email_key == "rosalind@example.org"
    assert row.timezone == "Europe/London"
    assert row.kind is PersonKind.NURSE
    assert row.network_role is NetworkRole.MEMBER


async def test_create_person_defaults_and_trimming(db: Database, client: GraphQLClient) -> None:
    token = await staff(db)
    data = await client.data(
        CREATE,
        {"input": person_input(displayName="  Padded  ", email="  pad@example.org ")},
        token=token,
    )
    person = data["createPerson"]["person"]
    assert person["displayName"] == "Padded"
    assert person["email"] == "pad@example.org"
    assert person["timezone"] == "UTC"
    assert person["networkRole"] == "MEMBER"


@pytest.mark.parametrize(
    "email",
    [
        "rosalind@example.org",
        "ROSALIND@EXAMPLE.ORG",
        "Rosalind@Example.Org",
        " rosalind@example.org ",
    ],
)
async def test_create_person_with_a_taken_email_ignoring_case(
    db: Database, client: GraphQLClient, email: str
) -> None:
    await make_person(db, email="rosalind@example.org", display_name="Original")
    token = await staff(db)
    count = await people_count(db)

    data = await client.data(
        CREATE, {"input": person_input(email=email, displayName="Copycat")}, token=token
    )

    payload = data["createPerson"]
    assert payload["person"] is None
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [
        ("email", "TAKEN")
    ]
    assert await people_count(db) == count
    assert "Copycat" not in [row.display_name for row in await people_rows(db)]


async def test_create_person_twice_in_a_row(db: Database, client: GraphQLClient) -> None:
    token = await staff(db)
    first = await client.data(CREATE, {"input": person_input(email="Ann@X.org")}, token=token)
    assert first["createPerson"]["userErrors"] == []
    second = await client.data(CREATE, {"input": person_input(email="ann@x.org")}, token=token)
    assert [(e["field"], e["code"]) for e in second["createPerson"]["userErrors"]] == [
        ("email", "TAKEN")
    ]
    assert [row.email for row in await people_rows(db)].count("Ann@X.org") == 1
    assert "ann@x.org" not in [row.email for row in await people_rows(db)]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "INVALID"),
        ({"timezone": ""}, "timezone", "INVALID"),
        ({"timezone": "EST5EDT-ish"}, "timezone", "INVALID"),
        ({"timezone": "../../etc/passwd"}, "timezone", "INVALID"),
        ({"email": ""}, "email", "REQUIRED"),
        ({"email": "   "}, "email", "REQUIRED"),
        ({"email": "not-an-email"}, "email", "INVALID"),
        ({"email": "two@@example.org"}, "email", "INVALID"),
        ({"email": "no-domain@"}, "email", "INVALID"),
        ({"email": "@example.org"}, "email", "INVALID"),
        ({"email": "no-tld@example"}, "email", "INVALID"),
        ({"email": "spa ce@example.org"}, "email", "INVALID"),
        ({"email": "<x@example.org>"}, "email", "INVALID"),
        ({"email": "x" * 250 + "@example.org"}, "email", "INVALID"),
        ({"email": "nul\u0000byte@example.org"}, "email", "INVALID"),
        ({"email": "tab\tbed@example.org"}, "email", "INVALID"),
        ({"displayName": ""}, "displayName", "REQUIRED"),
        ({"displayName": "   "}, "displayName", "REQUIRED"),
        ({"displayName": "N" * 121}, "displayName", "TOO_LONG"),
        ({"displayName": "Line\nBreak"}, "displayName", "INVALID"),
    ],
)
async def test_create_person_validation_errors_write_nothing(
    db: Database, client: GraphQLClient, overrides: dict[str, str], field: str, code: str
) -> None:
    token = await staff(db)
    count = await people_count(db)
    data = await client.data(CREATE, {"input": person_input(**overrides)}, token=token)
    payload = data["createPerson"]
    assert payload["person"] is None
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [(field, code)]
    assert payload["userErrors"][0]["message"]
    assert await people_count(db) == count


@pytest.mark.parametrize(
    "email", ["üser@exämple.org", "user@exämple.org", "josé@example.org", "用户@例子.广告"]
)
async def test_an_address_mail_cannot_reach_is_refused_saying_why(
    db: Database, client: GraphQLClient, email: str
) -> None:
    """Mail to such an address needs SMTPUTF8 end to end; sign-in links would never arrive."""
    token = await staff(db)
    count = await people_count(db)
    data = await client.data(CREATE, {"input": person_input(email=email)}, token=token)
    [error] = data["createPerson"]["userErrors"]
    assert (error["field"], error["code"]) == ("email", "INVALID")
    assert error["message"] == (
        f"'{email}' has letters outside ASCII, which mail from this network cannot reach. Give "
        "an ASCII address (a domain with accents in its xn-- form)."
    )
    assert await people_count(db) == count


@pytest.mark.parametrize("email", ["user@xn--exmple-cua.org", "user@example.xn--p1ai"])
async def test_an_internationalized_domain_in_its_ascii_form_is_accepted(
    db: Database, client: GraphQLClient, email: str
) -> None:
    token = await staff(db)
    data = await client.data(CREATE, {"input": person_input(email=email)}, token=token)
    assert data["createPerson"]["userErrors"] == []
    assert data["createPerson"]["person"]["email"] == email


@pytest.mark.parametrize(
    "timezone", ["UTC", "America/New_York", "Asia/Kolkata", "America/Argentina/Buenos_Aires"]
)
async def test_create_person_accepts_iana_time_zones(
    db: Database, client: GraphQLClient, timezone: str
) -> None:
    token = await staff(db)
    data = await client.data(CREATE, {"input": person_input(timezone=timezone)}, token=token)
    assert data["createPerson"]["userErrors"] == []
    assert data["createPerson"]["person"]["timezone"] == timezone


async def test_create_person_reports_every_problem_at_once(
    db: Database, client: GraphQLClient
) -> None:
    token = await staff(db)
    count = await people_count(db)
    data = await client.data(
        CREATE,
        {"input": person_input(displayName="", email="nope", timezone="Mars/Olympus")},
        token=token,
    )
    errors = data["createPerson"]["userErrors"]
    assert {(error["field"], error["code"]) for error in errors} == {
        ("displayName", "REQUIRED"),
        ("email", "INVALID"),
        ("timezone", "INVALID"),
    }
    assert await people_count(db) == count


async def test_only_admins_create_admins(db: Database, client: GraphQLClient) -> None:
    staff_token = await staff(db)
    count = await people_count(db)
    refused = await client.data(
        CREATE, {"input": person_input(networkRole="ADMIN")}, token=staff_token
    )
    assert [(e["field"], e["code"]) for e in refused["createPerson"]["userErrors"]] == [
        ("networkRole", "INVALID")
    ]
    assert await people_count(db) == count

    admin_token = await staff(db, NetworkRole.ADMIN)
    allowed = await client.data(
        CREATE, {"input": person_input(networkRole="ADMIN")}, token=admin_token
    )
    assert allowed["createPerson"]["userErrors"] == []
    assert allowed["createPerson"]["person"]["networkRole"] == "ADMIN"


async def test_only_staff_create_people(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db)
    lead = await make_person(db, PersonKind.QI_LEAD, center=center, role=CenterRole.QI_LEAD)
    count = await people_count(db)
    body = await client.execute(CREATE, {"input": person_input()}, token=await token_for(db, lead))
    assert error_codes(body) == ["FORBIDDEN"]
    assert error_codes(await client.execute(CREATE, {"input": person_input()})) == [
        "UNAUTHENTICATED"
    ]
    assert await people_count(db) == count


async def test_a_created_person_can_sign_in_and_see_their_email(
    db: Database, client: GraphQLClient
) -> None:
    token = await staff(db)
    data = await client.data(CREATE, {"input": person_input()}, token=token)
    [row] = [row for row in await people_rows(db) if row.email == "rosalind@example.org"]
    own = await client.data("{ viewer { person { id email } } }", token=await token_for(db, row))
    assert own["viewer"]["person"] == {
        "id": data["createPerson"]["person"]["id"],
        "email": "rosalind@example.org",
    }


# --- Person.memberships --------------------------------------------------------------------


async def test_person_memberships_lists_their_centers_and_roles(
    db: Database, client: GraphQLClient
) -> None:
    north = await make_center(db, name="North Center")
    south = await make_center(db, name="South Center")
    await make_center(db, name="West Center")
    person = await make_person(
        db, PersonKind.QI_LEAD, display_name="Multi", center=north, role=CenterRole.QI_LEAD
    )
    token = await staff(db)
    # A second team, joined later, in another role.
    await client.data(
        """mutation($input: AddMembershipInput!) { addMembership(input: $input) {
             userErrors { code } } }""",
        {
            "input": {
                "personId": to_global_id("Person", person.id),
                "centerId": to_global_id("Center", south.id),
                "role": "CLINICIAN",
                "since": "2019-04-01",
            }
        },
        token=token,
    )
    await make_person(db, display_name="Loner")

    data = await client.data(
        """{ people(filter: {search: "multi"}) { nodes { displayName memberships {
               id role since center { id name } person { id } } } } }""",
        token=token,
    )

    [found] = data["people"]["nodes"]
    memberships = found["memberships"]
    assert [(m["center"]["name"], m["role"], m["since"]) for m in memberships] == [
        ("North Center", "QI_LEAD", "2015-01-01"),
        ("South Center", "CLINICIAN", "2019-04-01"),
    ]
    assert [m["center"]["id"] for m in memberships] == [
        to_global_id("Center", north.id),
        to_global_id("Center", south.id),
    ]
    assert all(m["person"]["id"] == to_global_id("Person", person.id) for m in memberships)

    loner = await client.data(
        '{ people(filter: {search: "loner"}) { nodes { memberships { id } } } }', token=token
    )
    assert loner["people"]["nodes"] == [{"memberships": []}]
