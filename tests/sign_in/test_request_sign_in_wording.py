"""What ``requestSignIn`` and a refused link say: the link's lifetime as ICN_SIGN_IN_LINK_MINUTES
sets it (in the answer, the refusal, the page and the mail, "1 minute" for one), and no "link on
its way" for a malformed address."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, SmtpServer, make_person
from tests.sign_in.helpers import (
    REQUEST_SIGN_IN,
    FakeClock,
    link_tokens,
    sign_in,
    sign_in_app,
)


@pytest.fixture
def app(
    db: Database, settings: Settings, plugin_host: PluginHost, smtp: SmtpServer, clock: FakeClock
) -> Starlette:
    one_minute = settings.model_copy(update={"sign_in_link_minutes": 1})
    return sign_in_app(db, one_minute, plugin_host, smtp, clock)


async def test_the_wording_follows_the_link_minutes(
    db: Database, client: GraphQLClient, smtp: SmtpServer, clock: FakeClock
) -> None:
    await make_person(db, email="ada@example.org")
    data = await client.data(REQUEST_SIGN_IN, {"email": "ada@example.org"})
    assert data["requestSignIn"] == {
        "message": "If an account has this email, a sign-in link is on its way to it. The link "
        "works once, for 1 minute.",
        "userErrors": [],
    }
    [mail] = smtp.messages
    for part in ("plain", "html"):
        body = mail.get_body((part,))
        assert body is not None
        assert "1 minute from when it was asked for" in body.get_content()
        assert "minutes" not in body.get_content()
    [token] = link_tokens(smtp)

    clock.advance(minutes=1)
    refusal = (
        "This sign-in link is unknown, already used or expired; ask for a new one (links work "
        "once, for 1 minute)."
    )
    assert (await sign_in(client, token))["userErrors"] == [
        {"field": "token", "message": refusal, "code": "INVALID"}
    ]
    page = await client.http.post(f"/sign-in/{token}", headers={"Origin": "http://testserver"})
    assert page.status_code == 400
    assert refusal in page.text


async def test_a_malformed_email_gets_only_its_user_error(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    data = await client.data(REQUEST_SIGN_IN, {"email": "not an email"})
    payload = data["requestSignIn"]
    assert payload["message"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("email", "INVALID")]
    assert smtp.messages == []
