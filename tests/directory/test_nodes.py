"""Relay refetching: ``node(id)`` and ``nodes(ids)`` for every type, and what bad IDs give."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models import CenterRole, Membership, NetworkRole, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import single_error
from tests.helpers import (
    GraphQLClient,
    StatementCounter,
    error_codes,
    make_center,
    make_person,
    token_for,
)

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Center { name shortCode members { id } }
    ... on Person { displayName kind email }
    ... on Membership { role since person { id displayName } center { id name } }
  }
}
"""

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Center { name }
    ... on Person { displayName }
    ... on Membership { role }
  }
}
"""


def raw_id(text: str) -> str:
    """An ID-shaped string with any content: how a forged or corrupted ID would look."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def _world(db: Database) -> dict[str, Any]:
    center = await make_center(db, name="Riverside Children's", short_code="RIVER")
    nurse = await make_person(
        db, PersonKind.NURSE, display_name="Nina Nurse", email="nina@example.org", center=center
    )
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    async with db.session() as session:
        membership_id = await session.scalar(select(Membership.id))
    assert membership_id is not None
    return {
        "center": center,
        "nurse": nurse,
        "membership_id": membership_id,
        "token": await token_for(db, staff),
        "ids": {
            "center": to_global_id("Center", center.id),
            "person": to_global_id("Person", nurse.id),
            "membership": to_global_id("Membership", membership_id),
        },
    }


# --- node ----------------------------------------------------------------------------------


async def test_node_refetches_a_center(db: Database, client: GraphQLClient) -> None:
    world = await _world(db)
    center_id = world["ids"]["center"]
    data = await client.data(NODE, {"id": center_id}, token=world["token"])
    assert data["node"] == {
        "__typename": "Center",
        "id": center_id,
        "name": "Riverside Children's",
        "shortCode": "RIVER",
        "members": [{"id": world["ids"]["membership"]}],
    }


async def test_node_refetches_a_person(db: Database, client: GraphQLClient) -> None:
    world = await _world(db)
    person_id = world["ids"]["person"]
    data = await client.data(NODE, {"id": person_id}, token=world["token"])
    assert data["node"] == {
        "__typename": "Person",
        "id": person_id,
        "displayName": "Nina Nurse",
        "kind": "NURSE",
        "email": "nina@example.org",
    }


async def test_node_refetches_a_membership(db: Database, client: GraphQLClient) -> None:
    world = await _world(db)
    membership_id = world["ids"]["membership"]
    data = await client.data(NODE, {"id": membership_id}, token=world["token"])
    assert data["node"] == {
        "__typename": "Membership",
        "id": membership_id,
        "role": "NURSE",
        "since": "2015-01-01",
        "person": {"id": world["ids"]["person"], "displayName": "Nina Nurse"},
        "center": {"id": world["ids"]["center"], "name": "Riverside Children's"},
    }


async def test_ids_from_listings_refetch_the_same_object(
    db: Database, client: GraphQLClient
) -> None:
    world = await _world(db)
    listed = await client.data(
        "{ centers { nodes { id name members { id person { id displayName } } } } }",
        token=world["token"],
    )
    [center] = listed["centers"]["nodes"]
    [member] = center["members"]
    for global_id, expected in [
        (center["id"], {"name": center["name"]}),
        (member["person"]["id"], {"displayName": member["person"]["displayName"]}),
        (member["id"], {"role": "NURSE"}),
    ]:
        data = await client.data(NODES, {"ids": [global_id]}, token=world["token"])
        [node] = data["nodes"]
        assert node["id"] == global_id
        assert {key: node[key] for key in expected} == expected


async def test_ids_are_opaque_and_carry_their_type(db: Database, client: GraphQLClient) -> None:
    """The same primary key in two tables gives two different IDs, neither a bare number."""
    center = await make_center(db)
    person = await make_person(db)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    data = await client.data(
        "{ centers { nodes { id } } people(filter: {kind: CLINICIAN}) { nodes { id } } }",
        token=token,
    )
    center_id = data["centers"]["nodes"][0]["id"]
    person_id = data["people"]["nodes"][0]["id"]
    assert center_id != str(center.id)
    assert person_id != str(person.id)
    assert "Center" not in center_id
    assert center_id != to_global_id("Person", center.id)
    assert to_global_id("Center", 1) != to_global_id("Person", 1)


@pytest.mark.parametrize(
    "bad_id",
    [
        pytest.param("garbage", id="garbage"),
        pytest.param("", id="empty"),
        pytest.param("Center:1", id="not-encoded"),
        pytest.param("42", id="bare-number"),
        pytest.param("%%%%", id="not-base64"),
        pytest.param("A" * 101, id="too-long"),
        pytest.param("ü", id="non-ascii"),
        pytest.param(base64.urlsafe_b64encode(b"\xff\xfe\xfa").decode(), id="not-utf8"),
        pytest.param(raw_id("Center:"), id="no-key"),
        pytest.param(raw_id("Center:abc"), id="text-key"),
        pytest.param(raw_id("Center:-1"), id="negative-key"),
        pytest.param(raw_id("Center:1.5"), id="fraction-key"),
        pytest.param(raw_id("Center: 1"), id="spaced-key"),
        pytest.param(raw_id("Center:1:2"), id="two-keys"),
        pytest.param(raw_id(":1"), id="no-type"),
        pytest.param(raw_id("Cen ter:1"), id="spaced-type"),
        pytest.param(raw_id("Center:²"), id="superscript-key"),
        pytest.param(raw_id("Center:١٢"), id="arabic-indic-key"),
        pytest.param(raw_id("Center:" + "9" * 19), id="huge-key"),
        pytest.param(raw_id("Center:9999999999"), id="key-beyond-integer-columns"),
        pytest.param(raw_id("Center:1\x00"), id="nul"),
    ],
)
async def test_node_with_a_malformed_id_is_bad_user_input(
    db: Database, client: GraphQLClient, bad_id: str
) -> None:
    world = await _world(db)
    body = await client.execute(NODE, {"id": bad_id}, token=world["token"])
    error = single_error(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}, error
    assert error["path"] == ["node"]
    assert body["data"] == {"node": None}


@pytest.mark.parametrize("type_name", ["Center", "Person", "Membership"])
async def test_node_with_an_unknown_id_is_not_found(
    db: Database, client: GraphQLClient, type_name: str
) -> None:
    world = await _world(db)
    unknown = to_global_id(type_name, 999_999)
    body = await client.execute(NODE, {"id": unknown}, token=world["token"])
    error = single_error(body)
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "id"}
    assert error["path"] == ["node"]
    assert body["data"] == {"node": None}


@pytest.mark.parametrize("type_name", ["ApiToken", "Widget"])
async def test_node_does_not_fetch_types_outside_the_graph(
    db: Database, client: GraphQLClient, type_name: str
) -> None:
    """An API token row exists with this key, but tokens are not nodes: nothing is revealed."""
    world = await _world(db)
    body = await client.execute(NODE, {"id": to_global_id(type_name, 1)}, token=world["token"])
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["data"] == {"node": None}


async def test_a_deleted_object_is_not_found(db: Database, client: GraphQLClient) -> None:
    world = await _world(db)
    await client.data(
        "mutation($id: ID!) { removeMembership(input: {id: $id}) { removedMembershipId } }",
        {"id": world["ids"]["membership"]},
        token=world["token"],
    )
    body = await client.execute(NODE, {"id": world["ids"]["membership"]}, token=world["token"])
    assert error_codes(body) == ["NOT_FOUND"]


async def test_anonymous_callers_cannot_fetch_nodes(db: Database, client: GraphQLClient) -> None:
    world = await _world(db)
    body = await client.execute(NODE, {"id": world["ids"]["person"]})
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] == {"node": None}
    many = await client.execute(NODES, {"ids": [world["ids"]["person"]]})
    assert error_codes(many) == ["UNAUTHENTICATED"]
    assert many["data"] is None


async def test_any_member_can_fetch_nodes_but_emails_stay_private(
    db: Database, client: GraphQLClient
) -> None:
    world = await _world(db)
    outsider = await make_person(db, PersonKind.PARENT_PARTNER)
    token = await token_for(db, outsider)
    data = await client.data(NODE, {"id": world["ids"]["person"]}, token=token)
    assert data["node"]["displayName"] == "Nina Nurse"
    assert data["node"]["email"] is None


# --- nodes ---------------------------------------------------------------------------------


async def test_nodes_fetches_every_type_in_the_order_asked(
    db: Database, client: GraphQLClient
) -> None:
    world = await _world(db)
    ids = world["ids"]
    asked = [ids["membership"], ids["person"], ids["center"], ids["person"]]
    data = await client.data(NODES, {"ids": asked}, token=world["token"])
    assert data["nodes"] == [
        {"__typename": "Membership", "id": ids["membership"], "role": "NURSE"},
        {"__typename": "Person", "id": ids["person"], "displayName": "Nina Nurse"},
        {"__typename": "Center", "id": ids["center"], "name": "Riverside Children's"},
        {"__typename": "Person", "id": ids["person"], "displayName": "Nina Nurse"},
    ]


async def test_nodes_of_nothing_is_an_empty_list(db: Database, client: GraphQLClient) -> None:
    world = await _world(db)
    assert await client.data(NODES, {"ids": []}, token=world["token"]) == {"nodes": []}


async def test_nodes_returns_the_good_ones_and_null_with_an_error_for_the_rest(
    db: Database, client: GraphQLClient
) -> None:
    world = await _world(db)
    ids = world["ids"]
    asked = [
        ids["center"],
        to_global_id("Person", 999_999),  # unknown
        "garbage",  # malformed
        ids["person"],
        raw_id("Center:²"),  # malformed, in a way that once escaped as an internal error
        ids["membership"],
        to_global_id("Membership", 999_999),  # unknown
    ]

    body = await client.execute(NODES, {"ids": asked}, token=world["token"])

    assert "Traceback" not in json.dumps(body)
    nodes = body["data"]["nodes"]
    returned = [node["id"] if node else None for node in nodes]
    assert returned == [ids["center"], None, None, ids["person"], None, ids["membership"], None]
    problems = {
        tuple(error["path"]): (error["extensions"]["code"], error["extensions"]["field"])
        for error in body["errors"]
    }
    assert problems == {
        ("nodes", 1): ("NOT_FOUND", "ids[1]"),
        ("nodes", 2): ("BAD_USER_INPUT", "ids[2]"),
        ("nodes", 4): ("BAD_USER_INPUT", "ids[4]"),
        ("nodes", 6): ("NOT_FOUND", "ids[6]"),
    }
    assert len(body["errors"]) == 4


async def test_nodes_accepts_one_hundred_ids(db: Database, client: GraphQLClient) -> None:
    world = await _world(db)
    asked = [world["ids"]["center"]] * 50 + [world["ids"]["person"]] * 50
    data = await client.data(NODES, {"ids": asked}, token=world["token"])
    assert len(data["nodes"]) == 100
    assert all(node is not None for node in data["nodes"])


@pytest.mark.parametrize("count", [101, 500])
async def test_nodes_refuses_more_than_one_hundred_ids(
    db: Database, client: GraphQLClient, count: int
) -> None:
    world = await _world(db)
    body = await client.execute(
        NODES, {"ids": [world["ids"]["center"]] * count}, token=world["token"]
    )
    error = single_error(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "ids"}
    assert "100" in error["message"]
    assert body["data"] is None


async def test_nodes_costs_a_query_per_type_not_per_id(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    world = await _world(db)
    centers = [await make_center(db) for _ in range(20)]
    people = [await make_person(db, center=center, role=CenterRole.CLINICIAN) for center in centers]
    async with db.session() as session:
        membership_ids = list(await session.scalars(select(Membership.id)))
    few = [world["ids"]["center"], world["ids"]["person"], world["ids"]["membership"]]
    many = (
        [to_global_id("Center", c.id) for c in centers]
        + [to_global_id("Person", p.id) for p in people]
        + [to_global_id("Membership", m) for m in membership_ids]
    )

    statements.reset()
    await client.data(NODES, {"ids": few}, token=world["token"])
    few_count = statements.count
    statements.reset()
    data = await client.data(NODES, {"ids": many}, token=world["token"])
    many_count = statements.count

    assert len(data["nodes"]) == 61
    assert all(node is not None for node in data["nodes"])
    assert few_count == many_count, statements.statements
