"""Rate limits on requestSignIn and signIn. Visible (RATE_LIMITED, nothing sent or written): per
client address, and per email from one client address. Silent: a person holds at most
ICN_SIGN_IN_LIVE_LINKS working links at once; past that the answer is the usual one and nothing
is sent, and the links they hold are theirs to use, so nobody can lock a person out or flood
their inbox, and nobody learns anything. An IPv6 client is its /64."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.services.sign_in.rate_limits import client_key
from icn_graph.testing import SmtpServer, make_person, snapshot
from tests.helpers import error_codes
from tests.sign_in.helpers import (
    REQUEST_SIGN_IN,
    SIGN_IN,
    FakeClock,
    client_from,
    link_tokens,
    request_link,
    sign_in,
    sign_in_app,
)

RATE_LIMITED_MESSAGE = (
    "Too many sign-in attempts from here or for this email; wait a few minutes and try again."
)
REQUESTED = {
    "requestSignIn": {
        "message": "If an account has this email, a sign-in link is on its way to it. The link "
        "works once, for 15 minutes.",
        "userErrors": [],
    }
}


@pytest.fixture
def app(
    db: Database, settings: Settings, plugin_host: PluginHost, smtp: SmtpServer, clock: FakeClock
) -> Starlette:
    limited = settings.model_copy(
        update={
            "sign_in_rate_per_email": "2 per 15 minutes",
            "sign_in_rate_per_address": "4 per 15 minutes",
            "sign_in_live_links": 3,
        }
    )
    return sign_in_app(db, limited, plugin_host, smtp, clock)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


def assert_rate_limited(body: dict[str, object], field: str) -> None:
    assert body["data"] is None
    assert error_codes(body) == ["RATE_LIMITED"]
    errors = body["errors"]
    assert isinstance(errors, list)
    assert errors[0]["message"] == RATE_LIMITED_MESSAGE
    assert errors[0]["path"] == [field]


async def test_one_email_from_one_address_is_refused_there_not_elsewhere(
    db: Database, app: Starlette, smtp: SmtpServer
) -> None:
    """Someone asking for a person's links cannot lock that person out."""
    await make_person(db, email="ada@example.org")
    async with client_from(app, address="198.51.100.66") as attacker:
        await request_link(attacker, smtp, "ada@example.org")
        await request_link(attacker, smtp, "Ada@Example.org")
        before = await snapshot(db)
        body = await attacker.execute(REQUEST_SIGN_IN, {"email": "ada@example.org"})
        assert_rate_limited(body, "requestSignIn")
        assert await snapshot(db) == before
        # Someone else's email from there is fine.
        unknown = await attacker.data(REQUEST_SIGN_IN, {"email": "bo@example.org"})
        assert unknown == REQUESTED
    async with client_from(app, address="203.0.113.1") as ada:
        await request_link(ada, smtp, "ADA@example.org")
    assert len(smtp.messages) == 3


async def test_past_the_live_links_the_answer_is_the_same_and_nothing_is_sent(
    db: Database, app: Starlette, smtp: SmtpServer
) -> None:
    await make_person(db, email="ada@example.org")
    addresses = [f"198.51.100.{n}" for n in range(1, 7)]
    for address in addresses[:3]:
        async with client_from(app, address=address) as client:
            await request_link(client, smtp, "ada@example.org")
    before = await snapshot(db)
    for address in addresses[3:]:
        async with client_from(app, address=address) as client:
            answer = await client.data(REQUEST_SIGN_IN, {"email": "ada@example.org"})
            assert answer == REQUESTED
    assert len(smtp.messages) == 3
    assert await snapshot(db) == before  # no link was made either
    # The limit is per person: another person's mail still goes out.
    await make_person(db, email="bo@example.org")
    async with client_from(app, address=addresses[-1]) as client:
        await request_link(client, smtp, "bo@example.org")


async def test_nobody_can_lock_a_person_out(
    db: Database, app: Starlette, smtp: SmtpServer, clock: FakeClock
) -> None:
    """Review F1: an attacker asking for a person's links all day (from as many clients as it
    likes) leaves the person with working links in their inbox, and a new one as soon as those
    expire; no daily count runs out. At most 3 links per 15 minutes reach the inbox."""
    await make_person(db, email="ada@example.org")
    attackers = (f"198.51.100.{n}" for n in range(1, 200))
    for _ in range(8):  # two hours
        for _ in range(6):
            async with client_from(app, address=next(attackers)) as attacker:
                answer = await attacker.data(REQUEST_SIGN_IN, {"email": "ada@example.org"})
                assert answer == REQUESTED
        assert len(link_tokens(smtp)) % 3 == 0
        clock.advance(minutes=15)
    assert len(smtp.messages) == 8 * 3
    # Ada, from her own client, asks while the attacker's last three links are live ...
    clock.advance(minutes=-1)
    async with client_from(app, address="203.0.113.1") as ada:
        answer = await ada.data(REQUEST_SIGN_IN, {"email": "ada@example.org"})
        assert answer == REQUESTED
        assert len(smtp.messages) == 24
        # ... and signs in with one of those in her inbox; that frees room for a new one.
        signed_in = await sign_in(ada, link_tokens(smtp)[-1])
        assert signed_in["token"] is not None
        await request_link(ada, smtp, "ada@example.org")
    # Once they expire, she gets a link at once (from her phone: the limits' own clock is real).
    clock.advance(minutes=16)
    async with client_from(app, address="203.0.113.2") as phone:
        await request_link(phone, smtp, "Ada@example.org")


async def test_an_ipv6_client_is_its_64(db: Database, app: Starlette) -> None:
    """Each address of one /64 (what one subscriber gets) counts against the same limit."""
    for host in range(1, 5):
        async with client_from(app, address=f"2001:db8:1:2::{host:x}") as client:
            body = await client.execute(REQUEST_SIGN_IN, {"email": f"p{host}@example.org"})
            assert body["data"] == REQUESTED
    async with client_from(app, address="2001:db8:1:2:ffff:ffff:ffff:ffff") as same_64:
        body = await same_64.execute(REQUEST_SIGN_IN, {"email": "q@example.org"})
        assert_rate_limited(body, "requestSignIn")
    async with client_from(app, address="2001:db8:1:3::1") as next_64:
        body = await next_64.execute(REQUEST_SIGN_IN, {"email": "q@example.org"})
        assert body["data"] == REQUESTED


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("fe80::1%eth0", "fe80::/64"),
        ("unknown", "unknown"),
    ],
)
def test_client_keys(address: str, key: str) -> None:
    assert client_key(address) == key


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
