"""Sessions and personal access tokens over real HTTP: listing, sliding expiry with throttled
writes, revocation by the owner or staff (NOT_FOUND for others), read-only tokens, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from icn_graph.db.database import Database
from icn_graph.models import ApiToken, NetworkRole, Person, PersonKind, TokenKind
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import GraphQLClient, SmtpServer, make_person, snapshot, token_for
from tests.helpers import error_codes
from tests.sign_in.helpers import (
    VIEWER,
    FakeClock,
    client_from,
    request_link,
    sign_in,
)

FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0"
SESSIONS = "{ viewer { sessions { id device createdAt lastUsedAt expiresAt current } } }"
REVOKE_SESSION = (
    "mutation($id: ID!) { revokeSession(input: {id: $id}) {"
    " revokedSessionId userErrors { field code } } }"
)
CREATE_PAT = (
    "mutation($input: CreatePersonalAccessTokenInput!) { createPersonalAccessToken(input: $input)"
    " { token personalAccessToken { id name expiresAt readOnly lastUsedAt }"
    " userErrors { field message code } } }"
)
REVOKE_SESSION_FOR_CACHES = (
    "mutation($id: ID!) { revokeSession(input: {id: $id}) {"
    " revokedSessionId viewer { sessions { id } } userErrors { field code } } }"
)
PATS = "{ viewer { personalAccessTokens { id name readOnly lastUsedAt expiresAt } } }"
REVOKE_PAT = (
    "mutation($id: ID!) { revokePersonalAccessToken(input: {id: $id}) {"
    " revokedPersonalAccessTokenId userErrors { field code } } }"
)


async def signed_in(app: Starlette, smtp: SmtpServer, email: str, user_agent: str) -> str:
    async with client_from(app, user_agent=user_agent) as client:
        token = await request_link(client, smtp, email)
        session_token: str = (await sign_in(client, token))["token"]
        return session_token


async def session_row(db: Database, person: Person) -> list[ApiToken]:
    async with db.session() as session:
        statement = select(ApiToken).where(
            ApiToken.person_id == person.id, ApiToken.kind == TokenKind.SESSION
        )
        return list(await session.scalars(statement.order_by(ApiToken.id)))


async def test_sessions_list_devices_and_the_current_one(
    db: Database, app: Starlette, client: GraphQLClient, smtp: SmtpServer, clock: FakeClock
) -> None:
    ada = await make_person(db, email="ada@example.org")
    laptop = await signed_in(app, smtp, "ada@example.org", FIREFOX)
    clock.advance(hours=2)
    script = await signed_in(app, smtp, "ada@example.org", "curl/8.5.0")
    clock.advance(minutes=1)

    sessions = (await client.data(SESSIONS, token=laptop))["viewer"]["sessions"]
    rows = await session_row(db, ada)
    # The laptop is being used (two hours after it signed in), so it comes first.
    assert [s["device"] for s in sessions] == ["Firefox on macOS", "curl"]
    assert [s["current"] for s in sessions] == [True, False]
    assert [s["id"] for s in sessions] == [to_global_id("Session", row.id) for row in rows]
    assert sessions[0]["expiresAt"] == (clock.now + timedelta(days=30)).isoformat()
    # Nobody else's sessions show, and a CLI token is not a session.
    await make_person(db, email="bo@example.org")
    await signed_in(app, smtp, "bo@example.org", FIREFOX)
    cli = await token_for(db, ada)
    assert len((await client.data(SESSIONS, token=cli))["viewer"]["sessions"]) == 2
    assert (await client.data(SESSIONS, token=script))["viewer"]["sessions"][1]["current"] is True


async def test_use_extends_a_session_but_writes_at_most_once_an_hour(
    db: Database, app: Starlette, client: GraphQLClient, smtp: SmtpServer, clock: FakeClock
) -> None:
    ada = await make_person(db, email="ada@example.org")
    token = await signed_in(app, smtp, "ada@example.org", FIREFOX)
    [signed] = await session_row(db, ada)

    clock.advance(minutes=59)
    await client.data(VIEWER, token=token)
    [unchanged] = await session_row(db, ada)
    assert (unchanged.last_used_at, unchanged.expires_at) == (
        signed.last_used_at,
        signed.expires_at,
    )

    clock.advance(minutes=1)
    await client.data(VIEWER, token=token)
    [touched] = await session_row(db, ada)
    assert touched.last_used_at == clock.now
    assert touched.expires_at == clock.now + timedelta(days=30)

    # Unused for 30 days, it has ended.
    clock.advance(days=30)
    body = await client.execute(VIEWER, token=token)
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_the_owner_revokes_a_session_and_its_token_fails_at_once(
    db: Database, app: Starlette, client: GraphQLClient, smtp: SmtpServer
) -> None:
    ada = await make_person(db, email="ada@example.org")
    kept = await signed_in(app, smtp, "ada@example.org", FIREFOX)
    lost = await signed_in(app, smtp, "ada@example.org", "curl/8.5.0")
    lost_id = to_global_id("Session", (await session_row(db, ada))[1].id)

    data = await client.data(REVOKE_SESSION_FOR_CACHES, {"id": lost_id}, token=kept)
    kept_id = to_global_id("Session", (await session_row(db, ada))[0].id)
    # The viewer's sessions as they are now, so a client cache drops the one ended.
    assert data["revokeSession"] == {
        "revokedSessionId": lost_id,
        "viewer": {"sessions": [{"id": kept_id}]},
        "userErrors": [],
    }
    assert error_codes(await client.execute(VIEWER, token=lost)) == ["UNAUTHENTICATED"]
    sessions = (await client.data(SESSIONS, token=kept))["viewer"]["sessions"]
    assert [s["id"] for s in sessions] != [lost_id]
    assert len(sessions) == 1
    # Revoked is gone: revoking it again is NOT_FOUND.
    again = await client.execute(REVOKE_SESSION, {"id": lost_id}, token=kept)
    assert error_codes(again) == ["NOT_FOUND"]


async def test_staff_may_revoke_anyones_session_others_find_nothing(
    db: Database, app: Starlette, client: GraphQLClient, smtp: SmtpServer
) -> None:
    ada = await make_person(db, email="ada@example.org")
    ada_token = await signed_in(app, smtp, "ada@example.org", FIREFOX)
    ada_session = to_global_id("Session", (await session_row(db, ada))[0].id)
    bo = await make_person(db, email="bo@example.org")
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)

    bo_token = await token_for(db, bo)
    before = await snapshot(db)
    body = await client.execute(REVOKE_SESSION, {"id": ada_session}, token=bo_token)
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["errors"][0]["message"] == "No session has that ID."
    assert await snapshot(db) == before
    unknown = to_global_id("Session", 999_999)
    body = await client.execute(REVOKE_SESSION, {"id": unknown}, token=bo_token)
    assert body["errors"][0]["message"] == "No session has that ID."

    staff_token = await token_for(db, staff)
    data = await client.data(REVOKE_SESSION, {"id": ada_session}, token=staff_token)
    assert data["revokeSession"]["revokedSessionId"] == ada_session
    assert error_codes(await client.execute(VIEWER, token=ada_token)) == ["UNAUTHENTICATED"]


async def test_personal_access_tokens_are_shown_once_listed_and_revoked(
    db: Database, client: GraphQLClient, clock: FakeClock
) -> None:
    ada = await make_person(db, email="ada@example.org", display_name="Ada")
    session = await token_for(db, ada)
    expires = (clock.now + timedelta(days=90)).isoformat()
    made = await client.data(
        CREATE_PAT, {"input": {"name": " nightly export ", "expiresAt": expires}}, token=session
    )
    payload = made["createPersonalAccessToken"]
    assert payload["userErrors"] == []
    secret = payload["token"]
    assert secret.startswith("icn_")
    pat = payload["personalAccessToken"]
    assert pat["name"] == "nightly export"
    assert (pat["readOnly"], pat["lastUsedAt"], pat["expiresAt"]) == (False, None, expires)
    assert secret not in repr(await snapshot(db))

    assert (await client.data(VIEWER, token=secret))["viewer"]["person"]["displayName"] == "Ada"
    listed = (await client.data(PATS, token=session))["viewer"]["personalAccessTokens"]
    assert [(p["id"], p["name"]) for p in listed] == [(pat["id"], "nightly export")]
    assert listed[0]["lastUsedAt"] == clock.now.isoformat()
    assert "token" not in listed[0]

    revoked = await client.data(
        "mutation($id: ID!) { revokePersonalAccessToken(input: {id: $id}) {"
        " revokedPersonalAccessTokenId viewer { personalAccessTokens { id } } } }",
        {"id": pat["id"]},
        token=session,
    )
    # The viewer's tokens as they are now, so a client cache drops the one revoked.
    assert revoked["revokePersonalAccessToken"] == {
        "revokedPersonalAccessTokenId": pat["id"],
        "viewer": {"personalAccessTokens": []},
    }
    assert error_codes(await client.execute(VIEWER, token=secret)) == ["UNAUTHENTICATED"]
    assert (await client.data(PATS, token=session))["viewer"]["personalAccessTokens"] == []


async def test_a_personal_access_token_stops_at_its_expiry(
    db: Database, client: GraphQLClient, clock: FakeClock
) -> None:
    ada = await make_person(db, email="ada@example.org")
    expires = (clock.now + timedelta(days=1)).isoformat()
    made = await client.data(
        CREATE_PAT,
        {"input": {"name": "one day", "expiresAt": expires}},
        token=await token_for(db, ada),
    )
    secret = made["createPersonalAccessToken"]["token"]
    clock.advance(hours=23, minutes=59)
    assert (await client.data(VIEWER, token=secret))["viewer"] is not None
    clock.advance(minutes=1)
    assert error_codes(await client.execute(VIEWER, token=secret)) == ["UNAUTHENTICATED"]


async def test_a_read_only_token_reads_but_its_mutations_are_forbidden(
    db: Database, client: GraphQLClient
) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    made = await client.data(
        CREATE_PAT,
        {"input": {"name": "dashboards", "readOnly": True}},
        token=await token_for(db, staff),
    )
    secret = made["createPersonalAccessToken"]["token"]
    assert made["createPersonalAccessToken"]["personalAccessToken"]["readOnly"] is True
    assert (await client.data("{ centers { totalCount } }", token=secret)) == {
        "centers": {"totalCount": 0}
    }

    before = await snapshot(db)
    for mutation in (
        'mutation { createCenter(input: {name: "X", shortCode: "X", city: "Y", region: "Z",'
        ' country: "US", joinedOn: "2024-01-01"}) { center { id } } }',
        'mutation { createPersonalAccessToken(input: {name: "more"}) { token } }',
        'mutation { updateViewer(input: {displayName: "Z"}) { person { id } } }',
    ):
        body = await client.execute(mutation, token=secret)
        assert body["data"] is None
        assert error_codes(body) == ["FORBIDDEN"]
        assert "read-only" in body["errors"][0]["message"]
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"name": "  "}, [("name", "REQUIRED")], id="blank-name"),
        pytest.param({"name": "x" * 101}, [("name", "TOO_LONG")], id="long-name"),
        pytest.param(
            {"name": "old", "expiresAt": "2001-01-01T00:00:00+00:00"},
            [("expiresAt", "INVALID")],
            id="past-expiry",
        ),
        pytest.param(
            {"name": "forever", "expiresAt": "2999-01-01T00:00:00+00:00"},
            [("expiresAt", "INVALID")],
            id="far-expiry",
        ),
    ],
)
async def test_bad_personal_access_token_input_names_the_field(
    db: Database, client: GraphQLClient, fields: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    token = await token_for(db, await make_person(db))
    before = await snapshot(db)
    data = await client.data(CREATE_PAT, {"input": fields}, token=token)
    payload = data["createPersonalAccessToken"]
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == expected
    assert (payload["token"], payload["personalAccessToken"]) == (None, None)
    assert await snapshot(db) == before
