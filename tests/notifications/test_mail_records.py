"""What the records say: a suppressed address's later mail is recorded SUPPRESSED (never sent),
the worker's log line counts SMTP refusals as failed rather than sent, titles refuse
bidirectional override characters with a userError naming the field, and mail link settings
are checked at start."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import NetworkRole, Person, PersonKind
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.links import MailLinks
from icn_graph.notifications.mail.transport import SmtpTransport
from icn_graph.notifications.models import MailStatus, SuppressedAddress
from icn_graph.notifications.worker import Worker
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, make_person, token_for
from tests.goal_helpers import UPDATE_GOAL
from tests.learning_sessions.test_learning_sessions import UPDATE_SESSION
from tests.learning_sessions.test_learning_sessions_factories import ADD_ITEM, make_session
from tests.mail_helpers import all_mail, make_goal, notify
from tests.notifications.session_mail import (
    deliver,
    notifications_of,
    register,
    smtp_mail_settings,
    watched_session,
)
from tests.smtp_server import SmtpServer

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
BIDI_MARKS = ["\u061c", "\u200e", "\u200f"]
# Characters that start a new line where a one-line title is shown (C1 NEL, the Unicode line
# and paragraph separators) or are other C1 controls.
LINE_BREAKERS = ["\u0085", "\u2028", "\u2029", "\u0080", "\u009f"]


async def test_a_suppressed_addresss_later_mail_is_recorded_suppressed_and_not_sent(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_mail_settings(settings, smtp)
    watched = await watched_session(db, client)
    async with db.transaction() as session:
        session.add(
            SuppressedAddress(
                email_key=watched.watcher.email_key, reason="550 5.1.1 No such user", smtp_code=550
            )
        )
    await register(db, client, watched, "Ana Alvarez")
    await client.settle()
    [notification] = await notifications_of(db, watched.watcher)
    assert notification.email_due_at is not None
    assert await compose_due_mail(db, settings, now=notification.email_due_at) == 1
    [mail] = await all_mail(db)
    assert (mail.status, mail.to_address) == (MailStatus.SUPPRESSED, watched.watcher.email)
    assert await deliver(db, settings, notification.email_due_at) == 0
    assert smtp.received == []


async def test_the_worker_log_counts_a_refusal_as_failed_not_sent(
    db: Database,
    settings: Settings,
    smtp: SmtpServer,
    plugin_host: PluginHost,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = smtp_mail_settings(settings, smtp, worker_tick_seconds=0.05)
    owner = await make_person(db)
    gone, fine = await make_person(db), await make_person(db)
    smtp.refuse[gone.email.lower()] = "550 5.1.1 No such user here"
    busy = await run_worker_until(
        db, settings, plugin_host, caplog, owner, (gone, fine), {MailStatus.SENT, MailStatus.FAILED}
    )
    assert "composed 2 messages, sent 1, failed 1, retrying 0, dead 0, suppressed 0" in busy[0]
    assert len(smtp.received) == 1


@pytest.mark.parametrize("mark", BIDI + BIDI_MARKS)
async def test_a_goal_title_with_a_bidi_override_is_refused_naming_the_field(
    db: Database, client: GraphQLClient, mark: str
) -> None:
    owner = await make_person(db)
    goal = await make_goal(db, owner)
    variables = {"input": {"id": to_global_id("Goal", goal.id), "title": f"Fix{mark}gnp.exe"}}
    data = await client.data(UPDATE_GOAL, variables, token=await token_for(db, owner))
    [error] = data["updateGoal"]["userErrors"]
    assert (error["field"], error["code"]) == ("title", "INVALID")
    assert "text-direction control characters" in error["message"]
    assert data["updateGoal"]["goal"] is None


@pytest.mark.parametrize("breaker", LINE_BREAKERS)
async def test_a_goal_title_cannot_forge_a_new_line(
    db: Database, client: GraphQLClient, breaker: str
) -> None:
    owner = await make_person(db)
    goal = await make_goal(db, owner)
    title = f"Panel{breaker}Your password expired: https://evil.example/login"
    variables = {"input": {"id": to_global_id("Goal", goal.id), "title": title}}
    data = await client.data(UPDATE_GOAL, variables, token=await token_for(db, owner))
    [error] = data["updateGoal"]["userErrors"]
    assert (error["field"], error["code"]) == ("title", "INVALID")
    assert "control characters" in error["message"]


async def test_session_and_agenda_titles_refuse_bidi_overrides_too(
    db: Database, client: GraphQLClient
) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    row = await make_session(db)
    session_id = to_global_id("LearningSession", row.id)
    variables = {"input": {"id": session_id, "title": "Spring \u202e2014"}}
    data = await client.data(UPDATE_SESSION, variables, token=token)
    assert [e["field"] for e in data["updateLearningSession"]["userErrors"]] == ["title"]
    item = {
        "learningSessionId": session_id,
        "title": "Parent \u2067panel\u2069",
        "kind": "PANEL",
        "startsAt": "2014-04-04T14:00:00Z",
        "endsAt": "2014-04-04T15:00:00Z",
    }
    data = await client.data(ADD_ITEM, {"input": item}, token=token)
    assert [e["field"] for e in data["addAgendaItem"]["userErrors"]] == ["title"]
    # Right-to-left text itself is welcome: only the invisible direction controls are refused.
    variables = {"input": {"id": session_id, "title": "جلسة التعلم Spring 2014"}}
    data = await client.data(UPDATE_SESSION, variables, token=token)
    assert data["updateLearningSession"]["userErrors"] == []


def test_app_url_patterns_must_be_paths_naming_the_id() -> None:
    for bad in ({"Goal": "goals/{id}"}, {"Goal": "/goals"}, {"Goal": "/goals/{id}/{pk}"}):
        with pytest.raises(ValidationError, match="Goal"):
            Settings(app_url_patterns=bad)
    settings = Settings(app_url="https://app.example.org", app_url_patterns={"Goal": "/g/{id}"})
    links = MailLinks(settings)
    goal_id = to_global_id("Goal", 7)
    assert links.subject(goal_id) == f"https://app.example.org/g/{goal_id}"
    session_id = to_global_id("LearningSession", 3)
    assert links.subject(session_id) == f"https://app.example.org/sessions/{session_id}"
    assert links.subject(to_global_id("PluginThing", 1)).startswith(
        "http://127.0.0.1:8000/graphql?explore="
    )


async def test_the_worker_log_counts_mail_suppressed_when_composed(
    db: Database,
    settings: Settings,
    smtp: SmtpServer,
    plugin_host: PluginHost,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = smtp_mail_settings(settings, smtp, worker_tick_seconds=0.05)
    owner = await make_person(db)
    gone, fine = await make_person(db), await make_person(db)
    async with db.transaction() as session:
        session.add(
            SuppressedAddress(
                email_key=gone.email_key, reason="550 5.1.1 No such user", smtp_code=550
            )
        )
    busy = await run_worker_until(
        db,
        settings,
        plugin_host,
        caplog,
        owner,
        (gone, fine),
        {MailStatus.SENT, MailStatus.SUPPRESSED},
    )
    assert "composed 2 messages, sent 1, failed 0, retrying 0, dead 0, suppressed 1" in busy[0]
    assert [received.rcpt_tos for received in smtp.received] == [[fine.email]]


async def run_worker_until(
    db: Database,
    settings: Settings,
    plugin_host: PluginHost,
    caplog: pytest.LogCaptureFixture,
    owner: Person,
    recipients: tuple[Person, ...],
    statuses: set[MailStatus],
) -> list[str]:
    """Notify ``recipients`` about a goal of ``owner``, run a real worker until the mail has
    ``statuses``, and return the worker's log lines that count what it composed."""
    goal = await make_goal(db, owner)
    now = datetime.now(UTC)
    for person in recipients:
        await notify(db, person, to_global_id("Goal", goal.id), actor=owner, created_at=now)
    worker = Worker(
        settings,
        db,
        plugin_host,
        transport=SmtpTransport(settings),
        worker_id="w",
        clock=lambda: now,
    )
    stop = asyncio.Event()
    caplog.set_level(logging.INFO, logger="icn_graph.notifications.worker.loop")
    running = asyncio.create_task(worker.run(stop))
    for _ in range(400):
        if {m.status for m in await all_mail(db)} == statuses:
            break
        await asyncio.sleep(0.025)
    stop.set()
    await running
    busy = [r.getMessage() for r in caplog.records if "composed" in r.getMessage()]
    assert busy, caplog.text
    return busy
