"""Fan-out: who hears about an event, why, and how their mail is planned; never the actor, never
someone who muted it; idempotent; and the same number of statements for 3 followers or 50."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.events import Event, SubjectRef, record
from icn_graph.events.dispatcher import OutboxDispatcher
from icn_graph.ids import to_global_id
from icn_graph.models import (
    AgendaItemKind,
    AgendaPart,
    CenterRole,
    GoalStatus,
    LearningSessionStatus,
    NetworkRole,
    PersonKind,
    Season,
)
from icn_graph.notifications.fan_out import fan_out
from icn_graph.notifications.models import (
    DeliveryMode,
    EmailStatus,
    FollowLevel,
    FollowReason,
    SuppressedAddress,
)
from icn_graph.plugins.manager import PluginHost
from icn_graph.services import memberships
from icn_graph.services.goals.events import GoalCheckedIn
from icn_graph.services.learning_sessions import agenda, sessions
from icn_graph.testing import StatementCounter, make_center, make_person
from tests.outbox_helpers import (
    check_in,
    create_goal,
    dispatching,
    follow,
    make_team,
    notifications,
    outbox,
    viewer_of,
)


@pytest.fixture
def quiet_free(settings: Settings) -> Settings:
    """No quiet hours, so immediate mail is due exactly after the batching delay."""
    return settings.model_copy(update={"notify_quiet_hours": ""})


@pytest.fixture
async def dispatcher(
    db: Database, quiet_free: Settings, plugin_host: PluginHost
) -> AsyncIterator[OutboxDispatcher]:
    async with dispatching(db, quiet_free, plugin_host) as outbox_dispatcher:
        yield outbox_dispatcher


async def test_a_check_in_reaches_the_goals_followers_and_its_centers_watchers(
    db: Database, dispatcher: OutboxDispatcher
) -> None:
    team = await make_team(db)
    center_id = to_global_id("Center", team.center.id)
    nurse = await make_person(db, PersonKind.NURSE, center=team.center)
    muted = await make_person(db, PersonKind.DIETITIAN, center=team.center)
    await follow(db, team.parent, center_id, FollowLevel.WATCHING)
    await follow(db, nurse, center_id, FollowLevel.NORMAL, FollowReason.MEMBER)
    await follow(db, muted, center_id, FollowLevel.WATCHING)
    goal = await create_goal(db, team.lead, team.center)
    await follow(db, muted, to_global_id("Goal", goal.id), FollowLevel.MUTED)
    await follow(db, team.clinician, to_global_id("Goal", goal.id))
    await dispatcher.drain()
    before = len(await notifications(db))

    await check_in(db, team.clinician, goal)
    await dispatcher.drain()

    checked_in = (await outbox(db))[-1]
    assert checked_in.type == "goal.checked_in"
    made = (await notifications(db))[before:]
    assert [(n.person_id, n.reason) for n in made] == [
        (team.lead.id, "You created this goal."),
        (team.parent.id, f"You watch {team.center.name}."),
    ]
    lead, parent = made
    assert (lead.event_id, lead.type, lead.subject_id) == (
        checked_in.id,
        "goal.checked_in",
        to_global_id("Goal", goal.id),
    )
    assert lead.actor_id == to_global_id("Person", team.clinician.id)
    assert (lead.delivery, lead.email_status) == (DeliveryMode.IMMEDIATE, EmailStatus.PENDING)
    assert lead.email_due_at == checked_in.occurred_at + timedelta(seconds=120)
    assert lead.read_at is None
    # Partners start on a daily digest, at 07:00 in their own time zone.
    assert (parent.delivery, parent.email_status) == (
        DeliveryMode.DAILY_DIGEST,
        EmailStatus.PENDING,
    )
    assert parent.email_due_at is not None
    assert parent.email_due_at > checked_in.occurred_at


async def test_a_direct_follow_outranks_a_muted_center_and_normal_is_the_center_alone(
    db: Database, dispatcher: OutboxDispatcher
) -> None:
    team = await make_team(db)
    center_id = to_global_id("Center", team.center.id)
    goal = await create_goal(db, team.lead, team.center)
    goal_id = to_global_id("Goal", goal.id)
    follows_goal = await make_person(db, PersonKind.NURSE, center=team.center)
    member_only = await make_person(db, PersonKind.DIETITIAN, center=team.center)
    watches_goal_mutes_center = await make_person(db, PersonKind.SOCIAL_WORKER)
    await follow(db, follows_goal, goal_id, FollowLevel.NORMAL)
    await follow(db, follows_goal, center_id, FollowLevel.MUTED)
    await follow(db, member_only, center_id, FollowLevel.NORMAL, FollowReason.MEMBER)
    await follow(db, watches_goal_mutes_center, goal_id, FollowLevel.WATCHING)
    await follow(db, watches_goal_mutes_center, center_id, FollowLevel.MUTED)
    await follow(db, team.parent, center_id, FollowLevel.MUTED)
    await dispatcher.drain()
    before = len(await notifications(db))

    await check_in(db, team.clinician, goal)
    await dispatcher.drain()
    made = (await notifications(db))[before:]
    assert {(n.person_id, n.reason) for n in made} == {
        (team.lead.id, "You created this goal."),
        (follows_goal.id, "You follow this goal."),
        (watches_goal_mutes_center.id, "You follow this goal."),
    }


async def test_a_suppressed_address_gets_the_notification_and_its_mail_is_planned(
    db: Database, dispatcher: OutboxDispatcher
) -> None:
    """Planned like anyone's: composing records it as SUPPRESSED (never delivered), as
    docs/operations.md says (tests/notifications/test_mail_records.py follows it through)."""
    team = await make_team(db)
    async with db.transaction() as session:
        session.add(SuppressedAddress(email_key=team.lead.email_key, reason="550 no such user"))
    goal = await create_goal(db, team.lead, team.center)
    await check_in(db, team.clinician, goal)
    await dispatcher.drain()
    [made] = await notifications(db)
    assert (made.person_id, made.email_status) == (team.lead.id, EmailStatus.PENDING)
    assert made.email_due_at is not None


async def test_the_person_an_event_is_about_hears_of_it(
    db: Database, dispatcher: OutboxDispatcher
) -> None:
    center = await make_center(db)
    staff_person = await make_person(db, network_role=NetworkRole.STAFF)
    staff = await viewer_of(db, staff_person)
    parent = await make_person(db, PersonKind.PARENT_PARTNER)
    membership = await memberships.add_membership(
        db, staff, memberships.MembershipDraft(parent.id, center.id, CenterRole.PARENT_PARTNER)
    )
    await dispatcher.drain()
    [made] = await notifications(db)
    assert (made.person_id, made.type, made.reason) == (
        parent.id,
        "membership.added",
        "It is about you.",
    )
    assert made.subject_id == to_global_id("Membership", membership.id)


async def test_a_removed_agenda_item_still_reaches_its_followers(
    db: Database, dispatcher: OutboxDispatcher
) -> None:
    planner = await make_person(db, network_role=NetworkRole.STAFF)
    staff = await viewer_of(db, planner)
    speaker = await make_person(db, PersonKind.PARENT_PARTNER)
    watcher = await make_person(db, PersonKind.QI_LEAD)
    row = await sessions.create_learning_session(
        db,
        staff,
        sessions.LearningSessionDraft(
            season=Season.FALL,
            year=2014,
            starts_on=datetime(2014, 10, 2).date(),
            ends_on=datetime(2014, 10, 3).date(),
            venue="Columbus",
            timezone="America/New_York",
            status=LearningSessionStatus.PLANNING,
        ),
    )
    await follow(db, watcher, to_global_id("LearningSession", row.id))
    item = await agenda.add_agenda_item(
        db,
        staff,
        agenda.AgendaItemDraft(
            session_id=row.id,
            title="Co-design workshop",
            kind=AgendaItemKind.WORKSHOP,
            starts_at=datetime(2014, 10, 2, 9),
            ends_at=datetime(2014, 10, 2, 10),
        ),
    )
    await agenda.assign_to_agenda_item(
        db, staff, agenda.AssignmentDraft(item.id, speaker.id, AgendaPart.FACILITATOR)
    )
    await dispatcher.drain()
    before = len(await notifications(db))
    await agenda.remove_agenda_item(db, staff, item.id)
    await dispatcher.drain()
    made = (await notifications(db))[before:]
    assert {(n.person_id, n.type, n.reason) for n in made} == {
        (speaker.id, "agenda_item.removed", "You are assigned to this agenda item."),
        (watcher.id, "agenda_item.removed", f"You watch {row.title}."),
    }


async def _recorded_check_in(db: Database, goal_id: int, actor_id: int) -> Event:
    previous, db.event_sink = db.event_sink, None
    try:
        async with db.transaction() as session:
            checked_in = GoalCheckedIn(
                goal=SubjectRef("Goal", goal_id),
                title="A goal",
                owner=SubjectRef("Center", 1),
                check_in=SubjectRef("CheckIn", 1),
                status=GoalStatus.ON_TRACK,
                confidence=None,
                note=None,
            )
            record(session, checked_in, actor_id=actor_id)
    finally:
        db.event_sink = previous
    return Event.from_row((await outbox(db))[-1])


async def _fan_out_cost(
    db: Database, settings: Settings, statements: StatementCounter, watchers: int
) -> int:
    team = await make_team(db)
    goal = await create_goal(db, team.lead, team.center)
    for _ in range(watchers):
        watcher = await make_person(db, PersonKind.PARENT_PARTNER)
        await follow(db, watcher, to_global_id("Center", team.center.id))
    event = await _recorded_check_in(db, goal.id, team.clinician.id)
    now = datetime.now().astimezone()
    statements.reset()
    async with db.transaction() as session:
        made = await fan_out(session, event, settings, now=now)
    cost = statements.count
    # No dispatcher here, yet the creator watches the goal: creating it made the follow.
    assert len(made) == watchers + 1
    async with db.transaction() as session:  # handled again: nothing new
        assert await fan_out(session, event, settings, now=now) == []
    return cost


async def test_fan_out_costs_the_same_for_3_or_50_recipients_and_is_idempotent(
    db: Database, settings: Settings, statements: StatementCounter
) -> None:
    few = await _fan_out_cost(db, settings, statements, 3)
    many = await _fan_out_cost(db, settings, statements, 50)
    assert few == many
    assert few <= 9


async def test_a_follow_hears_what_happens_after_it_and_a_mute_silences_at_once(
    db: Database, settings: Settings
) -> None:
    team = await make_team(db)
    early = await make_person(db, PersonKind.NURSE, center=team.center)
    late = await make_person(db, PersonKind.PSYCHOLOGIST, center=team.center)
    muting = await make_person(db, PersonKind.DIETITIAN, center=team.center)
    await follow(db, muting, to_global_id("Center", team.center.id), FollowLevel.WATCHING)
    goal = await create_goal(db, team.lead, team.center)  # the lead watches it from now on
    goal_id = to_global_id("Goal", goal.id)
    await follow(db, early, goal_id, FollowLevel.NORMAL)
    event = await _recorded_check_in(db, goal.id, team.clinician.id)
    # Before the event is handed on, one person starts to follow the goal, another mutes it.
    await follow(db, late, goal_id, FollowLevel.NORMAL)
    await follow(db, muting, goal_id, FollowLevel.MUTED)
    async with db.transaction() as session:
        made = await fan_out(session, event, settings, now=event.occurred_at)
    assert sorted(n.person_id for n in made) == sorted([team.lead.id, early.id])
