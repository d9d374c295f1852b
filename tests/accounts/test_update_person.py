"""Staff's ``updatePerson`` over HTTP: any field of anyone, the email set at once (its old
address told), and the rules that keep the network administered: only an admin touches an
admin's account or grants ADMIN, and nobody changes their own network role."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models import NetworkRole, Person, PersonKind, SignInLink
from icn_graph.models.accounts import EmailChange
from icn_graph.schema.relay import to_global_id
from icn_graph.services.accounts.email_changes import start_change
from icn_graph.testing import GraphQLClient, SmtpServer, make_person, snapshot, token_for
from tests.accounts.helpers import UPDATE_PERSON, events_of, sign_in_link, text_of
from tests.helpers import error_codes


async def update(
    client: GraphQLClient, token: str, person: Person, **fields: Any
) -> dict[str, Any]:
    body = await client.execute(
        UPDATE_PERSON, {"input": {"id": to_global_id("Person", person.id), **fields}}, token=token
    )
    await client.settle()
    return body


async def staff_member(db: Database, role: NetworkRole = NetworkRole.STAFF) -> tuple[Person, str]:
    person = await make_person(db, PersonKind.STAFF, network_role=role)
    return person, await token_for(db, person)


async def test_staff_change_any_field_and_set_the_email_at_once(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    bo = await make_person(db, PersonKind.NURSE, display_name="Bo Nurse", email="bo@example.org")
    staff, token = await staff_member(db)
    await sign_in_link(client, smtp, "bo@example.org")  # a link mailed to the old address
    async with db.transaction() as session:
        stored = await session.get(Person, bo.id)
        assert stored is not None
        await start_change(session, stored, "bo.pending@example.org", now=datetime.now(UTC))
    sent = len(smtp.messages)

    body = await update(
        client,
        token,
        bo,
        displayName="Bo Baker",
        pronouns="he/him",
        timezone="Europe/London",
        locale="en-GB",
        email="bo.baker@example.org",
        kind="DIETITIAN",
        networkRole="DATA_MANAGER",
    )
    assert error_codes(body) == []
    assert body["data"]["updatePerson"] == {
        "person": {
            "id": to_global_id("Person", bo.id),
            "displayName": "Bo Baker",
            "pronouns": "he/him",
            "timezone": "Europe/London",
            "locale": "en-GB",
            "email": "bo.baker@example.org",
            "kind": "DIETITIAN",
            "networkRole": "DATA_MANAGER",
            "deactivatedAt": None,
        },
        "userErrors": [],
    }
    async with db.session() as session:
        row = await session.get(Person, bo.id)
        assert row is not None
        assert (row.email_key, row.kind, row.network_role) == (
            "bo.baker@example.org",
            PersonKind.DIETITIAN,
            NetworkRole.DATA_MANAGER,
        )
        # The link and the pending change were for the old address.
        assert (await session.scalars(select(SignInLink))).all() == []
        assert (await session.scalars(select(EmailChange))).all() == []
    [event] = await events_of(db, "person.updated")
    assert event.actor_id == to_global_id("Person", staff.id)
    assert {change["field"] for change in event.payload["changes"]} == {
        "displayName",
        "pronouns",
        "timezone",
        "locale",
        "email",
        "kind",
        "networkRole",
    }
    # The old address is told, and holds no link.
    [notice] = smtp.messages[sent:]
    assert notice["To"] == "Bo Baker <bo@example.org>"
    assert notice["Subject"] == "Your email for Test Network was changed"
    assert "bo.baker@example.org" in text_of(notice)
    assert "icnlink_" not in text_of(notice)
    # Sign-in now goes by the new address.
    assert await sign_in_link(client, smtp, "bo@example.org") is None
    assert await sign_in_link(client, smtp, "bo.baker@example.org") is not None


async def test_a_used_address_is_taken(db: Database, client: GraphQLClient) -> None:
    bo = await make_person(db, email="bo@example.org")
    await make_person(db, email="cy@example.org")
    _, token = await staff_member(db)
    before = await snapshot(db)
    body = await update(client, token, bo, email="CY@example.org", displayName="Renamed")
    assert body["data"]["updatePerson"]["userErrors"] == [
        {
            "field": "email",
            "code": "TAKEN",
            "message": "Someone already uses the email 'CY@example.org'.",
        }
    ]
    assert await snapshot(db) == before


async def test_field_problems_are_reported_together(db: Database, client: GraphQLClient) -> None:
    bo = await make_person(db)
    _, token = await staff_member(db)
    before = await snapshot(db)
    body = await update(
        client, token, bo, displayName=" ", locale="klingon", timezone="Here", networkRole="ADMIN"
    )
    errors = body["data"]["updatePerson"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        ("displayName", "REQUIRED"),
        ("timezone", "INVALID"),
        ("locale", "INVALID"),
        ("networkRole", "INVALID"),
    ]
    assert await snapshot(db) == before


async def test_only_an_admin_grants_admin(db: Database, client: GraphQLClient) -> None:
    bo = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    _, staff_token = await staff_member(db)
    _, admin_token = await staff_member(db, NetworkRole.ADMIN)
    before = await snapshot(db)
    refused = await update(client, staff_token, bo, networkRole="ADMIN")
    assert refused["data"]["updatePerson"] == {
        "person": None,
        "userErrors": [
            {
                "field": "networkRole",
                "code": "INVALID",
                "message": "Only an admin can make someone an admin.",
            }
        ],
    }
    assert await snapshot(db) == before
    granted = await update(client, admin_token, bo, networkRole="ADMIN")
    assert granted["data"]["updatePerson"]["person"]["networkRole"] == "ADMIN"


async def test_only_an_admin_changes_an_admins_account(db: Database, client: GraphQLClient) -> None:
    admin = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.ADMIN)
    _, staff_token = await staff_member(db)
    _, other_admin_token = await staff_member(db, NetworkRole.ADMIN)
    before = await snapshot(db)
    # Not even the email: whoever sets an admin's address can sign in as the admin.
    for fields in ({"email": "mine@example.org"}, {"networkRole": "STAFF"}, {"pronouns": "x"}):
        body = await update(client, staff_token, admin, **fields)
        assert error_codes(body) == ["FORBIDDEN"]
        assert body["errors"][0]["message"] == "Only an admin can change an admin's account."
        assert body["data"] is None
    assert await snapshot(db) == before

    demoted = await update(client, other_admin_token, admin, networkRole="STAFF")
    assert demoted["data"]["updatePerson"]["person"]["networkRole"] == "STAFF"


async def test_nobody_changes_their_own_network_role(db: Database, client: GraphQLClient) -> None:
    admin, token = await staff_member(db, NetworkRole.ADMIN)
    before = await snapshot(db)
    body = await update(client, token, admin, networkRole="MEMBER")
    assert body["data"]["updatePerson"]["userErrors"] == [
        {
            "field": "networkRole",
            "code": "INVALID",
            "message": "You cannot change your own network role; ask another admin to.",
        }
    ]
    assert await snapshot(db) == before
    # Naming the role one already has is no change, and the rest of one's own account is open.
    body = await update(client, token, admin, networkRole="ADMIN", displayName="Ada Admin")
    assert body["data"]["updatePerson"]["person"]["displayName"] == "Ada Admin"


async def test_an_unknown_person_is_not_found(db: Database, client: GraphQLClient) -> None:
    _, token = await staff_member(db)
    body = await client.execute(
        UPDATE_PERSON,
        {"input": {"id": to_global_id("Person", 9999), "displayName": "X"}},
        token=token,
    )
    assert error_codes(body) == ["NOT_FOUND"]
