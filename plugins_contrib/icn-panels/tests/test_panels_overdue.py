"""Overdue stages: the worker's periodic job (icn-panels' ``register_worker_jobs``) records one
``proposal.stage_overdue`` per stage past its due date, once, however many ticks and workers,
and the notification engine mails its owner and its coach through a real SMTP server. Time is
simulated: the worker ticks at a given ``now``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from panels_helpers import ADVANCE, ASSIGN, accepted, cast, icn_plugins, ok, session_with_open_call
from sqlalchemy import text
from test_panels_mail import PREFERENCES, flat_text

from icn_graph.plugin_api import Database, PluginHost, Settings
from icn_graph.testing import GraphQLClient, SmtpServer, Worker, deliver_mail

__all__ = ["icn_plugins"]

OVERDUE = "SELECT count(*) FROM events WHERE type = 'proposal.stage_overdue'"


async def overdue_events(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(text(OVERDUE)) or 0)


async def test_an_overdue_stage_alerts_its_owner_and_coach_once(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings)
    people = await cast(db)
    for who in (people.staff, people.parent, people.qi_lead, people.clinician):
        await client.data(PREFERENCES, token=who.token)
    session = await session_with_open_call(client, people.staff, year=2027)
    proposal = await accepted(client, people, session)
    # The QI lead coaches the outline (due 2027-02-09); staff coach the rest.
    await ok(
        client,
        ASSIGN,
        "assignStage",
        people.staff,
        proposalId=proposal,
        stage="OUTLINE",
        coachId=people.qi_lead.id,
    )
    await client.settle()
    one, two = Worker(settings, db, plugin_host), Worker(settings, db, plugin_host)

    on_the_day = datetime(2027, 2, 9, 23, 0, tzinfo=UTC)
    assert (await one.tick(now=on_the_day)).jobs == 0
    late = datetime(2027, 2, 10, 9, 0, tzinfo=UTC)
    assert (await one.tick(now=late)).jobs == 1
    assert (await one.tick(now=late + timedelta(hours=1))).jobs == 0
    assert await overdue_events(db) == 1

    # The outline is done late; the coached stage slips too (due 2027-02-27): two workers at
    # once record it once.
    await ok(client, ADVANCE, "advanceStage", people.parent, proposalId=proposal, evidence="v1")
    await client.settle()
    later = datetime(2027, 2, 28, 9, 0, tzinfo=UTC)
    ticks = await asyncio.gather(one.tick(now=later), two.tick(now=later))
    assert sum(tick.jobs for tick in ticks) == 1
    assert await overdue_events(db) == 2

    await client.settle()
    for worker in (one, two):
        await worker.dispatcher.drain()
    await deliver_mail(db, settings, plugin_host, now=later + timedelta(minutes=10))
    mail: dict[str, list[str]] = {}
    for message in smtp.received:
        mail.setdefault(message.rcpt_tos[0], []).append(flat_text(message.message))

    def alerts(email: str, stage: str) -> int:
        """How many messages to ``email`` say that ``stage`` is overdue."""
        wanted = f"The {stage} stage of 'A parent panel' is overdue"
        return sum(1 for body in mail.get(email, []) if wanted in body)

    parent, coach, staff = (
        people.parent.person.email,
        people.qi_lead.person.email,
        people.staff.person.email,
    )
    assert alerts(parent, "outline") == 1, mail.get(parent)
    assert alerts(coach, "outline") == 1, mail.get(coach)
    assert alerts(parent, "coached") == 1, mail.get(parent)
    assert alerts(staff, "coached") == 1, mail.get(staff)
    assert alerts(people.outsider.person.email, "outline") == 0


QUIET_HOURS = """mutation($start: String!, $end: String!) {
  updateNotificationPreferences(input: {delivery: IMMEDIATE, quietHoursStart: $start,
                                        quietHoursEnd: $end}) { userErrors { field } } }"""


async def test_the_alert_waits_for_the_coach_s_quiet_hours(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    """The job's clock decides when a stage is overdue; the notification engine plans the
    alert's mail from when it was recorded (the wall clock), so the coach's quiet hours here
    are the three hours around the moment the test runs, in their time zone (New York), and
    the mail is composed at wall-clock moments (a whole worker tick would compose at its
    simulated ``now``, a year on)."""
    settings = smtp.settings_for(settings)
    people = await cast(db)
    await client.data(PREFERENCES, token=people.parent.token)
    wall = datetime.now(UTC)
    local = wall.astimezone(ZoneInfo("America/New_York"))
    quiet = {
        "start": (local - timedelta(hours=1)).strftime("%H:%M"),
        "end": (local + timedelta(hours=2)).strftime("%H:%M"),
    }
    await client.data(QUIET_HOURS, quiet, token=people.qi_lead.token)
    session = await session_with_open_call(client, people.staff, year=2027)
    proposal = await accepted(client, people, session)
    await ok(
        client,
        ASSIGN,
        "assignStage",
        people.staff,
        proposalId=proposal,
        stage="OUTLINE",
        coachId=people.qi_lead.id,
    )
    await client.settle()
    [job] = plugin_host.worker_jobs(settings)
    assert await job(db, datetime(2027, 2, 10, 9, 0, tzinfo=UTC)) == 1
    await client.settle()
    await deliver_mail(db, settings, plugin_host, now=wall + timedelta(minutes=5))

    def mailed(who: str) -> int:
        wanted = "The outline stage of 'A parent panel' is overdue"
        return sum(
            1 for m in smtp.received if m.rcpt_tos[0] == who and wanted in flat_text(m.message)
        )

    coach, owner = people.qi_lead.person.email, people.parent.person.email
    assert mailed(owner) == 1
    assert mailed(coach) == 0
    await deliver_mail(db, settings, plugin_host, now=wall + timedelta(hours=1))
    assert mailed(coach) == 0
    await deliver_mail(db, settings, plugin_host, now=wall + timedelta(hours=2, minutes=30))
    assert mailed(coach) == 1
    assert mailed(owner) == 1


async def test_a_late_acceptance_alerts_about_its_current_stage_alone(
    db: Database, client: GraphQLClient, settings: Settings, plugin_host: PluginHost
) -> None:
    """Accepted after every due date has passed: one alert (the outline), not five; the next
    comes when the outline is done and the coaching stage is the one slipping."""
    people = await cast(db)
    session = await session_with_open_call(client, people.staff, year=2014)
    proposal = await accepted(client, people, session)
    await client.settle()
    worker = Worker(settings, db, plugin_host)
    now = datetime.now(UTC)
    assert (await worker.tick(now=now)).jobs == 1
    assert await overdue_events(db) == 1
    await ok(client, ADVANCE, "advanceStage", people.parent, proposalId=proposal, evidence="v1")
    await client.settle()
    assert (await worker.tick(now=now + timedelta(minutes=1))).jobs == 1
    assert await overdue_events(db) == 2
