"""Magic-link sign-in through real HTTP and a real SMTP server: requestSignIn never tells who
has an account, links work once and for 15 minutes, GET never uses them, the page escapes."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from sqlalchemy import select, text

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.models import ApiToken, NetworkRole, PersonKind, SignInLink, TokenKind
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, SmtpServer, make_person, snapshot
from tests.helpers import error_codes
from tests.sign_in.helpers import (
    REQUEST_SIGN_IN,
    VIEWER,
    FakeClock,
    as_compared,
    client_from,
    link_tokens,
    request_link,
    shown_token,
    sign_in,
    sign_in_app,
)

REFUSED = [
    {
        "field": "token",
        "code": "INVALID",
        "message": "This sign-in link is unknown, already used or expired; ask for a new one "
        "(links work once, for 15 minutes).",
    }
]


async def test_the_answer_is_the_same_whether_the_email_exists_or_not(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    await make_person(db, display_name="Ada Parent", email="ada@example.org")
    known = await client.execute(REQUEST_SIGN_IN, {"email": "ADA@example.org "})
    before = await snapshot(db)
    unknown = await client.execute(REQUEST_SIGN_IN, {"email": "nobody@example.org"})
    assert as_compared(known) == as_compared(unknown)
    assert known["data"]["requestSignIn"]["userErrors"] == []
    assert "If an account has this email" in known["data"]["requestSignIn"]["message"]
    # Only the person with the email got mail, and nothing was written for the stranger.
    assert await snapshot(db) == before
    [message] = smtp.messages
    assert message["To"] == "Ada Parent <ada@example.org>"
    assert message["Subject"] == "Sign in to Test Network"
    assert message["Auto-Submitted"] == "auto-generated"
    html = message.get_body(("html",))
    assert html is not None
    [token] = link_tokens(smtp)
    assert f"https://icn.example.org/sign-in/{token}" in html.get_content()


async def test_the_answer_comes_before_anyone_is_looked_up(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    """Looking the email up, making the link and mailing it happen after the answer, so the
    answer takes as long whether or not the email has an account (no timing oracle). Shown by
    answering while another connection holds the people table (PostgreSQL: an exclusive lock)
    or the database's write lock (SQLite); a lookup before answering would wait for it."""
    await make_person(db, display_name="Ada Parent", email="ada@example.org")
    payload = {"query": REQUEST_SIGN_IN, "variables": {"email": "ada@example.org"}}
    async with db.engine.connect() as holder:
        if db.dialect == "postgresql":
            await holder.execute(text("LOCK TABLE people IN ACCESS EXCLUSIVE MODE"))
        else:
            await holder.execute(text("UPDATE people SET display_name = display_name"))
        answered = await asyncio.wait_for(client.http.post("/graphql", json=payload), 30)
        assert smtp.messages == []
        await holder.rollback()
    assert answered.status_code == 200
    body = answered.json()
    assert "errors" not in body, body["errors"]
    assert body["data"] == {
        "requestSignIn": {
            "message": "If an account has this email, a sign-in link is on its way to it. "
            "The link works once, for 15 minutes.",
            "userErrors": [],
        }
    }
    await client.settle()  # the lookup, the link and the mail, once the table is free
    [message] = smtp.messages
    assert message["To"] == "Ada Parent <ada@example.org>"
    assert len(link_tokens(smtp)) == 1


async def test_with_the_database_down_the_answer_is_the_same_and_the_failure_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The lookup runs after the answer, so the answer cannot tell; the log does, in one line."""
    unreachable = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    settings = Settings(database_url=unreachable, _env_file=None)  # type: ignore[arg-type,call-arg]
    app = create_app(settings)
    async with client_from(app) as client:
        data = await client.data(REQUEST_SIGN_IN, {"email": "ada@example.org"})
    await app.state.sign_in_mail.drain()
    assert data["requestSignIn"]["userErrors"] == []
    [record] = [r for r in caplog.records if r.name == "icn_graph.notifications.sign_in_mail"]
    assert record.levelname == "ERROR"
    assert record.exc_info is None
    assert record.getMessage().startswith(
        "sign-in link for ada@example.org not made: database unavailable:"
    )
    await app.state.db.dispose()


async def test_a_malformed_email_is_a_user_error_for_everyone(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    before = await snapshot(db)
    data = await client.data(REQUEST_SIGN_IN, {"email": "not an email"})
    assert [(e["field"], e["code"]) for e in data["requestSignIn"]["userErrors"]] == [
        ("email", "INVALID")
    ]
    assert await snapshot(db) == before
    assert smtp.messages == []


async def test_the_link_is_256_bits_stored_only_as_a_hash(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    await make_person(db, email="ada@example.org")
    token = await request_link(client, smtp, "ada@example.org")
    secret = token.removeprefix("icnlink_")
    assert len(secret) == 43  # 32 random bytes, base64url
    async with db.session() as session:
        link = (await session.scalars(select(SignInLink))).one()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(await snapshot(db))
    assert secret[:16] not in repr(await snapshot(db))


async def test_a_link_signs_in_once(db: Database, client: GraphQLClient, smtp: SmtpServer) -> None:
    await make_person(db, display_name="Ada Parent", email="ada@example.org")
    token = await request_link(client, smtp, "ada@example.org")

    signed_in = await sign_in(client, token)
    assert signed_in["userErrors"] == []
    assert signed_in["person"] == {"displayName": "Ada Parent"}
    session_token = signed_in["token"]
    assert session_token.startswith("icn_")
    viewer = await client.data(VIEWER, token=session_token)
    assert viewer["viewer"]["person"]["displayName"] == "Ada Parent"

    before = await snapshot(db)
    again = await sign_in(client, token)
    assert again == {"token": None, "expiresAt": None, "person": None, "userErrors": REFUSED}
    assert await snapshot(db) == before
    unknown = await sign_in(client, "icnlink_" + "x" * 43)
    assert unknown == again
    garbage = await sign_in(client, "<script>")
    assert garbage == again


async def test_a_link_works_for_15_minutes_and_no_longer(
    db: Database, client: GraphQLClient, smtp: SmtpServer, clock: FakeClock
) -> None:
    await make_person(db, email="ada@example.org")
    early = await request_link(client, smtp, "ada@example.org")
    late = await request_link(client, smtp, "ada@example.org")

    clock.advance(minutes=14, seconds=59)
    assert (await sign_in(client, early))["token"] is not None
    clock.advance(seconds=1)  # exactly 15 minutes after it was asked for
    expired = await sign_in(client, late)
    assert expired["userErrors"] == REFUSED


async def test_get_never_uses_the_link_and_post_does(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    await make_person(db, display_name="Ada Parent", email="ada@example.org")
    token = await request_link(client, smtp, "ada@example.org")
    before = await snapshot(db)

    for method in ("GET", "HEAD", "GET"):
        page = await client.http.request(method, f"/sign-in/{token}")
        assert page.status_code == 200
    assert await snapshot(db) == before
    page = await client.http.get(f"/sign-in/{token}")
    assert '<form method="post"' in page.text
    assert "<button" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "same-origin"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "form-action 'self';" in page.headers["content-security-policy"]

    posted = await client.http.post(f"/sign-in/{token}")
    assert posted.status_code == 200
    assert posted.headers["cache-control"] == "no-store"
    async with db.session() as session:
        [session_row] = (
            await session.scalars(select(ApiToken).where(ApiToken.kind == TokenKind.SESSION))
        ).all()
    session_token = shown_token(posted.text)
    assert session_row.token_hash == hashlib.sha256(session_token.encode()).hexdigest()
    assert session_row.user_agent == "pytest"
    viewer = await client.data(VIEWER, token=session_token)
    assert viewer["viewer"]["person"]["displayName"] == "Ada Parent"

    used = await client.http.post(f"/sign-in/{token}")
    assert used.status_code == 400
    assert "unknown, already used or expired" in used.text
    unknown = await client.http.post("/sign-in/icnlink_nothing")
    assert (unknown.status_code, unknown.text) == (400, used.text)


async def test_with_a_redirect_url_the_token_travels_in_the_fragment(
    db: Database,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
    clock: FakeClock,
) -> None:
    redirecting = settings.model_copy(
        update={"sign_in_redirect_url": "https://app.example.org/signed-in"}
    )
    app = sign_in_app(db, redirecting, plugin_host, smtp, clock)
    await make_person(db, email="ada@example.org")
    async with client_from(app) as client:
        token = await request_link(client, smtp, "ada@example.org")
        page = await client.http.get(f"/sign-in/{token}")
        # The button's form may follow the redirect to the app's origin, and nowhere else.
        assert (
            "form-action 'self' https://app.example.org;"
            in (page.headers["content-security-policy"])
        )
        posted = await client.http.post(f"/sign-in/{token}")
        assert posted.status_code == 303
        location = posted.headers["location"]
        assert location.startswith("https://app.example.org/signed-in#token=icn_")
        assert posted.headers["referrer-policy"] == "same-origin"  # no Referer to the app
        session_token = location.split("#token=", 1)[1]
        assert (await client.data(VIEWER, token=session_token))["viewer"] is not None


async def test_the_page_and_the_mail_escape_what_they_show(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    name = '<script>alert("x")</script> & <b>Co</b>'
    await make_person(db, display_name=name, email="ada@example.org")
    token = await request_link(client, smtp, "ada@example.org")
    html = smtp.messages[0].get_body(("html",))
    assert html is not None
    assert "<script>" not in html.get_content()
    assert "&lt;script&gt;" in html.get_content()

    hostile = await client.http.get('/sign-in/"><img src=x onerror=alert(1)>')
    assert hostile.status_code == 200
    assert "<img" not in hostile.text
    assert '"><' not in hostile.text

    posted = await client.http.post(f"/sign-in/{token}")
    assert posted.status_code == 200
    assert "<script>" not in posted.text
    assert "<b>Co</b>" not in posted.text
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" in posted.text
    )


async def test_staff_sign_in_the_same_way(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    await make_person(
        db, PersonKind.STAFF, network_role=NetworkRole.STAFF, email="staff@example.org"
    )
    token = await request_link(client, smtp, "staff@example.org")
    session_token = (await sign_in(client, token))["token"]
    body = await client.execute("{ centers { totalCount } }", token=session_token)
    assert error_codes(body) == []
    assert body["data"] == {"centers": {"totalCount": 0}}
