"""Teams: ``addMembership`` and ``removeMembership``, by staff and by a center's QI lead."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models import Center, CenterRole, Membership, Person, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import make_staff_token, single_error, user_errors
from tests.helpers import GraphQLClient, error_codes, make_center, make_person, token_for

ADD = """
mutation Add($input: AddMembershipInput!) {
  addMembership(input: $input) {
    membership { id role since person { id displayName } center { id name } }
    userErrors { field message code }
  }
}
"""

REMOVE = """
mutation Remove($input: RemoveMembershipInput!) {
  removeMembership(input: $input) { removedMembershipId userErrors { field message code } }
}
"""

TEAM = """
query Team($id: ID!) {
  node(id: $id) { ... on Center { name members { id role person { displayName } } } }
}
"""


# --- helpers -------------------------------------------------------------------------------


async def memberships(db: Database) -> list[tuple[int, int, CenterRole, date]]:
    """Every membership row as (person id, center id, role, since), in id order."""
    async with db.session() as session:
        rows = await session.scalars(select(Membership).order_by(Membership.id))
        return [(row.person_id, row.center_id, row.role, row.since) for row in rows]


def add_input(
    person: Person | int, center: Center | int, role: str = "NURSE", **extra: Any
) -> dict[str, Any]:
    """``addMembership`` variables; a bare int is the primary key of a row that may not exist."""
    person_pk = person if isinstance(person, int) else person.id
    center_pk = center if isinstance(center, int) else center.id
    return {
        "input": {
            "personId": to_global_id("Person", person_pk),
            "centerId": to_global_id("Center", center_pk),
            "role": role,
        }
        | extra
    }


async def team(client: GraphQLClient, token: str, center: Center) -> list[tuple[str, str]]:
    data = await client.data(TEAM, {"id": to_global_id("Center", center.id)}, token=token)
    return [(m["person"]["displayName"], m["role"]) for m in data["node"]["members"]]


@pytest.fixture
async def world(db: Database) -> dict[str, Any]:
    """Two centers, A with a QI lead and a nurse, B with its own QI lead, and an outsider."""
    a = await make_center(db, name="Center A")
    b = await make_center(db, name="Center B")
    return {
        "a": a,
        "b": b,
        "lead_a": await make_person(
            db, PersonKind.QI_LEAD, display_name="Lead A", center=a, role=CenterRole.QI_LEAD
        ),
        "nurse_a": await make_person(db, PersonKind.NURSE, display_name="Nurse A", center=a),
        "lead_b": await make_person(
            db, PersonKind.QI_LEAD, display_name="Lead B", center=b, role=CenterRole.QI_LEAD
        ),
        "newcomer": await make_person(db, PersonKind.DIETITIAN, display_name="Newcomer"),
    }


# --- addMembership -------------------------------------------------------------------------


async def test_staff_add_a_membership(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await make_staff_token(db)
    before = await memberships(db)

    data = await client.data(
        ADD, add_input(world["newcomer"], world["b"], "DIETITIAN", since="2021-03-04"), token=token
    )

    payload = data["addMembership"]
    assert payload["userErrors"] == []
    membership = payload["membership"]
    assert membership["role"] == "DIETITIAN"
    assert membership["since"] == "2021-03-04"
    assert membership["person"] == {
        "id": to_global_id("Person", world["newcomer"].id),
        "displayName": "Newcomer",
    }
    assert membership["center"] == {"id": to_global_id("Center", world["b"].id), "name": "Center B"}

    after = await memberships(db)
    assert after[: len(before)] == before
    assert after[len(before) :] == [
        (world["newcomer"].id, world["b"].id, CenterRole.DIETITIAN, date(2021, 3, 4))
    ]
    async with db.session() as session:
        row_id = await session.scalar(
            select(Membership.id).where(Membership.person_id == world["newcomer"].id)
        )
    assert membership["id"] == to_global_id("Membership", row_id or 0)

    assert await team(client, token, world["b"]) == [
        ("Lead B", "QI_LEAD"),
        ("Newcomer", "DIETITIAN"),
    ]


async def test_since_defaults_to_today_in_utc(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await make_staff_token(db)
    before = datetime.now(UTC).date()
    data = await client.data(ADD, add_input(world["newcomer"], world["a"]), token=token)
    after = datetime.now(UTC).date()
    since = date.fromisoformat(data["addMembership"]["membership"]["since"])
    assert before <= since <= after
    assert (await memberships(db))[-1][3] == since


async def test_a_person_may_join_several_centers(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await make_staff_token(db)
    for center in (world["a"], world["b"]):
        data = await client.data(ADD, add_input(world["newcomer"], center), token=token)
        assert data["addMembership"]["userErrors"] == []
    mine = [row for row in await memberships(db) if row[0] == world["newcomer"].id]
    assert {row[1] for row in mine} == {world["a"].id, world["b"].id}


@pytest.mark.parametrize("role", ["NURSE", "QI_LEAD"])
async def test_adding_someone_already_on_the_team_is_taken(
    db: Database, client: GraphQLClient, world: dict[str, Any], role: str
) -> None:
    """Even in another role: one membership per person and center."""
    token = await make_staff_token(db)
    before = await memberships(db)

    data = await client.data(ADD, add_input(world["nurse_a"], world["a"], role), token=token)

    payload = data["addMembership"]
    assert payload["membership"] is None
    assert user_errors(payload) == [("personId", "TAKEN")]
    assert await memberships(db) == before


async def test_adding_the_same_person_twice_in_a_row(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await make_staff_token(db)
    first = await client.data(ADD, add_input(world["newcomer"], world["a"]), token=token)
    assert first["addMembership"]["userErrors"] == []
    second = await client.data(ADD, add_input(world["newcomer"], world["a"]), token=token)
    assert user_errors(second["addMembership"]) == [("personId", "TAKEN")]
    mine = [row for row in await memberships(db) if row[0] == world["newcomer"].id]
    assert len(mine) == 1


async def test_adding_an_unknown_person_is_a_user_error(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await make_staff_token(db)
    before = await memberships(db)

    data = await client.data(ADD, add_input(999_999, world["a"]), token=token)

    payload = data["addMembership"]
    assert payload["membership"] is None
    assert user_errors(payload) == [("personId", "NOT_FOUND")]
    assert await memberships(db) == before


async def test_adding_to_an_unknown_center_is_a_user_error(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await make_staff_token(db)
    before = await memberships(db)
    data = await client.data(ADD, add_input(world["newcomer"], 999_999), token=token)
    assert user_errors(data["addMembership"]) == [("centerId", "NOT_FOUND")]
    assert await memberships(db) == before


async def test_unknown_person_and_center_are_both_reported(
    db: Database, client: GraphQLClient
) -> None:
    token = await make_staff_token(db)
    data = await client.data(ADD, add_input(999_998, 999_999), token=token)
    assert user_errors(data["addMembership"]) == [
        ("personId", "NOT_FOUND"),
        ("centerId", "NOT_FOUND"),
    ]
    assert await memberships(db) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("personId", "garbage"),
        ("personId", ""),
        ("personId", "center"),  # the ID of a center where a person's is expected
        ("personId", "membership"),
        ("centerId", "nope!"),
        ("centerId", "person"),
    ],
)
async def test_malformed_or_wrongly_typed_ids_are_bad_user_input(
    db: Database, client: GraphQLClient, world: dict[str, Any], field: str, value: str
) -> None:
    token = await make_staff_token(db)
    before = await memberships(db)
    ids = {
        "center": to_global_id("Center", world["a"].id),
        "person": to_global_id("Person", world["newcomer"].id),
        "membership": await _membership_id(db, world["nurse_a"], world["a"]),
    }
    variables = add_input(world["newcomer"], world["a"])
    variables["input"][field] = ids.get(value, value)

    body = await client.execute(ADD, variables, token=token)

    error = single_error(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert body["data"] is None
    assert await memberships(db) == before


async def test_a_qi_lead_adds_to_their_own_center(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await token_for(db, world["lead_a"])
    data = await client.data(
        ADD, add_input(world["newcomer"], world["a"], "DIETITIAN"), token=token
    )
    assert data["addMembership"]["userErrors"] == []
    assert data["addMembership"]["membership"]["center"]["name"] == "Center A"
    assert ("Newcomer", "DIETITIAN") in await team(client, token, world["a"])
    assert (world["newcomer"].id, world["a"].id) in [row[:2] for row in await memberships(db)]


async def test_a_qi_lead_cannot_add_to_another_center(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await token_for(db, world["lead_a"])
    before = await memberships(db)

    body = await client.execute(ADD, add_input(world["newcomer"], world["b"]), token=token)

    assert error_codes(body) == ["FORBIDDEN"]
    assert body["data"] is None
    assert await memberships(db) == before


async def test_a_qi_lead_gets_user_errors_for_unknown_people_on_their_center(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await token_for(db, world["lead_a"])
    data = await client.data(ADD, add_input(999_999, world["a"]), token=token)
    assert user_errors(data["addMembership"]) == [("personId", "NOT_FOUND")]


async def test_a_team_member_who_is_not_the_lead_cannot_add(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await token_for(db, world["nurse_a"])
    before = await memberships(db)
    body = await client.execute(ADD, add_input(world["newcomer"], world["a"]), token=token)
    assert error_codes(body) == ["FORBIDDEN"]
    assert await memberships(db) == before


async def test_a_new_qi_lead_can_manage_the_team_at_once(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    """Rights follow the membership: made QI lead of B, the newcomer may then add to B."""
    staff = await make_staff_token(db)
    made_lead = await client.data(
        ADD, add_input(world["newcomer"], world["b"], "QI_LEAD"), token=staff
    )
    assert made_lead["addMembership"]["userErrors"] == []
    token = await token_for(db, world["newcomer"])
    data = await client.data(ADD, add_input(world["nurse_a"], world["b"], "NURSE"), token=token)
    assert data["addMembership"]["userErrors"] == []


async def test_anonymous_callers_cannot_add(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    body = await client.execute(ADD, add_input(world["newcomer"], world["a"]))
    assert error_codes(body) == ["UNAUTHENTICATED"]


# --- removeMembership ----------------------------------------------------------------------


async def _membership_id(db: Database, person: Person, center: Center) -> str:
    async with db.session() as session:
        row_id = await session.scalar(
            select(Membership.id).where(
                Membership.person_id == person.id, Membership.center_id == center.id
            )
        )
    assert row_id is not None
    return to_global_id("Membership", row_id)


async def test_staff_remove_a_membership(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await make_staff_token(db)
    membership_id = await _membership_id(db, world["nurse_a"], world["a"])
    before = await memberships(db)

    data = await client.data(REMOVE, {"input": {"id": membership_id}}, token=token)

    assert data["removeMembership"] == {"removedMembershipId": membership_id, "userErrors": []}
    after = await memberships(db)
    assert after == [row for row in before if row[0] != world["nurse_a"].id]
    assert await team(client, token, world["a"]) == [("Lead A", "QI_LEAD")]
    # The person stays in the directory, just off the team.
    person = await client.data(
        "query($id: ID!) { node(id: $id) { ... on Person { displayName memberships { id } } } }",
        {"id": to_global_id("Person", world["nurse_a"].id)},
        token=token,
    )
    assert person["node"] == {"displayName": "Nurse A", "memberships": []}


async def test_removing_answers_the_person_and_center_a_client_cache_shows(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    """Apollo Client drops the membership from both lists from the payload alone."""
    token = await make_staff_token(db)
    membership_id = await _membership_id(db, world["nurse_a"], world["a"])
    data = await client.data(
        """
        mutation($input: RemoveMembershipInput!) {
          removeMembership(input: $input) {
            person { id memberships { id } }
            center { id members { person { displayName } } }
          }
        }""",
        {"input": {"id": membership_id}},
        token=token,
    )
    assert data["removeMembership"] == {
        "person": {"id": to_global_id("Person", world["nurse_a"].id), "memberships": []},
        "center": {
            "id": to_global_id("Center", world["a"].id),
            "members": [{"person": {"displayName": "Lead A"}}],
        },
    }


async def test_removing_twice_is_not_found_the_second_time(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await make_staff_token(db)
    membership_id = await _membership_id(db, world["nurse_a"], world["a"])
    await client.data(REMOVE, {"input": {"id": membership_id}}, token=token)

    body = await client.execute(REMOVE, {"input": {"id": membership_id}}, token=token)

    error = single_error(body)
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "id"}
    assert error["path"] == ["removeMembership"]


async def test_removing_an_unknown_membership_is_not_found(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await make_staff_token(db)
    before = await memberships(db)
    body = await client.execute(
        REMOVE, {"input": {"id": to_global_id("Membership", 999_999)}}, token=token
    )
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["data"] is None
    assert await memberships(db) == before


@pytest.mark.parametrize("bad", ["garbage", "", "person", "center"])
async def test_removing_with_a_malformed_or_wrongly_typed_id_is_bad_user_input(
    db: Database, client: GraphQLClient, world: dict[str, Any], bad: str
) -> None:
    token = await make_staff_token(db)
    before = await memberships(db)
    value = {
        "person": to_global_id("Person", world["nurse_a"].id),
        "center": to_global_id("Center", world["a"].id),
    }.get(bad, bad)
    body = await client.execute(REMOVE, {"input": {"id": value}}, token=token)
    error = single_error(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    assert await memberships(db) == before


async def test_a_qi_lead_removes_from_their_own_center_only(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await token_for(db, world["lead_a"])
    own = await _membership_id(db, world["nurse_a"], world["a"])
    other = await _membership_id(db, world["lead_b"], world["b"])
    before = await memberships(db)

    refused = await client.execute(REMOVE, {"input": {"id": other}}, token=token)
    assert error_codes(refused) == ["FORBIDDEN"]
    assert await memberships(db) == before

    data = await client.data(REMOVE, {"input": {"id": own}}, token=token)
    assert data["removeMembership"]["removedMembershipId"] == own
    assert (world["nurse_a"].id, world["a"].id) not in [row[:2] for row in await memberships(db)]
    assert (world["lead_b"].id, world["b"].id) in [row[:2] for row in await memberships(db)]


async def test_a_team_member_cannot_remove_a_teammate(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await token_for(db, world["nurse_a"])
    lead = await _membership_id(db, world["lead_a"], world["a"])
    before = await memberships(db)
    body = await client.execute(REMOVE, {"input": {"id": lead}}, token=token)
    assert error_codes(body) == ["FORBIDDEN"]
    assert await memberships(db) == before


async def test_a_removed_qi_lead_loses_their_rights(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    staff = await make_staff_token(db)
    lead_token = await token_for(db, world["lead_a"])
    await client.data(
        REMOVE,
        {"input": {"id": await _membership_id(db, world["lead_a"], world["a"])}},
        token=staff,
    )
    body = await client.execute(ADD, add_input(world["newcomer"], world["a"]), token=lead_token)
    assert error_codes(body) == ["FORBIDDEN"]


# --- teams as seen through the graph -------------------------------------------------------


async def test_members_and_memberships_agree(
    db: Database, client: GraphQLClient, world: dict[str, Any]
) -> None:
    token = await make_staff_token(db)
    await client.data(
        ADD, add_input(world["lead_a"], world["b"], "CLINICIAN", since="2010-01-01"), token=token
    )
    data = await client.data(
        """{ centers { nodes { id name members { id role since person { id } } } }
             people(filter: {search: "lead a"}) { nodes { id memberships {
               id role since center { id } } } } }""",
        token=token,
    )
    by_center = {c["name"]: c for c in data["centers"]["nodes"]}
    # Members are listed by since, then id: the 2010 membership comes before the 2015 one.
    assert [(m["person"]["id"], m["role"]) for m in by_center["Center B"]["members"]] == [
        (to_global_id("Person", world["lead_a"].id), "CLINICIAN"),
        (to_global_id("Person", world["lead_b"].id), "QI_LEAD"),
    ]
    [lead] = data["people"]["nodes"]
    assert [(m["center"]["id"], m["role"], m["since"]) for m in lead["memberships"]] == [
        (by_center["Center B"]["id"], "CLINICIAN", "2010-01-01"),
        (by_center["Center A"]["id"], "QI_LEAD", "2015-01-01"),
    ]
    from_centers = {
        member["id"]
        for center in data["centers"]["nodes"]
        for member in center["members"]
        if member["person"]["id"] == lead["id"]
    }
    assert from_centers == {m["id"] for m in lead["memberships"]}
