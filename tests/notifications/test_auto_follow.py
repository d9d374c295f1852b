"""People follow what they create, are assigned to, or belong to, without asking; automatic
follows never overwrite their own choices, and leaving removes only what joining added."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.events import Event, SubjectRef
from icn_graph.events.dispatcher import OutboxDispatcher
from icn_graph.ids import to_global_id
from icn_graph.models import (
    AgendaItemKind,
    AgendaPart,
    CenterRole,
    LearningSessionStatus,
    NetworkRole,
    PersonKind,
    Season,
)
from icn_graph.notifications.auto_follow import (
    follow_automatically,
    follow_automatically_all,
)
from icn_graph.notifications.models import Follow, FollowLevel, FollowReason
from icn_graph.plugins.manager import PluginHost
from icn_graph.services import memberships
from icn_graph.services.directory_events import MembershipAdded, MembershipRemoved
from icn_graph.services.goals.events import GoalCreated
from icn_graph.services.learning_sessions import agenda, registrations, sessions
from icn_graph.testing import GraphQLClient, make_center, make_person, token_for
from tests.outbox_helpers import (
    check_in,
    create_goal,
    dispatching,
    follow,
    follows,
    make_team,
    viewer_of,
)

W, N, M = FollowLevel.WATCHING, FollowLevel.NORMAL, FollowLevel.MUTED
HOUR = timedelta(hours=1)


@pytest.fixture
async def dispatcher(
    db: Database, settings: Settings, plugin_host: PluginHost
) -> AsyncIterator[OutboxDispatcher]:
    async with dispatching(db, settings, plugin_host) as outbox_dispatcher:
        yield outbox_dispatcher


CREATE_GOAL = """
mutation ($input: CreateGoalInput!) {
  createGoal(input: $input) {
    goal { id viewerIsFollowing viewerFollowLevel }
    userErrors { field message }
  }
}
"""


async def test_follows_are_made_in_the_transaction_that_records_the_event(db: Database) -> None:
    assert db.event_sink is None  # nothing is dispatched after the commit: no consumer runs
    team = await make_team(db)
    goal = await create_goal(db, team.lead, team.center)
    goal_id = to_global_id("Goal", goal.id)
    assert await follows(db) == {(team.lead.id, goal_id, W, FollowReason.CREATED)}


async def test_the_answer_to_create_goal_shows_its_creator_watching_it(
    db: Database, client: GraphQLClient
) -> None:
    team = await make_team(db)
    goal_input = {
        "ownerId": to_global_id("Center", team.center.id),
        "title": "Families at the table",
        "aim": "A parent at every QI meeting",
        "startsOn": "2014-01-06",
    }
    data = await client.data(
        CREATE_GOAL, {"input": goal_input}, token=await token_for(db, team.lead)
    )
    assert data["createGoal"]["userErrors"] == []
    goal = data["createGoal"]["goal"]
    assert (goal["viewerIsFollowing"], goal["viewerFollowLevel"]) == (True, "WATCHING")


async def test_the_creator_watches_a_goal(db: Database, dispatcher: OutboxDispatcher) -> None:
    team = await make_team(db)
    goal = await create_goal(db, team.lead, team.center)
    await dispatcher.drain()
    goal_id = to_global_id("Goal", goal.id)
    assert await follows(db) == {(team.lead.id, goal_id, W, FollowReason.CREATED)}


async def test_checking_in_follows_the_goal_but_never_unmutes_it(
    db: Database, dispatcher: OutboxDispatcher
) -> None:
    team = await make_team(db)
    goal = await create_goal(db, team.lead, team.center)
    goal_id = to_global_id("Goal", goal.id)
    await follow(db, team.parent, goal_id, M)
    for person in (team.clinician, team.parent, team.lead, team.clinician):
        await check_in(db, person, goal)
    await dispatcher.drain()
    assert await follows(db) == {
        (team.lead.id, goal_id, W, FollowReason.CREATED),  # not downgraded
        (team.clinician.id, goal_id, N, FollowReason.CONTRIBUTED),
        (team.parent.id, goal_id, M, FollowReason.MANUAL),  # their choice stands
    }


async def test_joining_a_team_follows_the_center_and_leaving_unfollows_it(
    db: Database, dispatcher: OutboxDispatcher
) -> None:
    center = await make_center(db)
    other = await make_center(db)
    staff = await viewer_of(db, await make_person(db, network_role=NetworkRole.STAFF))
    nurse = await make_person(db, PersonKind.NURSE)
    joined = [
        await memberships.add_membership(
            db, staff, memberships.MembershipDraft(nurse.id, place.id, CenterRole.NURSE)
        )
        for place in (center, other)
    ]
    await dispatcher.drain()
    center_id, other_id = to_global_id("Center", center.id), to_global_id("Center", other.id)
    assert await follows(db) == {
        (nurse.id, center_id, N, FollowReason.MEMBER),
        (nurse.id, other_id, N, FollowReason.MEMBER),
    }
    # The nurse chose to watch the second center: leaving it keeps their own choice.
    async with db.transaction() as session:
        await session.execute(
            update(Follow)
            .where(Follow.subject_id == other_id)
            .values(level=W, reason=FollowReason.MANUAL)
        )
    for membership in joined:
        await memberships.remove_membership(db, staff, membership.id)
    await dispatcher.drain()
    assert await follows(db) == {(nurse.id, other_id, W, FollowReason.MANUAL)}


async def test_learning_session_planners_speakers_and_registrants_follow(
    db: Database, dispatcher: OutboxDispatcher
) -> None:
    planner = await make_person(db, network_role=NetworkRole.STAFF)
    staff = await viewer_of(db, planner)
    speaker = await make_person(db, PersonKind.PARENT_PARTNER)
    muted_speaker = await make_person(db, PersonKind.PATIENT_PARTNER)
    attendee = await make_person(db)
    row = await sessions.create_learning_session(
        db,
        staff,
        sessions.LearningSessionDraft(
            season=Season.SPRING,
            year=2014,
            starts_on=date(2014, 4, 3),
            ends_on=date(2014, 4, 4),
            venue="Chicago",
            timezone="America/Chicago",
            status=LearningSessionStatus.REGISTRATION_OPEN,
        ),
    )
    item = await agenda.add_agenda_item(
        db,
        staff,
        agenda.AgendaItemDraft(
            session_id=row.id,
            title="Parent panel",
            kind=AgendaItemKind.PANEL,
            starts_at=datetime(2014, 4, 4, 10),
            ends_at=datetime(2014, 4, 4, 11),
        ),
    )
    session_id, item_id = (
        to_global_id("LearningSession", row.id),
        to_global_id("AgendaItem", item.id),
    )
    await follow(db, muted_speaker, item_id, M)  # their own choice wins over an assignment
    for person in (speaker, muted_speaker):
        await agenda.assign_to_agenda_item(
            db, staff, agenda.AssignmentDraft(item.id, person.id, AgendaPart.PANELIST)
        )
    registration = await registrations.register(
        db, await viewer_of(db, attendee), registrations.RegistrationDraft(row.id)
    )
    await dispatcher.drain()
    assert await follows(db) == {
        (planner.id, session_id, W, FollowReason.CREATED),
        (planner.id, item_id, W, FollowReason.CREATED),
        (speaker.id, item_id, N, FollowReason.ASSIGNED),
        (muted_speaker.id, item_id, M, FollowReason.MANUAL),
        (attendee.id, session_id, N, FollowReason.MEMBER),
    }

    await agenda.unassign_from_agenda_item(db, staff, item.id, speaker.id)
    await agenda.unassign_from_agenda_item(db, staff, item.id, muted_speaker.id)
    await registrations.cancel_registration(db, await viewer_of(db, attendee), registration.id)
    await dispatcher.drain()
    assert await follows(db) == {
        (planner.id, session_id, W, FollowReason.CREATED),
        (planner.id, item_id, W, FollowReason.CREATED),
        (muted_speaker.id, item_id, M, FollowReason.MANUAL),
    }


async def test_a_person_goal_is_followed_by_its_owner(db: Database) -> None:
    team = await make_team(db)
    goal_id = to_global_id("Goal", 7)
    created = GoalCreated(
        goal=SubjectRef("Goal", 7),
        title="Sleep better",
        owner=SubjectRef("Person", team.parent.id),
        key_results=0,
    )
    event = Event.of(created, actor_id=team.lead.id, id=1)
    for _twice in range(2):  # handling an event again changes nothing
        async with db.transaction() as session:
            await follow_automatically(session, event)
    assert await follows(db) == {
        (team.lead.id, goal_id, W, FollowReason.CREATED),
        (team.parent.id, goal_id, W, FollowReason.ASSIGNED),
    }


def _membership_event(event_id: int, type: str, person: int, center: int, at: datetime) -> Event:
    kind = MembershipAdded if type == "membership.added" else MembershipRemoved
    assert kind.event_name == type
    data = kind(
        membership=SubjectRef("Membership", 1),
        person=SubjectRef("Person", person),
        person_name="",
        center=SubjectRef("Center", center),
        center_name="",
        role=CenterRole.NURSE,
    )
    return Event.of(data, actor_id=None, occurred_at=at, id=event_id)


async def test_a_batch_applies_its_events_in_order(db: Database) -> None:
    team = await make_team(db)
    nurse = await make_person(db, PersonKind.NURSE)
    center_id = to_global_id("Center", team.center.id)
    start = datetime(2014, 5, 1, 9, tzinfo=UTC)
    joined, left, rejoined = (
        _membership_event(1, "membership.added", nurse.id, team.center.id, start),
        _membership_event(2, "membership.removed", nurse.id, team.center.id, start + HOUR),
        _membership_event(3, "membership.added", nurse.id, team.center.id, start + 2 * HOUR),
    )
    async with db.transaction() as session:
        await follow_automatically_all(session, [joined, left])
    assert await follows(db) == set()

    async with db.transaction() as session:
        await follow_automatically_all(session, [joined, left, rejoined])
    assert await follows(db) == {(nurse.id, center_id, N, FollowReason.MEMBER)}
    async with db.session() as session:
        since = await session.scalar(select(Follow.created_at))
    assert since == rejoined.occurred_at  # it hears only of what happens once they are back
