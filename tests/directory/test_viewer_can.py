"""Every ``viewerCan…`` boolean tells the truth: where it is true the action runs, where it is
false the action is refused. Each case reads the boolean, then tries the mutation as the same
viewer, so the boolean cannot drift from the service's rule."""

from __future__ import annotations

from typing import Any

from icn_graph.db.database import Database
from icn_graph.ids import parse_global_id, to_global_id
from icn_graph.models import CenterRole, GoalStatus, LearningSessionStatus, NetworkRole, PersonKind
from icn_graph.testing import GraphQLClient, make_center, make_person, token_for
from tests.goal_helpers import CHECK_IN, make_goal
from tests.helpers import error_codes
from tests.learning_sessions.test_learning_sessions_factories import (
    REGISTER,
    UPDATE_ITEM,
    make_item,
    make_session,
)
from tests.reports.test_import_visits_graphql import GOOD, upload

UPDATE_CENTER = """
mutation($input: UpdateCenterInput!) {
  updateCenter(input: $input) { center { city } userErrors { field code } }
}"""
UPDATE_SESSION = """
mutation($input: UpdateLearningSessionInput!) {
  updateLearningSession(input: $input) { learningSession { venue } userErrors { field code } }
}"""


async def _can(client: GraphQLClient, node_id: str, field: str, token: str) -> bool:
    """``field`` of the node ``node_id`` (its type named by the ID), as ``token`` reads it."""
    type_name, _ = parse_global_id(node_id)
    data = await client.data(
        f"query($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ {field} }} }} }}",
        {"id": node_id},
        token=token,
    )
    value = data["node"][field]
    assert isinstance(value, bool)
    return value


def _outcome(body: dict[str, Any], mutation: str) -> str:
    """``ok``, a top-level error code, or the first userError's code."""
    if "errors" in body:
        return error_codes(body)[0]
    problems = body["data"][mutation]["userErrors"]
    return problems[0]["code"] if problems else "ok"


async def test_center_viewer_can_edit_and_import(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db)
    staff = await token_for(
        db, await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    )
    manager = await token_for(
        db, await make_person(db, center=center, role=CenterRole.DATA_MANAGER)
    )
    clinician = await token_for(db, await make_person(db, center=center, role=CenterRole.CLINICIAN))
    center_id = to_global_id("Center", center.id)

    for token, can_edit in ((staff, True), (manager, False), (clinician, False)):
        assert await _can(client, center_id, "viewerCanEdit", token) is can_edit
        body = await client.execute(
            UPDATE_CENTER, {"input": {"id": center_id, "city": "Dayton"}}, token=token
        )
        assert _outcome(body, "updateCenter") == ("ok" if can_edit else "FORBIDDEN")

    for token, can_import in ((staff, False), (manager, True), (clinician, False)):
        assert await _can(client, center_id, "viewerCanImport", token) is can_import
        response = await upload(client, center, GOOD.encode(), token=token)
        assert _outcome(response.json(), "importVisits") == ("ok" if can_import else "FORBIDDEN")


async def test_learning_session_viewer_can_register_and_edit(
    db: Database, client: GraphQLClient
) -> None:
    open_session = await make_session(db, status=LearningSessionStatus.REGISTRATION_OPEN)
    running = await make_session(db, year=2015, status=LearningSessionStatus.IN_PROGRESS)
    staff = await token_for(
        db, await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    )
    member = await token_for(db, await make_person(db))

    for session, token, can_register in (
        (open_session, member, True),
        (running, member, False),
        (running, staff, True),
    ):
        session_id = to_global_id("LearningSession", session.id)
        assert await _can(client, session_id, "viewerCanRegister", token) is can_register
        body = await client.execute(
            REGISTER, {"input": {"learningSessionId": session_id}}, token=token
        )
        assert _outcome(body, "register") == ("ok" if can_register else "INVALID")

    session_id = to_global_id("LearningSession", open_session.id)
    for token, can_edit in ((staff, True), (member, False)):
        assert await _can(client, session_id, "viewerCanEdit", token) is can_edit
        body = await client.execute(
            UPDATE_SESSION, {"input": {"id": session_id, "venue": "Elsewhere"}}, token=token
        )
        assert _outcome(body, "updateLearningSession") == ("ok" if can_edit else "FORBIDDEN")


async def test_agenda_item_viewer_can_edit(db: Database, client: GraphQLClient) -> None:
    session = await make_session(db)
    item = await make_item(db, session, "Parent panel", "2014-04-04 10:00", "2014-04-04 11:00")
    staff = await token_for(
        db, await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    )
    member = await token_for(db, await make_person(db))
    item_id = to_global_id("AgendaItem", item.id)

    for token, can_edit in ((staff, True), (member, False)):
        assert await _can(client, item_id, "viewerCanEdit", token) is can_edit
        body = await client.execute(
            UPDATE_ITEM, {"input": {"id": item_id, "title": "Parents' panel"}}, token=token
        )
        assert _outcome(body, "updateAgendaItem") == ("ok" if can_edit else "FORBIDDEN")


async def test_goal_viewer_can_check_in(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db)
    teammate = await make_person(db, center=center, role=CenterRole.CLINICIAN)
    outsider = await make_person(db, center=await make_center(db), role=CenterRole.CLINICIAN)
    open_goal = await make_goal(db, created_by=teammate, center=center)
    closed_goal = await make_goal(db, created_by=teammate, center=center, status=GoalStatus.DONE)
    archived = await make_goal(db, created_by=teammate, center=center, archived=True)
    team, other = await token_for(db, teammate), await token_for(db, outsider)

    for goal, token, can_check_in, refusal in (
        (open_goal, team, True, None),
        (open_goal, other, False, "FORBIDDEN"),
        (closed_goal, team, False, "INVALID"),
        (archived, team, False, "INVALID"),
    ):
        goal_id = to_global_id("Goal", goal.id)
        assert await _can(client, goal_id, "viewerCanCheckIn", token) is can_check_in
        check_in = {"id": goal_id, "note": "Going well", "status": "ON_TRACK", "confidence": 7}
        body = await client.execute(CHECK_IN, {"input": check_in}, token=token)
        assert _outcome(body, "checkInGoal") == ("ok" if can_check_in else refusal)
