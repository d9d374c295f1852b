"""A plugin's restricted subjects reach only who may see them: fan-out checks the type's
``visible`` for every recipient (watchers of the subject's center, followers, the person it is
about), and the inbox shows no title of a subject its reader may no longer see."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import delete, func, select

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.events.models import OutboxEvent
from icn_graph.events.stored import stored_events
from icn_graph.models import Center, Membership, Person
from icn_graph.notifications.fan_out import fan_out_events
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.sender import send_due_mail
from icn_graph.notifications.mail.transport import SmtpTransport
from icn_graph.notifications.models import Follow, FollowLevel, FollowReason
from icn_graph.plugin_api import to_global_id
from icn_graph.testing import GraphQLClient, StatementCounter, make_center, make_person, token_for
from tests.mail_helpers import mail_settings, notifications
from tests.plugins import codesign_plugin
from tests.plugins.codesign_plugin import add_note, comment, create_table
from tests.smtp_server import SmtpServer

FOLLOW = """mutation($id: ID!, $level: FollowLevel!) {
  follow(input: {subjectId: $id, level: $level}) { userErrors { field message code } } }"""
IMMEDIATE = """mutation { updateNotificationPreferences(input: {
  delivery: IMMEDIATE, quietHoursStart: null, quietHoursEnd: null }) { userErrors { field } } }"""
INBOX = """{ viewer { notifications(first: 10) { nodes { summary reason
  subject { __typename } } } } }"""
SECRET = "Confidential: patient X plan"


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [("icn-codesign", codesign_plugin)]


async def _member(db: Database, center: Center, name: str) -> tuple[Person, str]:
    person = await make_person(db, center=center, display_name=name)
    return person, await token_for(db, person)


async def _follow(client: GraphQLClient, subject_id: str, token: str, level: str) -> None:
    data = await client.data(FOLLOW, {"id": subject_id, "level": level}, token=token)
    assert data["follow"]["userErrors"] == []


async def _inbox(client: GraphQLClient, token: str) -> list[dict[str, object]]:
    nodes: list[dict[str, object]] = (await client.data(INBOX, token=token))["viewer"][
        "notifications"
    ]["nodes"]
    return nodes


async def _leave(db: Database, person: Person) -> None:
    async with db.transaction() as session:
        await session.execute(delete(Membership).where(Membership.person_id == person.id))


async def test_someone_of_another_center_watching_it_hears_nothing_of_its_note(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    await create_table(db)
    center_a = await make_center(db, name="Center A")
    eve, eve_token = await _member(db, await make_center(db, name="Center B"), "Eve Outsider")
    maria, maria_token = await _member(db, center_a, "Maria Lopez")
    sam, _ = await _member(db, center_a, "Sam Carter")
    center_id = to_global_id("Center", center_a.id)
    for token in (eve_token, maria_token):
        await _follow(client, center_id, token, "WATCHING")
        await client.data(IMMEDIATE, token=token)
    note = await add_note(db, center_a.id, SECRET)

    await comment(db, note, by=sam.id)
    await client.settle()

    assert await _inbox(client, eve_token) == []
    assert [n["summary"] for n in await _inbox(client, maria_token)] == [
        f"Sam Carter commented on the co-design note '{SECRET}'"
    ]
    # No row for Eve: nothing to mail her, nothing announced to her live connections.
    [row] = await notifications(db)
    assert row.person_id == maria.id
    assert row.email_due_at is not None
    assert await compose_due_mail(db, settings, now=row.email_due_at) == 1
    transport = SmtpTransport(settings)
    try:
        await send_due_mail(db, settings, transport, now=row.email_due_at, worker_id="t")
    finally:
        await transport.close()
    assert [received.rcpt_tos for received in smtp.received] == [[maria.email]]
    assert eve.email not in str(smtp.received)


async def test_a_follower_who_left_the_center_stops_hearing_and_sees_no_title(
    db: Database, client: GraphQLClient
) -> None:
    await create_table(db)
    center = await make_center(db, name="Center A")
    leaver, leaver_token = await _member(db, center, "Lee Leaving")
    sam, _ = await _member(db, center, "Sam Carter")
    note = await add_note(db, center.id, SECRET)
    await _follow(client, to_global_id("IcnCodesignNote", note), leaver_token, "NORMAL")
    await comment(db, note, by=sam.id)
    await client.settle()
    [before] = await _inbox(client, leaver_token)
    assert SECRET in str(before["summary"])

    await _leave(db, leaver)
    await comment(db, note, by=sam.id)
    await client.settle()

    # The second comment reached nobody; the first no longer shows the note's title, not even
    # the one its event kept.
    assert len(await notifications(db)) == 1
    [after] = await _inbox(client, leaver_token)
    assert SECRET not in str(after)
    assert after["summary"] == "Sam Carter commented on the co-design note an item"
    assert after["subject"] is None


async def test_checking_who_may_see_costs_the_same_for_2_or_12_watchers(
    db: Database, settings: Settings, statements: StatementCounter
) -> None:
    await create_table(db)

    async def cost(watchers: int) -> tuple[int, int]:
        center = await make_center(db)
        other = await make_center(db)
        author = await make_person(db, center=center)
        for n in range(watchers):
            person = await make_person(db, center=center if n % 2 else other)
            await _watch(db, person, center)
        note = await add_note(db, center.id, SECRET)
        await comment(db, note, by=author.id)
        async with db.session() as session:
            [event] = (await stored_events(session, [await _last_event_id(db)])).values()
        statements.reset()
        async with db.transaction() as session:
            made = await fan_out_events(session, [event], settings, now=datetime.now().astimezone())
        return statements.count, len(made)

    few, many = await cost(2), await cost(12)
    assert (few[1], many[1]) == (1, 6)  # the watchers of the note's own center only
    assert few[0] == many[0]


async def _watch(db: Database, person: Person, center: Center) -> None:
    async with db.transaction() as session:
        session.add(
            Follow(
                person_id=person.id,
                subject_id=to_global_id("Center", center.id),
                level=FollowLevel.WATCHING,
                reason=FollowReason.MANUAL,
                created_at=utcnow(),
            )
        )


async def _last_event_id(db: Database) -> int:
    async with db.session() as session:
        last = await session.scalar(select(func.max(OutboxEvent.id)))
    assert last is not None
    return int(last)
