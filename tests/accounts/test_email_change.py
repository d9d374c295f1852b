"""Changing one's email, the whole story through HTTP and a real SMTP server: asking changes
nothing but mails a link to the new address and a notice to the old; the link's page changes
nothing on GET; POST (or ``confirmEmailChange``) changes it, once, within 24 hours, unless
someone took the address meanwhile."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from icn_graph.db.database import Database
from icn_graph.models import NetworkRole, Person, PersonKind, SignInLink
from icn_graph.models.accounts import EmailChange
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import GraphQLClient, SmtpServer, make_person, snapshot, token_for
from tests.accounts.helpers import (
    CONFIRM_EMAIL_CHANGE,
    ME,
    UPDATE_VIEWER,
    confirm_tokens,
    events_of,
    html_of,
    mail_to,
    sign_in_link,
    text_of,
    update_viewer,
)
from tests.helpers import error_codes
from tests.sign_in.helpers import VIEWER, FakeClock, client_from, sign_in

REFUSED = [
    {
        "field": "token",
        "code": "INVALID",
        "message": "This email confirmation link is unknown, already used or expired; ask for "
        "the change again (links work once, for 24 hours).",
    }
]


async def email_of(db: Database, person: Person) -> tuple[str, str]:
    async with db.session() as session:
        row = await session.get(Person, person.id)
    assert row is not None
    return row.email, row.email_key


async def ask(client: GraphQLClient, smtp: SmtpServer, token: str, new_email: str) -> str:
    """Ask for ``new_email``; the token of the link mailed to it."""
    before = len(smtp.messages)
    payload = await update_viewer(client, token, email=new_email)
    assert payload["userErrors"] == []
    assert payload["pendingEmail"] == new_email
    assert len(smtp.messages) == before + 2
    [confirmation] = [m for m in smtp.messages[before:] if new_email in str(m["To"])]
    [link] = confirm_tokens(confirmation)
    return link


async def confirm(client: GraphQLClient, token: str) -> dict[str, object]:
    payload: dict[str, object] = (await client.data(CONFIRM_EMAIL_CHANGE, {"token": token}))[
        "confirmEmailChange"
    ]
    return payload


async def test_the_whole_story(db: Database, client: GraphQLClient, smtp: SmtpServer) -> None:
    ada = await make_person(db, display_name="Ada Parent", email="ada@example.org")
    token = await token_for(db, ada)

    payload = await update_viewer(client, token, email="ada.new@example.org", pronouns="she/her")
    # Nothing about the address changed yet; the other fields did.
    assert payload["person"]["email"] == "ada@example.org"
    assert payload["person"]["pronouns"] == "she/her"
    assert payload["pendingEmail"] == "ada.new@example.org"
    assert await email_of(db, ada) == ("ada@example.org", "ada@example.org")
    me = (await client.data(ME, token=token))["viewer"]
    assert me["pendingEmail"] == "ada.new@example.org"
    assert me["person"]["email"] == "ada@example.org"

    # Two mails: the link only to the new address, a notice (without it) to the old one.
    assert len(smtp.messages) == 2
    [confirmation] = mail_to(smtp, "ada.new@example.org")
    [notice] = mail_to(smtp, "ada@example.org")
    assert confirmation["To"] == "Ada Parent <ada.new@example.org>"
    assert confirmation["Subject"] == "Confirm your new email for Test Network"
    assert confirmation["Auto-Submitted"] == "auto-generated"
    [link] = confirm_tokens(confirmation)
    assert "24 hours" in text_of(confirmation)
    assert notice["To"] == "Ada Parent <ada@example.org>"
    assert notice["Subject"] == "Your email for Test Network is being changed"
    assert "to ada.new@example.org" in " ".join(text_of(notice).split())
    assert "If this wasn't you" in text_of(notice)
    for part in (text_of(notice), html_of(notice)):
        assert "confirm-email" not in part
        assert "icnemail_" not in part
        # What to do if it wasn't them (review F3): sign in, sign out everywhere, which also
        # withdraws this change; revoking one session revokes what it made.
        words = " ".join(part.split())
        assert "Ask for a sign-in link for this address (ada@example.org)" in words
        assert "signOutEverywhere" in words
        assert "withdraws this change" in words
        assert "also revokes the personal access tokens and the calendar feed made with it" in (
            words
        )

    # Stored only as a hash.
    async with db.session() as session:
        change = (await session.scalars(select(EmailChange))).one()
    assert change.token_hash == hashlib.sha256(link.encode()).hexdigest()
    assert link not in repr(await snapshot(db))
    assert len(link.removeprefix("icnemail_")) == 43  # 256 bits, base64url

    # The page shows a button on GET (and HEAD), and changes nothing.
    before = await snapshot(db)
    for method in ("GET", "HEAD"):
        page = await client.http.request(method, f"/confirm-email/{link}")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "same-origin"
    page = await client.http.get(f"/confirm-email/{link}")
    assert '<form method="post"' in page.text
    assert await snapshot(db) == before

    # POST changes the email.
    posted = await client.http.post(f"/confirm-email/{link}")
    assert posted.status_code == 200
    assert "ada.new@example.org" in posted.text
    assert await email_of(db, ada) == ("ada.new@example.org", "ada.new@example.org")
    updates = await events_of(db, "person.updated")
    assert updates[-1].payload["changes"] == [
        {"field": "email", "old": "ada@example.org", "new": "ada.new@example.org"}
    ]
    assert updates[-1].actor_id == to_global_id("Person", ada.id)
    me = (await client.data(ME, token=token))["viewer"]
    assert me["pendingEmail"] is None
    assert me["person"]["email"] == "ada.new@example.org"

    # A second use is refused, on the page and by the mutation alike.
    before = await snapshot(db)
    again = await client.http.post(f"/confirm-email/{link}")
    assert again.status_code == 400
    assert "unknown, already used or expired" in again.text
    assert await confirm(client, link) == {"person": None, "userErrors": REFUSED}
    assert await snapshot(db) == before

    # Sign-in links now go to the new address, and nothing to the old one.
    assert await sign_in_link(client, smtp, "ada@example.org") is None
    new_link = await sign_in_link(client, smtp, "ada.new@example.org")
    assert new_link is not None
    assert (await sign_in(client, new_link))["person"] == {"displayName": "Ada Parent"}


async def test_a_single_page_app_confirms_without_signing_in(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    ada = await make_person(db, email="ada@example.org")
    token = await token_for(db, ada)
    link = await ask(client, smtp, token, "ada.new@example.org")
    payload = await confirm(client, link)  # no token sent: the link proves it
    # Emails are private: an anonymous caller sees whose it was, not the address.
    assert payload == {
        "person": {"id": to_global_id("Person", ada.id), "email": None},
        "userErrors": [],
    }
    assert await email_of(db, ada) == ("ada.new@example.org", "ada.new@example.org")
    assert (await client.data(ME, token=token))["viewer"]["person"][
        "email"
    ] == "ada.new@example.org"
    assert await confirm(client, "icnemail_" + "x" * 43) == {"person": None, "userErrors": REFUSED}
    assert await confirm(client, "<script>") == {"person": None, "userErrors": REFUSED}


async def test_a_link_works_for_24_hours_and_no_longer(
    db: Database, client: GraphQLClient, smtp: SmtpServer, clock: FakeClock
) -> None:
    ada = await make_person(db, email="ada@example.org")
    bo = await make_person(db, email="bo@example.org")
    early = await ask(client, smtp, await token_for(db, ada), "ada.new@example.org")
    late = await ask(client, smtp, await token_for(db, bo), "bo.new@example.org")

    clock.advance(hours=23, minutes=59, seconds=59)
    assert (await confirm(client, early))["userErrors"] == []
    clock.advance(seconds=1)
    before = await snapshot(db)
    assert await confirm(client, late) == {"person": None, "userErrors": REFUSED}
    expired = await client.http.post(f"/confirm-email/{late}")
    assert expired.status_code == 400
    assert await snapshot(db) == before
    assert await email_of(db, bo) == ("bo@example.org", "bo@example.org")
    me = (await client.data(ME, token=await token_for(db, bo)))["viewer"]
    assert me["pendingEmail"] is None


async def test_a_new_request_replaces_a_pending_one(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    ada = await make_person(db, email="ada@example.org")
    token = await token_for(db, ada)
    first = await ask(client, smtp, token, "ada.first@example.org")
    second = await ask(client, smtp, token, "ada.second@example.org")
    assert await confirm(client, first) == {"person": None, "userErrors": REFUSED}
    assert (await confirm(client, second))["userErrors"] == []
    assert await email_of(db, ada) == ("ada.second@example.org", "ada.second@example.org")


async def test_an_address_taken_meanwhile_is_refused_and_nothing_changes(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    ada = await make_person(db, email="ada@example.org")
    link = await ask(client, smtp, await token_for(db, ada), "shared@example.org")
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    created = await client.data(
        "mutation { createPerson(input: {displayName: 'Cy', email: 'Shared@example.org',"
        " kind: NURSE}) { person { id } userErrors { field } } }".replace("'", '"'),
        token=await token_for(db, staff),
    )
    assert created["createPerson"]["userErrors"] == []

    before = await snapshot(db)
    payload = await confirm(client, link)
    assert payload["person"] is None
    assert payload["userErrors"] == [
        {
            "field": "token",
            "code": "TAKEN",
            "message": "Someone else started using 'shared@example.org' after you asked for the "
            "change; choose another address.",
        }
    ]
    page = await client.http.post(f"/confirm-email/{link}")
    assert page.status_code == 409
    assert "Someone else started using" in page.text
    assert await snapshot(db) == before
    assert await email_of(db, ada) == ("ada@example.org", "ada@example.org")


async def test_confirming_ends_links_to_the_old_address_but_keeps_sessions(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    ada = await make_person(db, display_name="Ada Parent", email="ada@example.org")
    first_link = await sign_in_link(client, smtp, "ada@example.org")
    assert first_link is not None
    session_token = (await sign_in(client, first_link))["token"]
    old_link = await sign_in_link(client, smtp, "ada@example.org")
    assert old_link is not None
    link = await ask(client, smtp, session_token, "ada.new@example.org")

    assert (await confirm(client, link))["userErrors"] == []
    async with db.session() as session:
        links = await session.scalars(select(SignInLink).where(SignInLink.person_id == ada.id))
        assert links.all() == []
    assert (await sign_in(client, old_link))["token"] is None
    viewer = await client.data(VIEWER, token=session_token)
    assert viewer["viewer"]["person"]["displayName"] == "Ada Parent"


async def test_a_stored_address_mail_cannot_be_written_to_is_one_log_line(
    db: Database, client: GraphQLClient, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Üma's address is from before addresses had to be ASCII, and she moves to an ASCII one.
    The notice to the old address cannot be written (the email package needs SMTPUTF8 for it):
    one warning, without a traceback; the link to the new address goes out."""
    uma = await make_person(db, display_name="Üma Parent", email="üma@exämple.org")
    token = await token_for(db, uma)
    payload = await update_viewer(client, token, email="uma@example.org")
    assert payload["userErrors"] == []
    [confirmation] = smtp.messages
    assert confirmation["To"] == "Üma Parent <uma@example.org>"
    [record] = [r for r in caplog.records if r.name == "icn_graph.notifications.sign_in_mail"]
    assert record.levelname == "WARNING"
    assert record.exc_info is None
    assert record.getMessage().startswith(
        "email change notice mail to 'üma@exämple.org' not sent: cannot write the message:"
    )


async def test_asking_is_rate_limited_per_requester_never_per_address(
    db: Database, app: Starlette, client: GraphQLClient, smtp: SmtpServer
) -> None:
    """Each request mails the address given: five in 15 minutes per requester, from any client
    (ICN_SIGN_IN_RATE_PER_EMAIL), so nobody signed in can flood a stranger's inbox; the count is
    the requester's, never the address's, so asking uses up nobody else's allowance."""
    ada = await make_person(db, email="ada@example.org")
    token = await token_for(db, ada)
    for n in range(5):
        await ask(client, smtp, token, f"target{n}@example.org")
    before = await snapshot(db)
    sent = len(smtp.messages)
    async with client_from(app, address="198.51.100.23") as elsewhere:
        body = await elsewhere.execute(
            UPDATE_VIEWER, {"input": {"email": "other@example.org"}}, token=token
        )
        await elsewhere.settle()
    assert error_codes(body) == ["RATE_LIMITED"]
    assert await snapshot(db) == before
    assert len(smtp.messages) == sent
    # Someone else asking for the same address is not refused because of Ada.
    bo_token = await token_for(db, await make_person(db, email="bo@example.org"))
    async with client_from(app, address="198.51.100.24") as bo_client:
        await ask(bo_client, smtp, bo_token, "target0@example.org")


async def test_the_payload_answers_the_viewer_a_client_cache_shows(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    """Apollo Client keeps `viewer.pendingEmail` (and the preferences' time zone) under the
    Viewer: the payload's `viewer` updates them without a refetch."""
    ada = await make_person(db, display_name="Ada Parent", email="ada@example.org")
    token = await token_for(db, ada)
    data = await client.data(
        "mutation($input: UpdateViewerInput!) { updateViewer(input: $input) {"
        " viewer { id pendingEmail notificationPreferences { timezone } } } }",
        {"input": {"email": "ada.new@example.org", "timezone": "America/Chicago"}},
        token=token,
    )
    assert data["updateViewer"]["viewer"] == {
        "id": to_global_id("Person", ada.id),
        "pendingEmail": "ada.new@example.org",
        "notificationPreferences": {"timezone": "America/Chicago"},
    }


async def test_asking_for_a_taken_address_leaves_its_sign_in_alone(
    db: Database, app: Starlette, client: GraphQLClient, smtp: SmtpServer
) -> None:
    """Review F1: asking for someone's address, over and over, does not use up any of that
    person's sign-in allowance: they still get a sign-in link at once."""
    mallory = await make_person(db, email="mallory@example.org")
    token = await token_for(db, mallory)
    victim = await make_person(db, email="victim@example.org")
    for _ in range(5):
        payload = await update_viewer(client, token, email="victim@example.org")
        assert payload["userErrors"] == []
    async with client_from(app, address="203.0.113.99") as own:
        assert await sign_in_link(own, smtp, victim.email) is not None
