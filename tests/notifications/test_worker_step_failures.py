"""A worker tick whose compose step fails still sends the mail already queued (and logs the
failure); the next tick composes again."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.transport import SmtpTransport
from icn_graph.notifications.models import EmailStatus, MailStatus
from icn_graph.notifications.subject_types import (
    RegisteredSubjectType,
    SubjectDescription,
    SubjectType,
    installed_subject_types,
    use_subject_types,
)
from icn_graph.notifications.subjects import subject_types
from icn_graph.notifications.worker.loop import Worker
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import make_person
from tests.mail_helpers import T0, all_mail, mail_settings, make_goal, notifications, notify
from tests.smtp_server import SmtpServer


async def describe_any(session: AsyncSession, pks: Sequence[int]) -> dict[int, SubjectDescription]:
    return {pk: SubjectDescription(f"Thing {pk}") for pk in pks}


async def test_a_tick_whose_compose_fails_still_sends_queued_mail(
    db: Database,
    settings: Settings,
    smtp: SmtpServer,
    plugin_host: PluginHost,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = mail_settings(
        settings, smtp_host="127.0.0.1", smtp_port=smtp.port, app_url="https://app.example.org"
    )
    owner, queued_reader, other_reader = [await make_person(db) for _ in range(3)]
    goal = await make_goal(db, owner, title="Reduce steroid use")
    await notify(db, queued_reader, to_global_id("Goal", goal.id), actor=owner)
    assert await compose_due_mail(db, settings, now=T0) == 1  # queued, not yet sent

    # A type whose app path cannot be formatted (start-up refuses one; this registry is made by
    # hand to get past it) makes composing the next notification raise.
    installed = installed_subject_types()
    assert installed is not None
    broken = RegisteredSubjectType(
        SubjectType("IcnBrokenPath", "thing", describe_any, app_path="/things/{id}?tab={tab}"),
        "icn-broken-path",
    )
    use_subject_types(
        type(installed)(
            [RegisteredSubjectType(t, installed.owner(t.type_name) or "") for t in installed]
            + [broken]
        )
    )
    worker = Worker(settings, db, plugin_host, transport=SmtpTransport(settings), worker_id="w")
    try:
        await notify(db, other_reader, to_global_id("IcnBrokenPath", 1), actor=owner)
        assert "IcnBrokenPath" in subject_types()
        result = await worker.tick(now=T0)
    finally:
        use_subject_types(installed)
        await worker.transport.close()

    assert (result.composed, result.sent) == (0, 1)
    assert [r.rcpt_tos for r in smtp.received] == [[queued_reader.email]]
    assert [m.status for m in await all_mail(db)] == [MailStatus.SENT]
    failed = [r for r in caplog.records if "composing mail failed" in r.getMessage()]
    assert len(failed) == 1
    assert failed[0].exc_info is not None
    assert isinstance(failed[0].exc_info[1], KeyError)
    # Nothing of the failed compose was kept: the notification is still waiting.
    statuses = {n.person_id: n.email_status for n in await notifications(db)}
    assert statuses[other_reader.id] == EmailStatus.PENDING
