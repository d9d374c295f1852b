"""Review F3: ending a session that may have been stolen leaves nothing of it working. Revoking
a session revokes the personal access tokens and the calendar feed made with it (not those made
with another session); ``signOutEverywhere`` ends every other session, every token, the feed and
a pending email change at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.applications import Starlette

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, SmtpServer, make_person, token_for
from tests.helpers import error_codes
from tests.sign_in.helpers import VIEWER, FakeClock, client_from, request_link, sign_in, sign_in_app

SESSIONS = "{ viewer { pendingEmail sessions { id current } } }"
REVOKE_SESSION = (
    "mutation($id: ID!) { revokeSession(input: {id: $id}) {"
    " revokedSessionId userErrors { field code } } }"
)
CREATE_PAT = (
    'mutation { createPersonalAccessToken(input: {name: "script"}) { token'
    " userErrors { field code } } }"
)
CREATE_FEED = "mutation { createCalendarFeed { mineUrl userErrors { field code } } }"
SIGN_OUT = (
    "mutation($keep: Boolean!) { signOutEverywhere(input: {keepCurrentSession: $keep}) {"
    " revokedSessions revokedPersonalAccessTokens calendarFeedRevoked"
    " userErrors { field code } } }"
)
CHANGE_EMAIL = (
    'mutation { updateViewer(input: {email: "thief@example.org"}) { pendingEmail'
    " userErrors { field code } } }"
)


@pytest.fixture
def app(db: Database, settings: Settings, plugin_host: PluginHost, smtp: SmtpServer) -> Starlette:
    return sign_in_app(db, settings, plugin_host, smtp, FakeClock(datetime.now(UTC)))


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[GraphQLClient]:
    async with client_from(app) as client:
        yield client
        await client.settle()


async def _session(client: GraphQLClient, smtp: SmtpServer, email: str) -> str:
    link = await request_link(client, smtp, email)
    token: str = (await sign_in(client, link))["token"]
    return token


async def _made_with(client: GraphQLClient, session: str) -> tuple[str, str]:
    """A personal access token and a calendar feed's path, made with ``session``."""
    pat = (await client.data(CREATE_PAT, token=session))["createPersonalAccessToken"]["token"]
    feed = (await client.data(CREATE_FEED, token=session))["createCalendarFeed"]["mineUrl"]
    return pat, feed.removeprefix("https://icn.example.org")


async def _works(client: GraphQLClient, token: str) -> bool:
    body = await client.execute(VIEWER, token=token)
    return "errors" not in body


async def _current_id(client: GraphQLClient, token: str) -> str:
    sessions = (await client.data(SESSIONS, token=token))["viewer"]["sessions"]
    [current] = [s["id"] for s in sessions if s["current"]]
    return str(current)


async def test_revoking_a_session_revokes_what_it_made(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    await make_person(db, email="ada@example.org")
    stolen = await _session(client, smtp, "ada@example.org")
    own = await _session(client, smtp, "ada@example.org")
    thief_pat, thief_feed = await _made_with(client, stolen)
    own_pat = (await client.data(CREATE_PAT, token=own))["createPersonalAccessToken"]["token"]
    assert await _works(client, thief_pat)
    assert (await client.http.get(thief_feed)).status_code == 200
    revoked = await client.data(
        REVOKE_SESSION, {"id": await _current_id(client, stolen)}, token=own
    )
    assert revoked["revokeSession"]["userErrors"] == []
    assert not await _works(client, stolen)
    assert not await _works(client, thief_pat)
    assert (await client.http.get(thief_feed)).status_code == 404
    # What another session made stays.
    assert await _works(client, own)
    assert await _works(client, own_pat)


async def test_sign_out_everywhere_ends_all_but_this_session(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    ada = await make_person(db, email="ada@example.org")
    stolen = await _session(client, smtp, "ada@example.org")
    own = await _session(client, smtp, "ada@example.org")
    cli = await token_for(db, ada)
    pat, feed = await _made_with(client, own)
    assert (await client.data(CHANGE_EMAIL, token=stolen))["updateViewer"]["userErrors"] == []
    # A personal access token cannot sign its owner out.
    refused = await client.execute(SIGN_OUT, {"keep": True}, token=pat)
    assert error_codes(refused) == ["FORBIDDEN"]
    done = (await client.data(SIGN_OUT, {"keep": True}, token=own))["signOutEverywhere"]
    assert done == {
        "revokedSessions": 1,
        "revokedPersonalAccessTokens": 1,
        "calendarFeedRevoked": True,
        "userErrors": [],
    }
    assert not await _works(client, stolen)
    assert not await _works(client, pat)
    assert (await client.http.get(feed)).status_code == 404
    viewer: dict[str, Any] = (await client.data(SESSIONS, token=own))["viewer"]
    assert viewer["pendingEmail"] is None  # the thief's email change is withdrawn
    assert [s["current"] for s in viewer["sessions"]] == [True]
    assert await _works(client, cli)  # CLI tokens are the operator's, not the person's
    gone = (await client.data(SIGN_OUT, {"keep": False}, token=own))["signOutEverywhere"]
    assert gone["revokedSessions"] == 1
    assert not await _works(client, own)
