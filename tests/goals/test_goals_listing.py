"""The ``goals`` listing (filters, orderings, keyset pages), ``Center.goals``, ``Person.goals``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from icn_graph.db.database import Database
from icn_graph.models import CenterRole, Goal, GoalStatus, NetworkRole, Person, PersonKind
from icn_graph.schema.relay import to_global_id
from tests.goal_helpers import make_goal
from tests.helpers import GraphQLClient, error_codes, make_center, make_person, token_for

GOALS = """
query Goals($first: Int, $after: String, $filter: GoalFilter, $orderBy: GoalOrder) {
  goals(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { title }
  }
}
"""


@dataclass(frozen=True)
class Network:
    token: str
    center_a: str
    center_b: str
    partner: str
    loner: str
    goals: dict[str, Goal]


async def build(db: Database) -> Network:
    center_a = await make_center(db)
    center_b = await make_center(db)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    partner = await make_person(
        db, PersonKind.PARENT_PARTNER, center=center_a, role=CenterRole.PARENT_PARTNER
    )
    loner = await make_person(db, PersonKind.PATIENT_PARTNER)
    specs: list[tuple[str, dict[str, Any], date, GoalStatus, bool]] = [
        ("Bravo", {"center": center_a}, date(2014, 4, 1), GoalStatus.ON_TRACK, False),
        ("Delta", {"center": center_a}, date(2014, 5, 1), GoalStatus.AT_RISK, False),
        ("Alpha", {"center": center_b}, date(2014, 3, 1), GoalStatus.DONE, False),
        ("Echo", {"person": partner}, date(2014, 4, 15), GoalStatus.ON_TRACK, False),
        ("Charlie", {"person": loner}, date(2014, 6, 1), GoalStatus.OFF_TRACK, False),
        ("Foxtrot", {"center": center_a}, date(2014, 2, 1), GoalStatus.DROPPED, True),
    ]
    goals: dict[str, Goal] = {}
    for title, owner, due_on, status, archived in specs:
        goals[title] = await make_goal(
            db,
            created_by=staff,
            title=title,
            starts_on=date(2014, 1, 1),
            due_on=due_on,
            status=status,
            archived=archived,
            **owner,
        )
    return Network(
        token=await token_for(db, staff),
        center_a=to_global_id("Center", center_a.id),
        center_b=to_global_id("Center", center_b.id),
        partner=to_global_id("Person", partner.id),
        loner=to_global_id("Person", loner.id),
        goals=goals,
    )


async def titles(client: GraphQLClient, token: str, **variables: Any) -> list[str]:
    data = await client.data(GOALS, variables, token=token)
    listed = [node["title"] for node in data["goals"]["nodes"]]
    assert data["goals"]["totalCount"] == len(listed)
    return listed


async def test_default_listing_hides_archived_and_orders_by_due_date(
    db: Database, client: GraphQLClient
) -> None:
    net = await build(db)
    assert await titles(client, net.token) == ["Alpha", "Bravo", "Echo", "Delta", "Charlie"]
    assert await titles(client, net.token, filter={"includeArchived": True}) == [
        "Foxtrot",
        "Alpha",
        "Bravo",
        "Echo",
        "Delta",
        "Charlie",
    ]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        pytest.param({"ownerId": "@a"}, ["Bravo", "Delta"], id="owner-center"),
        pytest.param({"ownerId": "@partner"}, ["Echo"], id="owner-person"),
        pytest.param({"centerId": "@a"}, ["Bravo", "Echo", "Delta"], id="center-and-its-team"),
        pytest.param({"centerId": "@b"}, ["Alpha"], id="other-center"),
        pytest.param(
            {"status": ["ON_TRACK", "AT_RISK"]}, ["Bravo", "Echo", "Delta"], id="statuses"
        ),
        pytest.param({"status": "DONE"}, ["Alpha"], id="one-status"),
        pytest.param({"dueBefore": "2014-04-15"}, ["Alpha", "Bravo"], id="due-before-strict"),
        pytest.param({"dueAfter": "2014-04-15"}, ["Delta", "Charlie"], id="due-after-strict"),
        pytest.param(
            {"dueAfter": "2014-03-01", "dueBefore": "2014-05-01"},
            ["Bravo", "Echo"],
            id="due-between",
        ),
        pytest.param({"kind": "CENTER"}, ["Alpha", "Bravo", "Delta"], id="kind-center"),
        pytest.param({"kind": "PARTNER"}, ["Echo", "Charlie"], id="kind-partner"),
        pytest.param(
            {"kind": "CENTER", "centerId": "@a", "includeArchived": True},
            ["Foxtrot", "Bravo", "Delta"],
            id="combined",
        ),
        pytest.param({"ownerId": "@loner", "kind": "CENTER"}, [], id="nothing"),
    ],
)
async def test_filters(
    db: Database, client: GraphQLClient, filter: dict[str, Any], expected: list[str]
) -> None:
    net = await build(db)
    ids = {"@a": net.center_a, "@b": net.center_b, "@partner": net.partner, "@loner": net.loner}
    given = {key: ids.get(value, value) if isinstance(value, str) else value
             for key, value in filter.items()}  # fmt: skip
    assert await titles(client, net.token, filter=given) == expected


ORDERINGS = [
    ({"field": "DUE_ON", "direction": "ASC"}, ["Alpha", "Bravo", "Echo", "Delta", "Charlie"]),
    ({"field": "DUE_ON", "direction": "DESC"}, ["Charlie", "Delta", "Echo", "Bravo", "Alpha"]),
    ({"field": "TITLE", "direction": "ASC"}, ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]),
    ({"field": "TITLE", "direction": "DESC"}, ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]),
    ({"field": "CREATED_AT", "direction": "ASC"}, ["Bravo", "Delta", "Alpha", "Echo", "Charlie"]),
    ({"field": "CREATED_AT", "direction": "DESC"}, ["Charlie", "Echo", "Alpha", "Delta", "Bravo"]),
]


@pytest.mark.parametrize(
    ("order", "expected"),
    [pytest.param(order, expected, id=f"{order['field']}-{order['direction']}")
     for order, expected in ORDERINGS],
)  # fmt: skip
async def test_keyset_pages_walk_every_ordering(
    db: Database, client: GraphQLClient, order: dict[str, str], expected: list[str]
) -> None:
    net = await build(db)
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        data = await client.data(
            GOALS, {"first": 2, "after": after, "orderBy": order}, token=net.token
        )
        connection = data["goals"]
        seen += [node["title"] for node in connection["nodes"]]
        assert connection["totalCount"] == 5
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == expected
    assert pages == 3


async def test_a_cursor_from_another_ordering_is_refused(
    db: Database, client: GraphQLClient
) -> None:
    net = await build(db)
    data = await client.data(GOALS, {"first": 1}, token=net.token)
    cursor = data["goals"]["pageInfo"]["endCursor"]
    body = await client.execute(
        GOALS, {"first": 1, "after": cursor, "orderBy": {"field": "TITLE"}}, token=net.token
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "another ordering" in body["errors"][0]["message"]


OWNED = """
query($center: ID!, $person: ID!, $after: String, $archived: Boolean!) {
  center: node(id: $center) {
    ... on Center {
      goals(first: 1, after: $after, includeArchived: $archived) {
        totalCount pageInfo { hasNextPage endCursor } nodes { title owner { __typename } }
      }
    }
  }
  person: node(id: $person) {
    ... on Person { goals { totalCount nodes { title kind } } }
  }
}
"""


async def test_center_and_person_goals(db: Database, client: GraphQLClient) -> None:
    net = await build(db)
    variables = {"center": net.center_a, "person": net.partner, "archived": False}
    data = await client.data(OWNED, variables, token=net.token)
    center_goals = data["center"]["goals"]
    assert center_goals["totalCount"] == 2
    assert center_goals["nodes"] == [{"title": "Bravo", "owner": {"__typename": "Center"}}]
    assert center_goals["pageInfo"]["hasNextPage"] is True
    assert data["person"]["goals"] == {
        "totalCount": 1,
        "nodes": [{"title": "Echo", "kind": "PARTNER"}],
    }

    following = await client.data(
        OWNED, variables | {"after": center_goals["pageInfo"]["endCursor"]}, token=net.token
    )
    assert following["center"]["goals"]["nodes"] == [
        {"title": "Delta", "owner": {"__typename": "Center"}}
    ]
    assert following["center"]["goals"]["pageInfo"]["hasNextPage"] is False

    with_archived = await client.data(OWNED, variables | {"archived": True}, token=net.token)
    assert with_archived["center"]["goals"]["totalCount"] == 3
    assert with_archived["center"]["goals"]["nodes"][0]["title"] == "Foxtrot"


async def test_every_center_gets_its_own_page_in_one_listing(
    db: Database, client: GraphQLClient
) -> None:
    net = await build(db)
    data = await client.data(
        "{ centers { nodes { id goals(first: 5) { totalCount nodes { title } } } } }",
        token=net.token,
    )
    by_center = {node["id"]: node["goals"] for node in data["centers"]["nodes"]}
    assert by_center == {
        net.center_a: {"totalCount": 2, "nodes": [{"title": "Bravo"}, {"title": "Delta"}]},
        net.center_b: {"totalCount": 1, "nodes": [{"title": "Alpha"}]},
    }


async def test_viewer_goals_are_their_own(db: Database, client: GraphQLClient) -> None:
    net = await build(db)
    partner = net.goals["Echo"].person_id
    assert partner is not None
    async with db.session() as session:
        person = await session.get(Person, partner)
    assert person is not None
    token = await token_for(db, person)
    data = await client.data(
        "{ viewer { person { goals { nodes { title viewerCanEdit } } }"
        " goals { nodes { title viewerCanEdit } } } }",
        token=token,
    )
    assert data["viewer"]["person"]["goals"]["nodes"] == [{"title": "Echo", "viewerCanEdit": True}]
    # The home view adds the open goals of the viewer's centers, which they may edit too.
    home = data["viewer"]["goals"]["nodes"]
    assert {"title": "Echo", "viewerCanEdit": True} in home
    assert all(goal["viewerCanEdit"] for goal in home)
