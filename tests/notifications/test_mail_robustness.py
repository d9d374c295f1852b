"""Defects found in review of notification mail (#5): unsubscribing from all mail also stops
per-type overrides; a sender whose lease was lost sends no more and overwrites nothing; a
non-ASCII address fails that one message (or goes out with SMTPUTF8), not the batch; concurrent
unsubscribes both succeed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.events.dispatcher import OutboxDispatcher
from icn_graph.ids import to_global_id
from icn_graph.models import Person
from icn_graph.notifications.mail import unsubscribe as unsubscribe_module
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.sender import retry_delay, send_due_mail
from icn_graph.notifications.mail.tokens import make_token
from icn_graph.notifications.mail.transport import SmtpTransport
from icn_graph.notifications.mail.unsubscribe import unsubscribe
from icn_graph.notifications.models import (
    DeliveryMode,
    EmailStatus,
    Follow,
    FollowLevel,
    MailStatus,
    Notification,
    NotificationPreferences,
    OutgoingMail,
    SuppressedAddress,
)
from icn_graph.notifications.preferences import (
    OverrideDraft,
    PreferenceChanges,
    update_preferences,
)
from icn_graph.notifications.worker.loop import Worker
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, make_person
from tests.mail_helpers import T0, all_mail, mail_settings, make_goal, notify
from tests.outbox_helpers import check_in, create_goal, dispatching, follow, make_team, viewer_of
from tests.smtp_server import SmtpServer

SECRET = "dev-only-secret-key-change-me"  # the settings fixture's ICN_SECRET_KEY
LEASE = 60.0


@pytest.fixture
def smtp_without_utf8() -> Iterator[SmtpServer]:
    """The same recording server, but one that does not offer SMTPUTF8."""
    server = SmtpServer()
    server.controller = Controller(
        server.handler, hostname="127.0.0.1", port=server.port, enable_SMTPUTF8=False
    )
    with server:
        yield server


def smtp_settings(settings: Settings, smtp: SmtpServer, **values: object) -> Settings:
    return mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port, **values)


async def queue_mail_for(db: Database, settings: Settings, *people: Person) -> list[OutgoingMail]:
    owner = await make_person(db)
    goal = await make_goal(db, owner)
    for person in people:
        await notify(db, person, to_global_id("Goal", goal.id), actor=owner)
    assert await compose_due_mail(db, settings, now=T0) == len(people)
    return await all_mail(db)


# ---------------------------------------------------------------------------------------------
# 1. Unsubscribing from all mail stops per-event-type overrides too
# ---------------------------------------------------------------------------------------------


@pytest.fixture
async def dispatcher(
    db: Database, settings: Settings, plugin_host: PluginHost
) -> AsyncIterator[OutboxDispatcher]:
    quiet_free = settings.model_copy(update={"notify_quiet_hours": ""})
    async with dispatching(db, quiet_free, plugin_host) as outbox_dispatcher:
        yield outbox_dispatcher


async def test_unsubscribing_from_all_mail_also_stops_event_types_with_their_own_delivery(
    db: Database, settings: Settings, client: GraphQLClient, dispatcher: OutboxDispatcher
) -> None:
    team = await make_team(db)
    goal = await create_goal(db, team.lead, team.center)
    await follow(db, team.parent, to_global_id("Goal", goal.id))
    changes = PreferenceChanges(
        delivery=DeliveryMode.DAILY_DIGEST,
        overrides=[OverrideDraft("goal.checked_in", DeliveryMode.IMMEDIATE)],
    )
    await update_preferences(db, await viewer_of(db, team.parent), settings, changes)
    await dispatcher.drain()

    async def parents_latest_check_in() -> tuple[DeliveryMode | None, EmailStatus]:
        async with db.session() as session:
            [row] = (
                await session.scalars(
                    select(Notification)
                    .where(
                        Notification.person_id == team.parent.id,
                        Notification.type == "goal.checked_in",
                    )
                    .order_by(Notification.id.desc())
                    .limit(1)
                )
            ).all()
            return row.delivery, row.email_status

    await check_in(db, team.clinician, goal)
    await dispatcher.drain()
    # The override applies: immediate mail is planned.
    assert await parents_latest_check_in() == (DeliveryMode.IMMEDIATE, EmailStatus.PENDING)

    token = make_token(SECRET, team.parent.id, team.parent.email_key, None, now=datetime.now(UTC))
    response = await client.http.post(f"/unsubscribe/{token}")
    assert response.status_code == 200
    async with db.session() as session:
        preferences = await session.get(NotificationPreferences, team.parent.id)
    assert preferences is not None
    assert (preferences.delivery, preferences.overrides) == (DeliveryMode.OFF, {})
    # Mail planned before is cancelled ...
    assert (await parents_latest_check_in())[1] == EmailStatus.NONE

    # ... and a new check-in plans none.
    await check_in(db, team.clinician, goal, note="Three now")
    await dispatcher.drain()
    assert await parents_latest_check_in() == (DeliveryMode.OFF, EmailStatus.NONE)


# ---------------------------------------------------------------------------------------------
# 2. Leases: renewed per message, and a lost lease stops the sender
# ---------------------------------------------------------------------------------------------


class HookedTransport:
    """The real SMTP transport, running ``before`` ahead of the first message it sends."""

    def __init__(self, inner: SmtpTransport, before: Callable[[], Awaitable[None]]) -> None:
        self.inner = inner
        self.before: Callable[[], Awaitable[None]] | None = before
        self.sent: list[str] = []

    async def send(self, sender: str, recipient: str, message: str) -> None:
        if self.before is not None:
            before, self.before = self.before, None
            await before()
        self.sent.append(recipient)
        await self.inner.send(sender, recipient, message)

    async def close(self) -> None:
        await self.inner.close()


async def test_a_sender_that_lost_its_lease_sends_no_more_and_overwrites_no_outcome(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_settings(settings, smtp)
    people = [await make_person(db) for _ in range(3)]
    queued = await queue_mail_for(db, settings, *people)
    later = T0 + timedelta(seconds=LEASE + 1)
    second = SmtpTransport(settings)
    taken_over: list[int] = []

    async def second_worker_takes_over() -> None:
        # The first sender stalls past its lease (a slow server); another worker claims the
        # whole batch again and delivers it.
        taken_over.append(
            await send_due_mail(
                db, settings, second, now=later, worker_id="second", lease_seconds=LEASE
            )
        )

    first = HookedTransport(SmtpTransport(settings), second_worker_takes_over)
    try:
        claimed = await send_due_mail(
            db, settings, first, now=T0, worker_id="first", lease_seconds=LEASE
        )
    finally:
        await first.close()
        await second.close()

    assert (claimed, taken_over) == (3, [3])
    # The first sender finished the message it had in flight, then sent nothing more.
    assert first.sent == [people[0].email]
    mails = await all_mail(db)
    # The outcomes are the second worker's (sent at its time), not overwritten by the first's.
    assert [(m.status, m.sent_at, m.attempts, m.leased_by) for m in mails] == [
        (MailStatus.SENT, later, 2, None)
    ] * 3
    delivered = [received.message["Message-ID"] for received in smtp.received]
    # The one in flight is the only duplicate.
    assert sorted(delivered) == sorted([queued[0].message_id, *(m.message_id for m in mails)])


async def test_a_lost_lease_keeps_the_new_holders_retry_instead_of_recording_sent(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_settings(settings, smtp)
    await queue_mail_for(db, settings, await make_person(db))
    later = T0 + timedelta(seconds=LEASE + 1)
    second = SmtpTransport(settings)

    async def second_worker_gets_a_451() -> None:
        smtp.data_script.append("451 4.3.0 Try again later")
        await send_due_mail(db, settings, second, now=later, worker_id="second")

    first = HookedTransport(SmtpTransport(settings), second_worker_gets_a_451)
    try:
        assert await send_due_mail(db, settings, first, now=T0, worker_id="first") == 1
    finally:
        await first.close()
        await second.close()
    [mail] = await all_mail(db)
    assert (mail.status, mail.sent_at, mail.attempts) == (MailStatus.QUEUED, None, 2)
    assert mail.last_error is not None
    assert mail.last_error.startswith("451")
    assert mail.next_attempt_at == later + retry_delay(settings, 2)


async def test_the_lease_runs_from_the_claim_and_is_renewed_before_each_message(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_settings(settings, smtp)
    await queue_mail_for(db, settings, *[await make_person(db) for _ in range(3)])
    # Each message takes "40 s": the whole batch takes longer than one 60 s lease.
    moments = iter(T0 + timedelta(seconds=40 * n) for n in range(100))
    current: list[datetime] = []

    def clock() -> datetime:
        current.append(next(moments))
        return current[-1]

    leases: list[tuple[datetime, datetime | None, str | None]] = []

    class Watching:
        def __init__(self) -> None:
            self.inner = SmtpTransport(settings)

        async def send(self, sender: str, recipient: str, message: str) -> None:
            async with db.session() as session:
                row = await session.scalar(
                    select(OutgoingMail).where(OutgoingMail.to_address == recipient)
                )
                assert row is not None
                leases.append((current[-1], row.lease_until, row.leased_by))
            await self.inner.send(sender, recipient, message)

        async def close(self) -> None:
            await self.inner.close()

    transport = Watching()
    try:
        assert (
            await send_due_mail(
                db, settings, transport, clock=clock, worker_id="w", lease_seconds=LEASE
            )
            == 3
        )
    finally:
        await transport.close()
    # Before each message, the lease reaches a full lease past the time it goes out.
    assert [(until, by) for _, until, by in leases] == [
        (at + timedelta(seconds=LEASE), "w") for at, _, _ in leases
    ]
    assert leases[-1][0] - leases[0][0] > timedelta(seconds=LEASE)
    assert {m.status for m in await all_mail(db)} == {MailStatus.SENT}
    assert len(smtp.received) == 3


async def test_each_worker_step_reads_the_clock_when_it_starts(
    db: Database, settings: Settings, smtp: SmtpServer, plugin_host: PluginHost
) -> None:
    """A slow sweep or compose does not eat into the send step's lease: the tick's steps each
    take the time afresh (here each reading of the clock is 10 minutes later)."""
    settings = smtp_settings(settings, smtp)
    owner, reader = await make_person(db), await make_person(db)
    goal = await make_goal(db, owner)
    due = T0 + timedelta(minutes=5)
    await notify(db, reader, to_global_id("Goal", goal.id), actor=owner, due_at=due)
    readings = iter(T0 + timedelta(minutes=10 * n) for n in range(100))
    worker = Worker(
        settings,
        db,
        plugin_host,
        transport=SmtpTransport(settings),
        worker_id="w",
        clock=lambda: next(readings),
    )
    try:
        # The sweep reads T0 (the mail is not due yet), compose T0 + 10 min (it is): the send
        # step claims, renews and records at its own, later readings.
        result = await worker.tick()
    finally:
        await worker.transport.close()
    assert (result.composed, result.sent) == (1, 1)
    [mail] = await all_mail(db)
    assert (mail.status, mail.created_at, mail.sent_at) == (
        MailStatus.SENT,
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=40),
    )
    assert len(smtp.received) == 1


async def test_an_unexpected_transport_error_fails_that_message_not_the_batch(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_settings(settings, smtp)
    people = [await make_person(db) for _ in range(3)]
    await queue_mail_for(db, settings, *people)

    class Flaky:
        def __init__(self) -> None:
            self.inner = SmtpTransport(settings)

        async def send(self, sender: str, recipient: str, message: str) -> None:
            if recipient == people[1].email:
                raise RuntimeError("something nobody expected")
            await self.inner.send(sender, recipient, message)

        async def close(self) -> None:
            await self.inner.close()

    transport = Flaky()
    try:
        assert await send_due_mail(db, settings, transport, now=T0, worker_id="w") == 3
    finally:
        await transport.close()
    statuses = {m.to_address: m.status for m in await all_mail(db)}
    assert statuses == {
        people[0].email: MailStatus.SENT,
        people[1].email: MailStatus.QUEUED,
        people[2].email: MailStatus.SENT,
    }
    [retried] = [m for m in await all_mail(db) if m.status == MailStatus.QUEUED]
    assert retried.last_error is not None
    assert "something nobody expected" in retried.last_error


# ---------------------------------------------------------------------------------------------
# 3. Addresses that are not ASCII
# ---------------------------------------------------------------------------------------------

UNICODE_ADDRESS = "josé@exämple.com"


async def queue_with_a_unicode_address(
    db: Database, settings: Settings
) -> tuple[list[Person], OutgoingMail]:
    """Three queued messages, the middle one's envelope address not ASCII."""
    people = [await make_person(db) for _ in range(3)]
    mails = await queue_mail_for(db, settings, *people)
    async with db.transaction() as session:
        await session.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == mails[1].id)
            .values(to_address=UNICODE_ADDRESS)
        )
    return people, mails[1]


async def send(db: Database, settings: Settings) -> int:
    transport = SmtpTransport(settings)
    try:
        return await send_due_mail(db, settings, transport, now=T0, worker_id="w")
    finally:
        await transport.close()


async def test_a_non_ascii_address_fails_alone_when_the_server_has_no_smtputf8(
    db: Database, settings: Settings, smtp_without_utf8: SmtpServer
) -> None:
    smtp = smtp_without_utf8
    settings = smtp_settings(settings, smtp)
    people, unicode_mail = await queue_with_a_unicode_address(db, settings)

    assert await send(db, settings) == 3
    mails = {m.id: m for m in await all_mail(db)}
    failed = mails.pop(unicode_mail.id)
    assert failed.status == MailStatus.FAILED
    assert failed.leased_by is None
    assert failed.last_error is not None
    assert "cannot be sent without SMTPUTF8" in failed.last_error
    assert {m.status for m in mails.values()} == {MailStatus.SENT}
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted(
        [people[0].email, people[2].email]
    )
    assert smtp.connections == 1
    async with db.session() as session:
        # Not the address's fault: it is not suppressed.
        assert list(await session.scalars(select(SuppressedAddress))) == []


async def test_a_non_ascii_address_goes_out_with_smtputf8_when_the_server_offers_it(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_settings(settings, smtp)
    people, unicode_mail = await queue_with_a_unicode_address(db, settings)

    assert await send(db, settings) == 3
    assert {m.status for m in await all_mail(db)} == {MailStatus.SENT}
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted(
        [people[0].email, UNICODE_ADDRESS, people[2].email]
    )
    [received] = [r for r in smtp.received if r.rcpt_tos == [UNICODE_ADDRESS]]
    assert received.message["Message-ID"] == unicode_mail.message_id


async def test_an_address_aiosmtplib_cannot_encode_resets_the_transaction(
    db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    """The library refuses the address after MAIL FROM went out (here: it is told to speak
    ASCII only); the transaction is reset, so the next message is not refused as nested."""
    settings = smtp_settings(settings, smtp)
    people, unicode_mail = await queue_with_a_unicode_address(db, settings)
    transport = SmtpTransport(settings)

    async def ascii_only(*args: Any, **kwargs: Any) -> tuple[list[str], str]:
        return [], args[-1]

    transport._utf8_options = ascii_only  # type: ignore[method-assign]
    try:
        assert await send_due_mail(db, settings, transport, now=T0, worker_id="w") == 3
    finally:
        await transport.close()
    mails = {m.id: m for m in await all_mail(db)}
    failed = mails.pop(unicode_mail.id)
    assert failed.status == MailStatus.FAILED
    assert failed.last_error is not None
    assert failed.last_error.startswith("553 5.6.7")
    assert {m.status for m in mails.values()} == {MailStatus.SENT}
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted(
        [people[0].email, people[2].email]
    )
    assert smtp.connections == 1


# ---------------------------------------------------------------------------------------------
# 4. Two unsubscribes at the same moment
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["all", "subject"])
async def test_two_concurrent_unsubscribes_both_succeed(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, scope: str
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite serializes writers: the two requests cannot interleave")
    owner, follower = await make_person(db), await make_person(db)
    goal = await make_goal(db, owner)
    subject = to_global_id("Goal", goal.id) if scope == "subject" else None
    token = make_token(SECRET, follower.id, follower.email_key, subject, now=T0)

    # Both requests look for the row (finding none) and add theirs before either writes it.
    barrier = asyncio.Barrier(2)
    calls = 0

    def in_step(original: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        async def wrapped(*args: Any) -> None:
            nonlocal calls
            calls += 1
            await original(*args)
            if calls <= 2:
                await asyncio.wait_for(barrier.wait(), 10)

        return wrapped

    monkeypatch.setattr(
        unsubscribe_module, "_delivery_off", in_step(unsubscribe_module._delivery_off)
    )
    monkeypatch.setattr(unsubscribe_module, "_mute", in_step(unsubscribe_module._mute))

    targets = await asyncio.gather(
        unsubscribe(db, settings, token, now=T0), unsubscribe(db, settings, token, now=T0)
    )
    assert [target.scope for target in targets] == [targets[0].scope] * 2
    assert calls == 3  # the request that lost the race tried once more
    async with db.session() as session:
        if subject is None:
            preferences = await session.get(NotificationPreferences, follower.id)
            assert preferences is not None
            assert preferences.delivery == DeliveryMode.OFF
        else:
            [row] = await session.scalars(select(Follow).where(Follow.person_id == follower.id))
            assert row.level == FollowLevel.MUTED
