"""Rate limits on requestSignIn and signIn, per email and per client address: past a limit the
answer is RATE_LIMITED and nothing is sent or written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import SmtpServer, make_person, snapshot
from tests.helpers import error_codes
from tests.sign_in.helpers import (
    REQUEST_SIGN_IN,
    SIGN_IN,
    FakeClock,
    client_from,
    request_link,
    sign_in_app,
)

RATE_LIMITED_MESSAGE = (
    "Too many sign-in attempts from here or for this email; wait a few minutes and try again."
)


@pytest.fixture
def app(db: Database, settings: Settings, plugin_host: PluginHost, smtp: SmtpServer) -> Starlette:
    limited = settings.model_copy(
        update={
            "sign_in_rate_per_email": "2 per 15 minutes",
            "sign_in_rate_per_address": "4 per 15 minutes",
        }
    )
    return sign_in_app(db, limited, plugin_host, smtp, FakeClock(datetime.now(UTC)))


def assert_rate_limited(body: dict[str, object], field: str) -> None:
    assert body["data"] is None
    assert error_codes(body) == ["RATE_LIMITED"]
    errors = body["errors"]
    assert isinstance(errors, list)
    assert errors[0]["message"] == RATE_LIMITED_MESSAGE
    assert errors[0]["path"] == [field]


async def test_one_email_asks_twice_then_is_refused_from_anywhere(
    db: Database, app: Starlette, smtp: SmtpServer
) -> None:
    await make_person(db, email="ada@example.org")
    async with client_from(app, address="203.0.113.1") as first:
        await request_link(first, smtp, "ada@example.org")
        await request_link(first, smtp, "Ada@Example.org")
        before = await snapshot(db)
        body = await first.execute(REQUEST_SIGN_IN, {"email": "ada@example.org"})
        assert_rate_limited(body, "requestSignIn")
    async with client_from(app, address="198.51.100.9") as elsewhere:
        body = await elsewhere.execute(REQUEST_SIGN_IN, {"email": "ADA@example.org"})
        assert_rate_limited(body, "requestSignIn")
        # Someone else's email from there is fine.
        unknown = await elsewhere.data(REQUEST_SIGN_IN, {"email": "bo@example.org"})
        assert unknown["requestSignIn"]["userErrors"] == []
    assert len(smtp.messages) == 2
    assert await snapshot(db) == before


async def test_an_unknown_email_is_limited_the_same(db: Database, app: Starlette) -> None:
    async with client_from(app) as client:
        for _ in range(2):
            await client.data(REQUEST_SIGN_IN, {"email": "nobody@example.org"})
        body = await client.execute(REQUEST_SIGN_IN, {"email": "nobody@example.org"})
        assert_rate_limited(body, "requestSignIn")


async def test_one_address_is_refused_after_its_share_of_attempts(
    db: Database, app: Starlette, smtp: SmtpServer
) -> None:
    await make_person(db, email="ada@example.org")
    async with client_from(app, address="203.0.113.1") as client:
        token = await request_link(client, smtp, "ada@example.org")
        for email in ("b@example.org", "c@example.org"):
            await client.data(REQUEST_SIGN_IN, {"email": email})
        # The fourth attempt from this address, a sign-in, is still allowed ...
        signed_in = (await client.data(SIGN_IN, {"token": token}))["signIn"]
        assert signed_in["token"] is not None
        # ... and the fifth, whatever it is, is refused.
        assert_rate_limited(
            await client.execute(REQUEST_SIGN_IN, {"email": "d@example.org"}), "requestSignIn"
        )
        assert_rate_limited(await client.execute(SIGN_IN, {"token": token}), "signIn")
        page = await client.http.post(f"/sign-in/{token}")
        assert page.status_code == 429
        assert RATE_LIMITED_MESSAGE in page.text
    async with client_from(app, address="198.51.100.9") as other:
        ok = await other.data(REQUEST_SIGN_IN, {"email": "d@example.org"})
        assert ok["requestSignIn"]["userErrors"] == []
    assert len(smtp.messages) == 1


def test_a_rate_that_does_not_parse_names_the_setting() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="sign_in_rate_per_email"):
        Settings(sign_in_rate_per_email="lots", _env_file=None)  # type: ignore[call-arg]
