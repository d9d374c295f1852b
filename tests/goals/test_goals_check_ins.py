"""Check-ins move a goal and its key results together, and the history reads newest first;
closing records the reflection as the final check-in; archived and closed goals are read-only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from icn_graph.db.database import Database
from icn_graph.events import Event, FieldChange, SubjectRef
from icn_graph.models import CenterRole, GoalStatus, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.services import goals as service
from icn_graph.services.goals.events import (
    GoalCheckedIn,
    GoalClosed,
    GoalCreated,
    GoalUpdated,
    KeyResultUpdated,
)
from icn_graph.services.tokens import viewer_for_token
from icn_graph.testing import snapshot, user_errors
from tests.goal_helpers import (
    ADD_KEY_RESULT,
    ARCHIVE_GOAL,
    CHECK_IN,
    CLOSE_GOAL,
    UPDATE_GOAL,
    UPDATE_KEY_RESULT,
    check_ins_of,
    key_results_of,
    make_goal,
    reload,
)
from tests.helpers import GraphQLClient, make_center, make_person, token_for

HISTORY = """
query($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Goal {
      status confidence
      checkIns(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor node { note status confidence author { displayName }
          keyResultValues { value keyResult { title } } } }
      }
    }
  }
}
"""


async def _setup(db: Database) -> tuple[Any, Any, str]:
    center = await make_center(db)
    lead = await make_person(
        db, PersonKind.QI_LEAD, center=center, role=CenterRole.QI_LEAD, display_name="Quinn Lead"
    )
    goal = await make_goal(
        db, created_by=lead, center=center, key_results=[(70, 80, 70), (30, 7, 30)]
    )
    return goal, lead, await token_for(db, lead)


async def _check_in(
    client: GraphQLClient,
    token: str,
    goal_id: int,
    note: str,
    status: str,
    confidence: int,
    values: Sequence[tuple[int, float]],
) -> dict[str, Any]:
    data = await client.data(
        CHECK_IN,
        {
            "input": {
                "id": to_global_id("Goal", goal_id),
                "note": note,
                "status": status,
                "confidence": confidence,
                "keyResultValues": [
                    {"keyResultId": to_global_id("KeyResult", key_result_id), "value": value}
                    for key_result_id, value in values
                ],
            }
        },
        token=token,
    )
    payload: dict[str, Any] = data["checkInGoal"]
    return payload


async def test_a_check_in_moves_the_goal_and_its_key_results(
    db: Database, client: GraphQLClient
) -> None:
    goal, _lead, token = await _setup(db)
    remission, days = await key_results_of(db, goal)

    payload = await _check_in(
        client, token, goal.id, "Pre-visit planning is sticking", "AT_RISK", 4, [(remission.id, 75)]
    )

    assert payload["userErrors"] == []
    assert payload["checkIn"]["note"] == "Pre-visit planning is sticking"
    assert payload["checkIn"]["author"] == {"displayName": "Quinn Lead"}
    # Every key result's value at that time, the untouched one included.
    assert payload["checkIn"]["keyResultValues"] == [
        {"value": 75.0, "keyResult": {"title": "Key result 1"}},
        {"value": 30.0, "keyResult": {"title": "Key result 2"}},
    ]
    returned = payload["goal"]
    assert (returned["status"], returned["confidence"]) == ("AT_RISK", 4)
    assert [kr["currentValue"] for kr in returned["keyResults"]] == [75.0, 30.0]
    assert returned["progress"] == 25.0  # (50 + 0) / 2
    assert returned["updatedBy"] == {"displayName": "Quinn Lead"}

    stored = await reload(db, goal)
    assert (stored.status, stored.confidence) == (GoalStatus.AT_RISK, 4)
    assert [kr.current_value for kr in await key_results_of(db, goal)] == [75, 30]
    assert days.current_value == 30


async def test_history_is_newest_first_and_pages_by_cursor(
    db: Database, client: GraphQLClient
) -> None:
    goal, _lead, token = await _setup(db)
    remission, days = await key_results_of(db, goal)
    steps = [
        ("First", "ON_TRACK", 7, [(remission.id, 72)]),
        ("Second", "AT_RISK", 5, [(days.id, 25)]),
        ("Third", "OFF_TRACK", 3, []),
        ("Fourth", "ON_TRACK", 8, [(remission.id, 78), (days.id, 10)]),
    ]
    for note, status, confidence, values in steps:
        assert (await _check_in(client, token, goal.id, note, status, confidence, values))[
            "userErrors"
        ] == []

    goal_id = to_global_id("Goal", goal.id)
    first = (await client.data(HISTORY, {"id": goal_id, "first": 3}, token=token))["node"]
    assert (first["status"], first["confidence"]) == ("ON_TRACK", 8)
    history = first["checkIns"]
    assert history["totalCount"] == 4
    assert [edge["node"]["note"] for edge in history["edges"]] == ["Fourth", "Third", "Second"]
    assert history["pageInfo"]["hasNextPage"] is True
    # The values each check-in recorded stay as they were then.
    assert [
        [value["value"] for value in edge["node"]["keyResultValues"]] for edge in history["edges"]
    ] == [[78.0, 10.0], [72.0, 25.0], [72.0, 25.0]]

    after = history["pageInfo"]["endCursor"]
    rest = (await client.data(HISTORY, {"id": goal_id, "first": 3, "after": after}, token=token))[
        "node"
    ]["checkIns"]
    assert [edge["node"]["note"] for edge in rest["edges"]] == ["First"]
    assert rest["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": rest["edges"][0]["cursor"],
    }
    assert rest["totalCount"] == 4
    assert rest["edges"][0]["node"]["keyResultValues"][0]["value"] == 72.0


async def test_close_records_the_reflection_as_the_last_check_in(
    db: Database, client: GraphQLClient
) -> None:
    goal, _lead, token = await _setup(db)
    await _check_in(client, token, goal.id, "Going well", "ON_TRACK", 9, [])
    goal_id = to_global_id("Goal", goal.id)

    data = await client.data(
        CLOSE_GOAL,
        {"input": {"id": goal_id, "outcome": "DROPPED", "reflection": "Too broad for 90 days"}},
        token=token,
    )
    payload = data["closeGoal"]
    assert payload["userErrors"] == []
    assert payload["checkIn"]["note"] == "Too broad for 90 days"
    assert payload["checkIn"]["status"] == "DROPPED"
    assert payload["checkIn"]["confidence"] == 9  # the confidence stays as last reported
    assert payload["goal"]["status"] == "DROPPED"
    assert payload["goal"]["closedAt"] is not None

    history = (await client.data(HISTORY, {"id": goal_id}, token=token))["node"]["checkIns"]
    assert [edge["node"]["note"] for edge in history["edges"]] == [
        "Too broad for 90 days",
        "Going well",
    ]


async def test_a_closed_goal_takes_no_more_check_ins_or_changes(
    db: Database, client: GraphQLClient
) -> None:
    goal, _lead, token = await _setup(db)
    goal_id = to_global_id("Goal", goal.id)
    key_result_id = to_global_id("KeyResult", (await key_results_of(db, goal))[0].id)
    closed = await client.data(
        CLOSE_GOAL,
        {"input": {"id": goal_id, "outcome": "DONE", "reflection": "Made it"}},
        token=token,
    )
    assert closed["closeGoal"]["userErrors"] == []
    before = await snapshot(db)

    attempts = [
        (CHECK_IN, "checkInGoal", _input(goal_id, note="Late news"), "id"),
        (
            CLOSE_GOAL,
            "closeGoal",
            {"input": {"id": goal_id, "outcome": "DROPPED", "reflection": "Again"}},
            "id",
        ),
        (UPDATE_GOAL, "updateGoal", {"input": {"id": goal_id, "title": "New"}}, "id"),
        (
            ADD_KEY_RESULT,
            "addKeyResult",
            {"input": {"goalId": goal_id, "title": "X", "startValue": 0, "targetValue": 1}},
            "goalId",
        ),
        (
            UPDATE_KEY_RESULT,
            "updateKeyResult",
            {"input": {"id": key_result_id, "title": "Y"}},
            "id",
        ),
    ]
    for query, name, variables, field in attempts:
        payload = (await client.data(query, variables, token=token))[name]
        assert user_errors(payload) == [(field, "INVALID")], name
        assert "closed (DONE)" in payload["userErrors"][0]["message"]
    assert await snapshot(db) == before

    # Archiving a closed goal is how it leaves the listings.
    archived = await client.data(ARCHIVE_GOAL, {"input": {"id": goal_id}}, token=token)
    assert archived["archiveGoal"]["userErrors"] == []


def _input(goal_id: str, **fields: Any) -> dict[str, Any]:
    values = {"id": goal_id, "note": "Fine", "status": "ON_TRACK", "confidence": 7}
    return {"input": values | fields}


async def test_an_archived_goal_is_read_only_and_hidden(
    db: Database, client: GraphQLClient
) -> None:
    goal, _lead, token = await _setup(db)
    goal_id = to_global_id("Goal", goal.id)
    payload = (await client.data(ARCHIVE_GOAL, {"input": {"id": goal_id}}, token=token))[
        "archiveGoal"
    ]
    assert payload["userErrors"] == []
    assert payload["goal"]["archivedAt"] is not None

    again = (await client.data(ARCHIVE_GOAL, {"input": {"id": goal_id}}, token=token))[
        "archiveGoal"
    ]
    assert again["userErrors"] == [
        {"field": "id", "message": "This goal is already archived.", "code": "INVALID"}
    ]
    refused = (await client.data(CHECK_IN, _input(goal_id), token=token))["checkInGoal"]
    assert refused["userErrors"][0]["message"] == (
        "This goal is archived; archived goals are read-only."
    )
    listed = await client.data(
        "{ goals { totalCount } all: goals(filter: {includeArchived: true}) { totalCount } }",
        token=token,
    )
    assert listed == {"goals": {"totalCount": 0}, "all": {"totalCount": 1}}
    # Still there, never deleted: node finds it.
    node = await client.data(
        "query($id: ID!) { node(id: $id) { id } }", {"id": goal_id}, token=token
    )
    assert node["node"] == {"id": goal_id}


async def test_key_results_are_added_in_order_and_edited(
    db: Database, client: GraphQLClient
) -> None:
    goal, _lead, token = await _setup(db)
    goal_id = to_global_id("Goal", goal.id)
    added = (
        await client.data(
            ADD_KEY_RESULT,
            {
                "input": {
                    "goalId": goal_id,
                    "title": "Families on the council",
                    "startValue": 1,
                    "targetValue": 6,
                    "currentValue": 2,
                    "unit": "families",
                }
            },
            token=token,
        )
    )["addKeyResult"]
    assert added["userErrors"] == []
    assert added["keyResult"] == {
        "id": added["keyResult"]["id"],
        "title": "Families on the council",
        "unit": "families",
        "startValue": 1.0,
        "targetValue": 6.0,
        "currentValue": 2.0,
        "progress": 20.0,
    }
    assert [kr["title"] for kr in added["goal"]["keyResults"]] == [
        "Key result 1",
        "Key result 2",
        "Families on the council",
    ]
    updated = (
        await client.data(
            UPDATE_KEY_RESULT,
            {"input": {"id": added["keyResult"]["id"], "targetValue": 3, "unit": ""}},
            token=token,
        )
    )["updateKeyResult"]
    assert updated["userErrors"] == []
    assert updated["keyResult"]["unit"] is None
    assert updated["keyResult"]["progress"] == 50.0
    assert updated["keyResult"]["title"] == "Families on the council"


async def test_every_change_records_an_event(db: Database) -> None:
    center = await make_center(db)
    partner = await make_person(
        db, PersonKind.PARENT_PARTNER, center=center, role=CenterRole.PARENT_PARTNER
    )
    viewer = await viewer_for_token(db, await token_for(db, partner))
    seen: list[Event] = []
    previous_sink = db.event_sink
    db.event_sink = seen.extend
    try:
        goal = await service.create_goal(
            db,
            viewer,
            service.GoalDraft(
                owner=service.Owner(center_id=center.id),
                title="Families at the table",
                aim="A parent at every QI meeting",
                starts_on=date(2014, 1, 6),
                key_results=(service.KeyResultDraft("Meetings", 0, 4),),
            ),
        )
        await service.update_goal(db, viewer, goal.id, service.GoalChanges(title="Families first"))
        # Changing nothing records nothing.
        await service.update_goal(db, viewer, goal.id, service.GoalChanges(title="Families first"))
        change = await service.add_key_result(
            db, viewer, goal.id, service.KeyResultDraft("Parents", 0, 3)
        )
        await service.update_key_result(
            db, viewer, change.key_result.id, service.KeyResultChanges(target_value=5)
        )
        result = await service.check_in_goal(
            db,
            viewer,
            service.CheckInDraft(
                goal_id=goal.id,
                note="Two meetings so far",
                status=GoalStatus.ON_TRACK,
                confidence=8,
                values=(service.KeyResultValue(change.key_result.id, 2),),
            ),
        )
        closing = await service.close_goal(
            db, viewer, service.CloseDraft(goal.id, service.GoalOutcome.DONE, "It worked")
        )
        await service.archive_goal(db, viewer, goal.id)
    finally:
        db.event_sink = previous_sink

    goal_gid = to_global_id("Goal", goal.id)
    key_result_gid = to_global_id("KeyResult", change.key_result.id)
    assert [(event.type, event.subject_id) for event in seen] == [
        ("goal.created", goal_gid),
        ("goal.updated", goal_gid),
        ("key_result.added", key_result_gid),
        ("key_result.updated", key_result_gid),
        ("goal.checked_in", goal_gid),
        ("goal.closed", goal_gid),
        ("goal.archived", goal_gid),
    ]
    assert {event.actor_id for event in seen} == {to_global_id("Person", partner.id)}
    refs = {
        "goal": SubjectRef("Goal", goal.id),
        "owner": SubjectRef("Center", center.id),
    }
    assert seen[0].data == GoalCreated(**refs, title="Families at the table", key_results=1)
    assert seen[1].data == GoalUpdated(
        **refs,
        title="Families first",
        changes=(FieldChange("title", "Families at the table", "Families first"),),
    )
    assert seen[3].data == KeyResultUpdated(
        key_result=SubjectRef("KeyResult", change.key_result.id),
        title="Parents",
        goal_title="Families first",
        **refs,
        changes=(FieldChange("targetValue", 3.0, 5.0),),
    )
    assert seen[4].data == GoalCheckedIn(
        **refs,
        title="Families first",
        check_in=SubjectRef("CheckIn", result.check_in.id),
        status=GoalStatus.ON_TRACK,
        confidence=8,
        note="Two meetings so far",
    )
    assert seen[5].data == GoalClosed(
        **refs,
        title="Families first",
        check_in=SubjectRef("CheckIn", closing.check_in.id),
        outcome=GoalStatus.DONE,
        reflection="It worked",
    )
    assert len(await check_ins_of(db, goal)) == 2
