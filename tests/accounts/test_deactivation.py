"""``deactivatePerson`` and ``reactivatePerson`` through HTTP, a real websocket and a real SMTP
server: every token stops at once (an open websocket closes at its next operation), no sign-in
link or notification mail reaches the person, what they wrote keeps their name; reactivated,
they sign in again by a mailed link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.errors import BadInput
from icn_graph.models import (
    ApiToken,
    CenterRole,
    NetworkRole,
    Person,
    PersonKind,
    SignInLink,
    TokenKind,
)
from icn_graph.models.accounts import EmailChange
from icn_graph.notifications.models import EmailStatus, Follow, FollowLevel, FollowReason
from icn_graph.plugins.manager import PluginHost
from icn_graph.schema.relay import to_global_id
from icn_graph.services.sign_in.links import request_link
from icn_graph.services.tokens import issue_token
from icn_graph.testing import (
    GraphQLClient,
    SmtpServer,
    deliver_mail,
    make_center,
    make_person,
    snapshot,
    token_for,
)
from tests.accounts.helpers import (
    DEACTIVATE,
    REACTIVATE,
    events_of,
    sign_in_link,
    update_viewer,
)
from tests.goal_helpers import CHECK_IN, make_goal
from tests.helpers import error_codes
from tests.mail_helpers import all_mail, notifications
from tests.sign_in.helpers import REQUEST_SIGN_IN, VIEWER, FakeClock, as_compared, sign_in
from tests.subscription_helpers import serving, ws_client

CREATE_PAT = 'mutation { createPersonalAccessToken(input: {name: "script"}) { token } }'


async def deactivate(
    client: GraphQLClient, token: str, person: Person, reason: str | None = None
) -> dict[str, Any]:
    variables: dict[str, Any] = {"input": {"id": to_global_id("Person", person.id)}}
    if reason is not None:
        variables["input"]["reason"] = reason
    body = await client.execute(DEACTIVATE, variables, token=token)
    await client.settle()
    return body


async def staff_token(db: Database, role: NetworkRole = NetworkRole.STAFF) -> str:
    return await token_for(db, await make_person(db, PersonKind.STAFF, network_role=role))


async def fetch(db: Database, person: Person) -> Person:
    async with db.session() as session:
        row = await session.get(Person, person.id)
    assert row is not None
    return row


async def test_every_token_stops_and_every_link_goes(
    db: Database, client: GraphQLClient, smtp: SmtpServer, clock: FakeClock
) -> None:
    bo = await make_person(db, display_name="Bo Nurse", email="bo@example.org")
    cli = await token_for(db, bo)
    link = await sign_in_link(client, smtp, "bo@example.org")
    assert link is not None
    session_token = (await sign_in(client, link))["token"]
    personal = (await client.data(CREATE_PAT, token=session_token))["createPersonalAccessToken"]
    unused_link = await sign_in_link(client, smtp, "bo@example.org")
    assert unused_link is not None
    await update_viewer(client, cli, email="bo.new@example.org")  # a change awaiting its link
    tokens = (cli, session_token, personal["token"])
    for token in tokens:
        assert (await client.data(VIEWER, token=token))["viewer"] is not None

    body = await deactivate(client, await staff_token(db), bo, reason="Left the network")
    assert error_codes(body) == []
    assert body["data"]["deactivatePerson"] == {
        "person": {
            "id": to_global_id("Person", bo.id),
            "displayName": "Bo Nurse",
            "deactivatedAt": clock.now.isoformat(),
        },
        "userErrors": [],
    }
    for token in tokens:
        refused = await client.execute(VIEWER, token=token)
        assert error_codes(refused) == ["UNAUTHENTICATED"]
        assert refused["data"] == {"viewer": None}
    async with db.session() as session:
        rows = (await session.scalars(select(ApiToken).where(ApiToken.person_id == bo.id))).all()
        assert sorted(row.kind for row in rows) == sorted(
            [TokenKind.CLI, TokenKind.SESSION, TokenKind.PERSONAL]
        )
        assert all(row.revoked_at == clock.now for row in rows)
        assert (await session.scalars(select(SignInLink))).all() == []
        assert (await session.scalars(select(EmailChange))).all() == []
    assert (await sign_in(client, unused_link))["token"] is None
    [event] = await events_of(db, "person.deactivated")
    assert event.payload["reason"] == "Left the network"

    # Deactivating again changes nothing.
    before = await snapshot(db)
    again = await deactivate(client, await staff_token(db), bo)
    assert again["data"]["deactivatePerson"]["person"]["deactivatedAt"] == clock.now.isoformat()
    after = await snapshot(db)
    assert {name: rows for name, rows in after.items() if name not in ("people", "api_tokens")} == {
        name: rows for name, rows in before.items() if name not in ("people", "api_tokens")
    }


async def test_no_sign_in_link_reaches_a_deactivated_person(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    bo = await make_person(db, email="bo@example.org")
    await deactivate(client, await staff_token(db), bo)
    before = await snapshot(db)
    sent = len(smtp.messages)
    known = await client.execute(REQUEST_SIGN_IN, {"email": "bo@example.org"})
    unknown = await client.execute(REQUEST_SIGN_IN, {"email": "nobody@example.org"})
    await client.settle()
    assert as_compared(known) == as_compared(unknown)
    assert known["data"]["requestSignIn"]["userErrors"] == []
    assert len(smtp.messages) == sent
    assert await snapshot(db) == before


async def test_a_token_or_link_made_in_a_race_does_not_work_either(
    db: Database, client: GraphQLClient, clock: FakeClock
) -> None:
    """The person's state is checked where tokens and links are used, not only revoked once."""
    bo = await make_person(db, email="bo@example.org")
    link = await request_link(db, "bo@example.org", now=clock.now)
    assert link is not None
    token = await token_for(db, bo)
    # Only the flag, as if these were made just after the deactivation's transaction read them.
    async with db.transaction() as session:
        await session.execute(
            update(Person).where(Person.id == bo.id).values(deactivated_at=clock.now)
        )
    assert error_codes(await client.execute(VIEWER, token=token)) == ["UNAUTHENTICATED"]
    before = await snapshot(db)
    assert (await sign_in(client, link.secret))["token"] is None
    assert await snapshot(db) == before


@pytest.fixture
async def server(app: Starlette) -> AsyncIterator[str]:
    async with serving(app) as base_url:
        yield base_url


async def test_an_open_websocket_closes_at_once_and_runs_nothing_more(
    db: Database, client: GraphQLClient, server: str
) -> None:
    bo = await make_person(db, display_name="Bo Nurse")
    query = "{ viewer { person { displayName } } }"
    mutation = 'mutation { updateViewer(input: {pronouns: "he/him"}) { pendingEmail } }'
    async with ws_client(server, await token_for(db, bo)) as ws:
        await ws.send({"id": "q1", "type": "subscribe", "payload": {"query": query}})
        answer = await ws.receive()
        assert answer["payload"]["data"] == {"viewer": {"person": {"displayName": "Bo Nurse"}}}
        assert await ws.receive() == {"id": "q1", "type": "complete"}

        body = await deactivate(client, await staff_token(db), bo)
        assert error_codes(body) == []
        before = await snapshot(db)
        with pytest.raises(ConnectionClosed) as closed:
            await ws.receive()  # closed without being asked anything
        with pytest.raises(ConnectionClosed):
            await ws.send({"id": "m1", "type": "subscribe", "payload": {"query": mutation}})
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert await snapshot(db) == before


async def follow(db: Database, person: Person, subject_id: str) -> None:
    async with db.transaction() as session:
        session.add(
            Follow(
                person_id=person.id,
                subject_id=subject_id,
                level=FollowLevel.NORMAL,
                reason=FollowReason.MANUAL,
            )
        )


async def test_notification_mail_stops(
    db: Database,
    client: GraphQLClient,
    smtp: SmtpServer,
    settings: Settings,
    plugin_host: PluginHost,
    clock: FakeClock,
) -> None:
    center = await make_center(db)
    maria = await make_person(db, center=center, display_name="Maria Lopez")
    omar = await make_person(db, center=center, email="omar@example.org")
    nia = await make_person(db, center=center, email="nia@example.org")
    goal = await make_goal(db, created_by=maria, center=center, title="Reduce steroid use")
    goal_id = to_global_id("Goal", goal.id)
    for follower in (omar, nia):
        await follow(db, follower, goal_id)
    maria_token = await token_for(db, maria)
    mail_settings = smtp.settings_for(settings).model_copy(
        update={"public_url": "https://icn.example.org"}
    )

    async def check_in(note: str) -> None:
        variables = {"input": {"id": goal_id, "note": note, "status": "ON_TRACK", "confidence": 7}}
        payload = await client.data(CHECK_IN, variables, token=maria_token)
        assert payload["checkInGoal"]["userErrors"] == []
        await client.settle()

    # Planned for both before Omar is deactivated: only Nia's is mailed.
    await check_in("First month")
    assert sorted(n.person_id for n in await notifications(db)) == sorted([omar.id, nia.id])
    await deactivate(client, await staff_token(db), omar)
    sent = len(smtp.messages)
    later = clock.now + timedelta(days=8)
    assert await deliver_mail(db, mail_settings, plugin_host, now=later) == 1
    assert [str(m["To"]) for m in smtp.messages[sent:]] == [f"{nia.display_name} <nia@example.org>"]
    statuses = {n.person_id: n.email_status for n in await notifications(db)}
    assert statuses == {omar.id: EmailStatus.NONE, nia.id: EmailStatus.QUEUED}
    assert {mail.person_id for mail in await all_mail(db)} == {nia.id}

    # After: no notification is planned for him at all.
    await check_in("Second month")
    assert sorted(n.person_id for n in await notifications(db)) == sorted([omar.id, nia.id, nia.id])
    assert await deliver_mail(db, mail_settings, plugin_host, now=later + timedelta(days=8)) == 1
    assert {mail.person_id for mail in await all_mail(db)} == {nia.id}


async def test_what_they_wrote_keeps_their_name(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db)
    bo = await make_person(db, center=center, display_name="Bo Nurse")
    reader = await make_person(db, PersonKind.PARENT_PARTNER, center=center)
    goal = await make_goal(db, created_by=bo, center=center, title="Reduce steroid use")
    goal_id = to_global_id("Goal", goal.id)
    variables = {
        "input": {"id": goal_id, "note": "On track", "status": "ON_TRACK", "confidence": 7}
    }
    await client.data(CHECK_IN, variables, token=await token_for(db, bo))
    await deactivate(client, await staff_token(db), bo)

    query = (
        "query($id: ID!, $bo: ID!) { node(id: $id) { ... on Goal { createdBy { displayName }"
        " checkIns { nodes { note author { displayName } } } } }"
        " bo: node(id: $bo) { ... on Person { displayName deactivatedAt } } }"
    )
    ids = {"id": goal_id, "bo": to_global_id("Person", bo.id)}
    data = await client.data(query, ids, token=await token_for(db, reader))
    assert data == {
        "node": {
            "createdBy": {"displayName": "Bo Nurse"},
            "checkIns": {"nodes": [{"note": "On track", "author": {"displayName": "Bo Nurse"}}]},
        },
        # Still a person of the network's history; only staff see that the account is off.
        "bo": {"displayName": "Bo Nurse", "deactivatedAt": None},
    }


async def test_the_directory_leaves_them_out_unless_staff_ask(
    db: Database, client: GraphQLClient, clock: FakeClock
) -> None:
    center = await make_center(db)
    await make_person(db, PersonKind.PARENT_PARTNER, center=center, role=CenterRole.PARENT_PARTNER)
    gone = await make_person(
        db,
        PersonKind.PARENT_PARTNER,
        center=center,
        role=CenterRole.PARENT_PARTNER,
        display_name="Zed Gone",
    )
    member = await token_for(db, await make_person(db, center=center))
    staff = await staff_token(db)
    await deactivate(client, staff, gone)

    def listing(filter: str = "") -> str:
        return (
            f"{{ people(first: 50{filter}) {{ totalCount nodes {{ displayName deactivatedAt }} }}"
            " network { partnerCount } }"
        )

    everyone = await client.data(listing(), token=member)
    assert everyone["people"]["totalCount"] == 3
    assert "Zed Gone" not in str(everyone)
    assert everyone["network"]["partnerCount"] == 1
    # Staff's default is the same directory: deactivated people are asked for.
    assert (await client.data(listing(), token=staff))["people"]["totalCount"] == 3
    included = await client.data(listing(", filter: {deactivated: INCLUDE}"), token=staff)
    assert included["people"]["totalCount"] == 4
    only = await client.data(listing(", filter: {deactivated: ONLY}"), token=staff)
    assert only["people"]["nodes"] == [
        {"displayName": "Zed Gone", "deactivatedAt": clock.now.isoformat()}
    ]
    refused = await client.execute(listing(", filter: {deactivated: INCLUDE}"), token=member)
    assert error_codes(refused) == ["FORBIDDEN"]


async def test_reactivated_they_sign_in_again_by_link(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    bo = await make_person(db, display_name="Bo Nurse", email="bo@example.org")
    old = await token_for(db, bo)
    staff = await staff_token(db)
    await deactivate(client, staff, bo)
    assert await sign_in_link(client, smtp, "bo@example.org") is None

    body = await client.execute(REACTIVATE, {"id": to_global_id("Person", bo.id)}, token=staff)
    await client.settle()
    assert body["data"]["reactivatePerson"] == {
        "person": {
            "id": to_global_id("Person", bo.id),
            "displayName": "Bo Nurse",
            "deactivatedAt": None,
        },
        "userErrors": [],
    }
    assert (await fetch(db, bo)).deactivated_at is None
    assert len(await events_of(db, "person.reactivated")) == 1
    link = await sign_in_link(client, smtp, "bo@example.org")
    assert link is not None
    fresh = (await sign_in(client, link))["token"]
    assert (await client.data(VIEWER, token=fresh))["viewer"]["person"] == {
        "displayName": "Bo Nurse"
    }
    # The tokens revoked on deactivation stay revoked.
    assert error_codes(await client.execute(VIEWER, token=old)) == ["UNAUTHENTICATED"]


async def test_staff_do_not_deactivate_themselves(db: Database, client: GraphQLClient) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    before = await snapshot(db)
    body = await deactivate(client, token, staff)
    assert body["data"]["deactivatePerson"] == {
        "person": None,
        "userErrors": [
            {
                "field": "id",
                "code": "INVALID",
                "message": "You cannot deactivate your own account; ask another staff member.",
            }
        ],
    }
    assert await snapshot(db) == before


async def test_only_an_admin_deactivates_or_reactivates_an_admin(
    db: Database, client: GraphQLClient
) -> None:
    admin = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.ADMIN)
    staff = await staff_token(db)
    other_admin = await staff_token(db, NetworkRole.ADMIN)
    before = await snapshot(db)
    body = await deactivate(client, staff, admin)
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["message"] == "Only an admin can deactivate an admin."
    assert await snapshot(db) == before

    assert error_codes(await deactivate(client, other_admin, admin)) == []
    before = await snapshot(db)
    admin_id = to_global_id("Person", admin.id)
    refused = await client.execute(REACTIVATE, {"id": admin_id}, token=staff)
    assert error_codes(refused) == ["FORBIDDEN"]
    assert await snapshot(db) == before
    allowed = await client.execute(REACTIVATE, {"id": admin_id}, token=other_admin)
    assert allowed["data"]["reactivatePerson"]["person"]["deactivatedAt"] is None


async def test_a_reason_is_checked(db: Database, client: GraphQLClient) -> None:
    bo = await make_person(db)
    staff = await staff_token(db)
    before = await snapshot(db)
    body = await deactivate(client, staff, bo, reason="r" * 501)
    assert [(e["field"], e["code"]) for e in body["data"]["deactivatePerson"]["userErrors"]] == [
        ("reason", "TOO_LONG")
    ]
    assert await snapshot(db) == before


async def test_the_cli_mints_no_token_for_a_deactivated_person(
    db: Database, client: GraphQLClient
) -> None:
    bo = await make_person(db, email="bo@example.org")
    await deactivate(client, await staff_token(db), bo)
    before = await snapshot(db)
    with pytest.raises(BadInput) as refused:
        await issue_token(db, "bo@example.org")  # what `icn-graph token create` runs
    assert refused.value.message == (
        "The account of 'bo@example.org' is deactivated: reactivate it first "
        "(the reactivatePerson mutation)."
    )
    assert await snapshot(db) == before
