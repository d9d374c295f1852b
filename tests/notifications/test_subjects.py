"""describe_subject: a subject's title, what contains it and its center, for fan-out and mail;
None for anything that is not (or no longer) a subject."""

from __future__ import annotations

from urllib.parse import unquote

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import CheckIn, GoalStatus, KeyResult, Membership, PersonKind
from icn_graph.notifications.subjects import SubjectInfo, describe_subject
from icn_graph.testing import make_person
from tests.outbox_helpers import create_goal, make_team


async def _describe(db: Database, subject_id: str) -> SubjectInfo | None:
    async with db.session() as session:
        return await describe_subject(session, subject_id)


async def test_a_goal_and_what_it_holds_belong_to_its_center(db: Database) -> None:
    team = await make_team(db)
    goal = await create_goal(db, team.lead, team.center)
    goal_id, center_id = to_global_id("Goal", goal.id), to_global_id("Center", team.center.id)
    async with db.transaction() as session:
        check_in = CheckIn(
            goal_id=goal.id,
            author_id=team.lead.id,
            note="n",
            status=GoalStatus.ON_TRACK,
            confidence=5,
        )
        session.add(check_in)
        await session.flush()
        key_result = await session.scalar(select(KeyResult.id).where(KeyResult.goal_id == goal.id))
    described = await _describe(db, goal_id)
    assert described == SubjectInfo(
        goal_id, "Goal", "Families at the table", center_id=team.center.id, ancestors=[center_id]
    )
    assert described.label == "goal"
    assert goal_id in unquote(described.path)
    key_result_info = await _describe(db, to_global_id("KeyResult", key_result or 0))
    assert key_result_info is not None
    assert (key_result_info.title, key_result_info.ancestors) == ("Meetings", [goal_id, center_id])
    check_in_info = await _describe(db, to_global_id("CheckIn", check_in.id))
    assert check_in_info is not None
    assert check_in_info.title == "Check-in on 'Families at the table'"
    assert check_in_info.center_id == team.center.id


async def test_a_membership_and_a_person(db: Database) -> None:
    team = await make_team(db)
    async with db.session() as session:
        membership = await session.scalar(
            select(Membership.id).where(Membership.person_id == team.parent.id)
        )
    info = await _describe(db, to_global_id("Membership", membership or 0))
    assert info is not None
    assert info.title == f"{team.parent.display_name} on the {team.center.name} team"
    assert info.ancestors == [to_global_id("Center", team.center.id)]
    person = await make_person(db, PersonKind.PATIENT_PARTNER, display_name="Sam Rivera")
    person_info = await _describe(db, to_global_id("Person", person.id))
    assert person_info is not None
    assert (person_info.title, person_info.ancestors, person_info.center_id) == (
        "Sam Rivera",
        [],
        None,
    )


async def test_garbage_unknown_types_and_deleted_rows_are_no_subject(db: Database) -> None:
    assert await _describe(db, "not an id") is None
    assert await _describe(db, to_global_id("Spaceship", 1)) is None
    assert await _describe(db, to_global_id("Goal", 999_999)) is None
