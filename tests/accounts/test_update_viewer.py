"""``updateViewer`` over HTTP: only the given fields change, each field is checked with a
userError naming it, and a refused call writes nothing and mails nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models import NetworkRole, Person, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.services.locales import normalize_locale
from icn_graph.testing import GraphQLClient, SmtpServer, make_person, snapshot, token_for
from tests.accounts.helpers import (
    ME,
    UPDATE_VIEWER,
    confirm_tokens,
    events_of,
    mail_to,
    text_of,
    update_viewer,
)
from tests.helpers import error_codes


async def stored(db: Database, person: Person) -> Person:
    async with db.session() as session:
        row = await session.get(Person, person.id)
    assert row is not None
    return row


async def test_the_given_fields_change_and_nothing_else(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    ada = await make_person(
        db, PersonKind.PARENT_PARTNER, display_name="Ada Parent", email="ada@example.org"
    )
    token = await token_for(db, ada)
    payload = await update_viewer(
        client,
        token,
        displayName="  Ada Lovelace ",
        pronouns="she/her",
        timezone="America/Chicago",
        locale="fr_ca",
    )
    assert payload == {
        "person": {
            "id": to_global_id("Person", ada.id),
            "displayName": "Ada Lovelace",
            "pronouns": "she/her",
            "timezone": "America/Chicago",
            "locale": "fr-CA",
            "email": "ada@example.org",
            "kind": "PARENT_PARTNER",
            "networkRole": "MEMBER",
            "deactivatedAt": None,
        },
        "pendingEmail": None,
        "userErrors": [],
    }
    row = await stored(db, ada)
    assert (row.display_name, row.pronouns, row.timezone, row.locale) == (
        "Ada Lovelace",
        "she/her",
        "America/Chicago",
        "fr-CA",
    )
    assert (row.email, row.kind) == ("ada@example.org", PersonKind.PARENT_PARTNER)
    [event] = await events_of(db, "person.updated")
    assert event.actor_id == to_global_id("Person", ada.id)
    assert [change["field"] for change in event.payload["changes"]] == [
        "displayName",
        "pronouns",
        "timezone",
        "locale",
    ]
    assert smtp.messages == []
    me = (await client.data(ME, token=token))["viewer"]
    assert me["person"]["pronouns"] == "she/her"

    # Absent and null fields stay; giving the same values again changes nothing at all.
    before = await snapshot(db)
    again = await update_viewer(client, token, pronouns=None, displayName="Ada Lovelace")
    assert again["person"]["pronouns"] == "she/her"
    assert await snapshot(db) == before

    cleared = await update_viewer(client, token, pronouns="")
    assert cleared["person"]["pronouns"] == ""
    assert (await stored(db, ada)).pronouns == ""


LONG_NAME = "x" * 121


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        pytest.param({"displayName": "   "}, "displayName", "REQUIRED", id="blank-name"),
        pytest.param({"displayName": LONG_NAME}, "displayName", "TOO_LONG", id="long-name"),
        pytest.param({"displayName": "Ada\u202eevil"}, "displayName", "INVALID", id="bidi-name"),
        pytest.param({"pronouns": "p" * 41}, "pronouns", "TOO_LONG", id="long-pronouns"),
        pytest.param({"pronouns": "she\nher"}, "pronouns", "INVALID", id="pronouns-newline"),
        pytest.param({"timezone": "Mars/Olympus_Mons"}, "timezone", "INVALID", id="timezone"),
        pytest.param({"locale": "english"}, "locale", "INVALID", id="locale-word"),
        pytest.param({"locale": "xx"}, "locale", "INVALID", id="locale-not-iso-639"),
        pytest.param({"locale": "en-ZZ"}, "locale", "INVALID", id="locale-unknown-region"),
        pytest.param({"locale": "en-US-x-pirate"}, "locale", "INVALID", id="locale-private"),
        pytest.param({"email": "not-an-email"}, "email", "INVALID", id="email"),
        pytest.param({"email": " "}, "email", "REQUIRED", id="blank-email"),
    ],
)
async def test_each_field_is_checked(
    db: Database,
    client: GraphQLClient,
    smtp: SmtpServer,
    fields: dict[str, Any],
    field: str,
    code: str,
) -> None:
    ada = await make_person(db, display_name="Ada Parent")
    token = await token_for(db, ada)
    before = await snapshot(db)
    # A valid change alongside is not written either: nothing is half-written.
    valid = {"pronouns": "they/them"} if field != "pronouns" else {"timezone": "UTC"}
    payload = await update_viewer(client, token, **fields, **valid)
    assert payload["person"] is None
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [(field, code)]
    assert await snapshot(db) == before
    assert smtp.messages == []


async def test_every_refused_field_is_reported_at_once(db: Database, client: GraphQLClient) -> None:
    token = await token_for(db, await make_person(db))
    payload = await update_viewer(
        client,
        token,
        displayName="",
        pronouns="p" * 50,
        timezone="Nowhere",
        locale="zz-ZZ",
        email="nope",
    )
    fields = [error["field"] for error in payload["userErrors"]]
    assert fields == ["displayName", "pronouns", "timezone", "locale", "email"]


async def test_an_address_someone_has_answers_as_a_free_one_and_changes_nothing(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    """The answer does not tell whether an address has an account (as requestSignIn and
    invitePerson do not): the taken address gets a notice instead of a link, and neither
    account changes."""
    ada = await make_person(db, email="ada@example.org", display_name="Ada Lovelace")
    bo = await make_person(db, email="bo@example.org")
    cy = await make_person(db, email="cy@example.org")
    ada_token = await token_for(db, ada)
    cy_token = await token_for(db, cy)
    free = await update_viewer(client, cy_token, email="free@example.org")
    sent = len(smtp.messages)
    taken = await update_viewer(client, ada_token, email="BO@example.org")
    assert taken["userErrors"] == free["userErrors"] == []
    assert taken["pendingEmail"] == "BO@example.org"
    assert free["pendingEmail"] == "free@example.org"
    assert taken["person"]["email"] == "ada@example.org"
    me = await client.data(ME, token=ada_token)
    assert me["viewer"]["pendingEmail"] == "BO@example.org"
    new_mail = smtp.messages[sent:]
    assert sorted(str(m["To"]) for m in new_mail) == [
        "Ada Lovelace <ada@example.org>",
        "BO@example.org",
    ]
    [notice] = mail_to(smtp, "BO@example.org")
    assert confirm_tokens(notice) == set()
    assert "already belongs to a" in text_of(notice)
    assert "Ada" not in text_of(notice)
    assert "ada@" not in text_of(notice)
    async with db.session() as session:
        emails = {p.id: p.email for p in await session.scalars(select(Person))}
    assert emails[ada.id] == "ada@example.org"
    assert emails[bo.id] == "bo@example.org"


async def test_the_same_address_in_other_letters_is_set_at_once(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    ada = await make_person(db, email="ada.parent@example.org")
    token = await token_for(db, ada)
    payload = await update_viewer(client, token, email="Ada.Parent@Example.org")
    assert payload["person"]["email"] == "Ada.Parent@Example.org"
    assert payload["pendingEmail"] is None
    row = await stored(db, ada)
    assert (row.email, row.email_key) == ("Ada.Parent@Example.org", "ada.parent@example.org")
    assert smtp.messages == []


async def test_locale_is_shown_to_the_person_and_staff_only(
    db: Database, client: GraphQLClient
) -> None:
    ada = await make_person(db, locale="es-MX", pronouns="she/her")
    bo = await make_person(db)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    query = "query($id: ID!) { node(id: $id) { ... on Person { pronouns locale deactivatedAt } } }"
    variables = {"id": to_global_id("Person", ada.id)}
    seen = {}
    for name, person in (("self", ada), ("other", bo), ("staff", staff)):
        body = await client.execute(query, variables, token=await token_for(db, person))
        assert error_codes(body) == []
        seen[name] = body["data"]["node"]
    assert seen == {
        "self": {"pronouns": "she/her", "locale": "es-MX", "deactivatedAt": None},
        "other": {"pronouns": "she/her", "locale": None, "deactivatedAt": None},
        "staff": {"pronouns": "she/her", "locale": "es-MX", "deactivatedAt": None},
    }


async def test_anonymous_callers_change_nothing(db: Database, client: GraphQLClient) -> None:
    await make_person(db)
    before = await snapshot(db)
    body = await client.execute(UPDATE_VIEWER, {"input": {"displayName": "Who"}})
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("en-us", "en-US"),
        ("en_US", "en-US"),
        (" fr-CA ", "fr-CA"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("sr-Latn", "sr-Latn"),
        ("es-419", "es-419"),
        ("xx", None),
        ("eng", None),
        ("en-USA", None),
        ("en-ZZ", None),
        ("en-US-x-twain", None),
        ("de-CH-1996", None),
        ("", None),
        ("en--US", None),
    ],
)
def test_locales_are_a_sane_subset_of_bcp_47(given: str, expected: str | None) -> None:
    assert normalize_locale(given) == expected


async def test_a_personal_access_token_cannot_move_the_email(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    """A script's token that leaked must not become the account: the email is how it is
    recovered (a new address, confirmed, then a magic link to it)."""
    ada = await make_person(db, email="ada@example.org")
    made = await client.data(
        'mutation { createPersonalAccessToken(input: {name: "script"}) { token } }',
        token=await token_for(db, ada),
    )
    script = made["createPersonalAccessToken"]["token"]
    await client.data("{ viewer { id } }", token=script)  # its first use is recorded
    before = await snapshot(db)
    payload = await update_viewer(client, script, email="new.ada@example.org")
    [field] = [error["field"] for error in payload["userErrors"]]
    assert field == "email"
    assert "signed-in session" in payload["userErrors"][0]["message"]
    assert await snapshot(db) == before
    await client.settle()
    assert smtp.messages == []
    # The rest of the profile is the script's to change.
    payload = await update_viewer(client, script, pronouns="she/her")
    assert payload["userErrors"] == []
    assert payload["person"]["pronouns"] == "she/her"
