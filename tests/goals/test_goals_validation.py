"""Refused input: userErrors naming every bad field at once, nothing written, never a 500."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from icn_graph.db.database import Database
from icn_graph.errors import InvalidInput
from icn_graph.models import CenterRole, Goal, GoalStatus, NetworkRole, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.services import goals as service
from icn_graph.services.tokens import viewer_for_token
from icn_graph.testing import snapshot, user_errors
from tests.goal_helpers import (
    ADD_KEY_RESULT,
    CHECK_IN,
    CLOSE_GOAL,
    CREATE_GOAL,
    UPDATE_GOAL,
    UPDATE_KEY_RESULT,
    key_results_of,
    make_goal,
)
from tests.helpers import GraphQLClient, error_codes, make_center, make_person, token_for


async def _world(db: Database) -> tuple[str, str, Goal, Goal]:
    """A staff token, the center's id, the center's goal and another center's goal."""
    center = await make_center(db)
    other = await make_center(db)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    goal = await make_goal(db, created_by=staff, center=center, key_results=[(0, 10, 1)])
    stranger = await make_goal(db, created_by=staff, center=other, key_results=[(0, 5, 0)])
    return await token_for(db, staff), to_global_id("Center", center.id), goal, stranger


def _create(owner_id: str, **fields: Any) -> dict[str, Any]:
    values = {"ownerId": owner_id, "title": "A goal", "aim": "An aim", "startsOn": "2014-01-06"}
    return {"input": values | fields}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"title": "  "}, [("title", "REQUIRED")], id="blank-title"),
        pytest.param({"title": "x" * 201}, [("title", "TOO_LONG")], id="long-title"),
        pytest.param({"aim": ""}, [("aim", "REQUIRED")], id="blank-aim"),
        pytest.param({"aim": "a\x00b"}, [("aim", "INVALID")], id="control-character"),
        pytest.param({"confidence": 0}, [("confidence", "INVALID")], id="confidence-0"),
        pytest.param({"confidence": 11}, [("confidence", "INVALID")], id="confidence-11"),
        pytest.param({"dueOn": "2014-01-06"}, [("dueOn", "INVALID")], id="due-on-start"),
        pytest.param({"dueOn": "2013-12-31"}, [("dueOn", "INVALID")], id="due-before-start"),
        pytest.param({"dueOn": "2015-01-08"}, [("dueOn", "INVALID")], id="over-a-year"),
        pytest.param(
            {"keyResults": [{"title": "k", "startValue": 0, "targetValue": 1}] * 11},
            [("keyResults", "INVALID")],
            id="eleven-key-results",
        ),
        pytest.param(
            {
                "keyResults": [
                    {"title": "ok", "startValue": 0, "targetValue": 1},
                    {"title": "", "startValue": 0, "targetValue": 1, "unit": "u" * 33},
                ]
            },
            [("keyResults[1].title", "REQUIRED"), ("keyResults[1].unit", "TOO_LONG")],
            id="bad-key-result",
        ),
        pytest.param(
            {"title": "", "aim": "", "confidence": 42, "dueOn": "2013-01-01"},
            [
                ("title", "REQUIRED"),
                ("aim", "REQUIRED"),
                ("dueOn", "INVALID"),
                ("confidence", "INVALID"),
            ],
            id="everything-at-once",
        ),
    ],
)
async def test_create_goal_refuses_bad_fields(
    db: Database, client: GraphQLClient, fields: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    token, center_id, _goal, _other = await _world(db)
    before = await snapshot(db)
    data = await client.data(CREATE_GOAL, _create(center_id, **fields), token=token)
    assert data["createGoal"]["goal"] is None
    assert user_errors(data["createGoal"]) == expected
    assert await snapshot(db) == before


async def test_messages_say_what_is_wrong(db: Database, client: GraphQLClient) -> None:
    token, center_id, _goal, _other = await _world(db)
    data = await client.data(
        CREATE_GOAL, _create(center_id, dueOn="2014-01-01", confidence=0), token=token
    )
    messages = [error["message"] for error in data["createGoal"]["userErrors"]]
    assert messages == [
        "The due date (2014-01-01) must be after the start date (2014-01-06).",
        "Confidence must be from 1 to 10 (got 0).",
    ]


async def test_due_date_defaults_to_ninety_days(db: Database, client: GraphQLClient) -> None:
    token, center_id, _goal, _other = await _world(db)
    data = await client.data(CREATE_GOAL, _create(center_id), token=token)
    assert data["createGoal"]["userErrors"] == []
    assert data["createGoal"]["goal"]["dueOn"] == "2014-04-06"
    assert data["createGoal"]["goal"]["confidence"] == 5
    assert data["createGoal"]["goal"]["status"] == "ON_TRACK"
    assert data["createGoal"]["goal"]["progress"] is None


async def test_an_owner_that_does_not_exist_is_a_user_error(
    db: Database, client: GraphQLClient
) -> None:
    token, _center_id, _goal, _other = await _world(db)
    before = await snapshot(db)
    for owner_id in (to_global_id("Center", 9999), to_global_id("Person", 9999)):
        data = await client.data(CREATE_GOAL, _create(owner_id), token=token)
        assert user_errors(data["createGoal"]) == [("ownerId", "NOT_FOUND")]
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    "owner_id",
    [
        pytest.param(to_global_id("Membership", 1), id="membership-id"),
        pytest.param(to_global_id("Goal", 1), id="goal-id"),
        pytest.param("not an id", id="garbage"),
    ],
)
async def test_an_owner_of_the_wrong_type_is_bad_input(
    db: Database, client: GraphQLClient, owner_id: str
) -> None:
    token, _center_id, _goal, _other = await _world(db)
    body = await client.execute(CREATE_GOAL, _create(owner_id), token=token)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "ownerId"


def _check_in(goal: Goal, **fields: Any) -> dict[str, Any]:
    values = {
        "id": to_global_id("Goal", goal.id),
        "note": "Fine",
        "status": "ON_TRACK",
        "confidence": 7,
    }
    return {"input": values | fields}


async def test_check_in_refuses_bad_fields_all_at_once(db: Database, client: GraphQLClient) -> None:
    token, _center_id, goal, stranger = await _world(db)
    (own,) = await key_results_of(db, goal)
    (foreign,) = await key_results_of(db, stranger)
    before = await snapshot(db)
    data = await client.data(
        CHECK_IN,
        _check_in(
            goal,
            note=" ",
            status="DONE",
            confidence=0,
            keyResultValues=[
                {"keyResultId": to_global_id("KeyResult", own.id), "value": 3},
                {"keyResultId": to_global_id("KeyResult", foreign.id), "value": 3},
                {"keyResultId": to_global_id("KeyResult", 9999), "value": 3},
                {"keyResultId": to_global_id("KeyResult", own.id), "value": 4},
            ],
        ),
        token=token,
    )
    payload = data["checkInGoal"]
    assert (payload["checkIn"], payload["goal"]) == (None, None)
    assert user_errors(payload) == [
        ("note", "REQUIRED"),
        ("status", "INVALID"),
        ("confidence", "INVALID"),
        ("keyResultValues[1].keyResultId", "INVALID"),
        ("keyResultValues[2].keyResultId", "NOT_FOUND"),
        ("keyResultValues[3].keyResultId", "INVALID"),
    ]
    messages = {error["field"]: error["message"] for error in payload["userErrors"]}
    assert messages["status"].endswith("use closeGoal.")
    assert messages["keyResultValues[1].keyResultId"] == "This key result belongs to another goal."
    assert await snapshot(db) == before


async def test_a_key_result_id_of_the_wrong_type_is_bad_input(
    db: Database, client: GraphQLClient
) -> None:
    token, _center_id, goal, _other = await _world(db)
    body = await client.execute(
        CHECK_IN,
        _check_in(goal, keyResultValues=[{"keyResultId": to_global_id("Goal", 1), "value": 1}]),
        token=token,
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "keyResultValues[0].keyResultId"


@pytest.mark.parametrize("value", ["1e400", "-1e400"], ids=["infinity", "minus-infinity"])
async def test_non_finite_values_never_reach_the_database(
    db: Database, client: GraphQLClient, value: str
) -> None:
    token, _center_id, goal, _other = await _world(db)
    (own,) = await key_results_of(db, goal)
    before = await snapshot(db)
    body = (
        '{"query": "mutation($v: Float!) { checkInGoal(input: {id: \\"'
        + to_global_id("Goal", goal.id)
        + '\\", note: \\"n\\", status: ON_TRACK, confidence: 5, keyResultValues: [{keyResultId: \\"'
        + to_global_id("KeyResult", own.id)
        + '\\", value: $v}]}) { userErrors { field } } }", "variables": {"v": '
        + value
        + "}}"
    )
    response = await client.http.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code < 500
    assert "errors" in response.json()
    assert await snapshot(db) == before


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
async def test_the_service_refuses_non_finite_numbers(db: Database, number: float) -> None:
    center = await make_center(db)
    member = await make_person(db, PersonKind.CLINICIAN, center=center, role=CenterRole.CLINICIAN)
    viewer = await viewer_for_token(db, await token_for(db, member))
    goal = await make_goal(db, created_by=member, center=center, key_results=[(0, 10, 1)])
    (own,) = await key_results_of(db, goal)
    with pytest.raises(InvalidInput) as refused:
        await service.check_in_goal(
            db,
            viewer,
            service.CheckInDraft(
                goal.id,
                "n",
                GoalStatus.ON_TRACK,
                5,
                (service.KeyResultValue(own.id, number),),
            ),
        )
    assert [error.field for error in refused.value.errors] == ["keyResultValues[0].value"]
    with pytest.raises(InvalidInput) as refused:
        await service.create_goal(
            db,
            viewer,
            service.GoalDraft(
                owner=service.Owner(center_id=center.id),
                title="t",
                aim="a",
                starts_on=date(2014, 1, 6),
                key_results=(service.KeyResultDraft("k", number, 1, number),),
            ),
        )
    assert [error.field for error in refused.value.errors] == [
        "keyResults[0].startValue",
        "keyResults[0].currentValue",
    ]


async def test_update_and_close_refuse_bad_fields(db: Database, client: GraphQLClient) -> None:
    token, _center_id, goal, _other = await _world(db)
    goal_id = to_global_id("Goal", goal.id)
    before = await snapshot(db)
    update = await client.data(
        UPDATE_GOAL, {"input": {"id": goal_id, "dueOn": "2013-12-01", "title": ""}}, token=token
    )
    assert user_errors(update["updateGoal"]) == [("title", "REQUIRED"), ("dueOn", "INVALID")]
    close = await client.data(
        CLOSE_GOAL, {"input": {"id": goal_id, "outcome": "DONE", "reflection": ""}}, token=token
    )
    assert user_errors(close["closeGoal"]) == [("reflection", "REQUIRED")]
    add = await client.data(
        ADD_KEY_RESULT,
        {"input": {"goalId": goal_id, "title": "", "startValue": 0, "targetValue": 1}},
        token=token,
    )
    assert user_errors(add["addKeyResult"]) == [("title", "REQUIRED")]
    assert await snapshot(db) == before


async def test_moving_the_start_keeps_the_due_date_checked(
    db: Database, client: GraphQLClient
) -> None:
    token, _center_id, goal, _other = await _world(db)
    data = await client.data(
        UPDATE_GOAL,
        {"input": {"id": to_global_id("Goal", goal.id), "startsOn": "2014-05-01"}},
        token=token,
    )
    assert user_errors(data["updateGoal"]) == [("dueOn", "INVALID")]
    moved = await client.data(
        UPDATE_GOAL,
        {
            "input": {
                "id": to_global_id("Goal", goal.id),
                "startsOn": "2014-05-01",
                "dueOn": "2014-07-30",
            }
        },
        token=token,
    )
    assert moved["updateGoal"]["userErrors"] == []
    assert (moved["updateGoal"]["goal"]["startsOn"], moved["updateGoal"]["goal"]["dueOn"]) == (
        "2014-05-01",
        "2014-07-30",
    )


@pytest.mark.parametrize(
    ("query", "variables", "code", "field"),
    [
        pytest.param(
            UPDATE_GOAL,
            {"input": {"id": to_global_id("Goal", 9999), "title": "x"}},
            "NOT_FOUND",
            "id",
            id="update-missing-goal",
        ),
        pytest.param(
            UPDATE_GOAL,
            {"input": {"id": to_global_id("Center", 1), "title": "x"}},
            "BAD_USER_INPUT",
            "id",
            id="update-center-id",
        ),
        pytest.param(
            UPDATE_KEY_RESULT,
            {"input": {"id": to_global_id("KeyResult", 9999), "title": "x"}},
            "NOT_FOUND",
            "id",
            id="missing-key-result",
        ),
        pytest.param(
            CLOSE_GOAL,
            {
                "input": {
                    "id": to_global_id("Goal", 9999),
                    "outcome": "DONE",
                    "reflection": "r",
                }
            },
            "NOT_FOUND",
            "id",
            id="close-missing-goal",
        ),
    ],
)
async def test_missing_or_mistyped_ids_are_graphql_errors(
    db: Database,
    client: GraphQLClient,
    query: str,
    variables: dict[str, Any],
    code: str,
    field: str,
) -> None:
    token, _center_id, _goal, _other = await _world(db)
    body = await client.execute(query, variables, token=token)
    assert error_codes(body) == [code]
    assert body["errors"][0]["extensions"]["field"] == field


@pytest.mark.parametrize(
    "query",
    [
        "{ goals(first: 101) { totalCount } }",
        "{ goals(first: -1) { totalCount } }",
        '{ goals(after: "nope") { totalCount } }',
        "{ goals { nodes { checkIns(first: 500) { totalCount } } } }",
        "{ centers { nodes { goals(first: 101) { totalCount } } } }",
        '{ goals(filter: {ownerId: "nope"}) { totalCount } }',
    ],
)
async def test_bad_listing_arguments_are_bad_input(
    db: Database, client: GraphQLClient, query: str
) -> None:
    token, _center_id, _goal, _other = await _world(db)
    body = await client.execute(query, token=token)
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}, body
