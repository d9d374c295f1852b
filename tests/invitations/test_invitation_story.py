"""The whole story through real HTTP and a real SMTP server: a QI lead invites a parent partner,
the mail arrives, GET of its link changes nothing, POST makes the account and the membership and
signs in, and the link never works again."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.events.models import OutboxEvent
from icn_graph.models import ApiToken, Invitation, Membership, Person, PersonKind, TokenKind
from icn_graph.plugins.manager import PluginHost
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import GraphQLClient, SmtpServer, snapshot
from tests.invitations.helpers import (
    ACCEPT,
    CENTER_INVITATIONS,
    VIEWER,
    Team,
    invite_and_read_link,
)
from tests.sign_in.helpers import FakeClock, client_from, shown_token, sign_in_app

MESSAGE = "Welcome, Dana!\nWe meet <b>monthly</b> & talk <script>alert(1)</script>."


async def test_a_qi_lead_invites_a_parent_partner_who_joins_through_the_link(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    payload, token = await invite_and_read_link(
        client, smtp, team.lead_token, team.center_id, message=MESSAGE
    )
    invitation = payload["invitation"]
    assert invitation | {"id": None} == {
        "id": None,
        "state": "PENDING",
        "email": "dana.parent@example.org",
        "displayName": "Dana Parent",
        "role": "PARENT_PARTNER",
        "message": MESSAGE,
        "expiresAt": "2026-03-16T09:30:00+00:00",
        "center": {"name": "Alpha Hospital"},
        "invitedBy": {"displayName": "Quinn Lead"},
        "acceptedBy": None,
    }

    # The mail: who invited whom to what, the message (escaped in HTML), the link, its expiry.
    [message] = smtp.messages
    assert message["To"] == "Dana Parent <dana.parent@example.org>"
    # The subject names no inviter: a display name is whatever its owner chose (review F4).
    assert message["Subject"] == (
        "You are invited to join Alpha Hospital's care team as a parent partner on Test Network"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].startswith("<invitation.")
    text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert text_part is not None
    assert html_part is not None
    text, html = text_part.get_content(), html_part.get_content()
    assert 'sent by a member who calls themself "Quinn Lead".' in text
    assert "sent by a member who calls themself &#34;Quinn Lead&#34;." in html
    assert "Quinn Lead wrote:\r\n\r\n> Welcome, Dana!\r\n> We meet <b>monthly</b> & talk" in text
    assert "until 2026-03-16 09:30 (UTC)" in text
    assert f"https://icn.example.org/invitation/{token}\r\n" in text
    assert "<script>" not in html
    assert "<b>monthly" not in html
    assert "Welcome, Dana!<br>We meet &lt;b&gt;monthly&lt;/b&gt; &amp; talk &lt;script&gt;" in html
    assert f'href="https://icn.example.org/invitation/{token}"' in html

    # 256 bits, stored only as a hash.
    assert len(token.removeprefix("icninv_")) == 43
    async with db.session() as session:
        row = (await session.scalars(select(Invitation))).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.removeprefix("icninv_")[:16] not in repr(await snapshot(db))

    # Opening the link changes nothing: mail scanners fetch links.
    before = await snapshot(db)
    for method in ("GET", "HEAD", "GET"):
        shown = await client.http.request(method, f"/invitation/{token}")
        assert shown.status_code == 200
    assert await snapshot(db) == before
    page = await client.http.get(f"/invitation/{token}")
    assert (
        "Quinn Lead invited you to join Alpha Hospital&#39;s care team as a parent partner on "
        "Test Network" in page.text
    )
    assert "<button" in page.text
    assert "Join Alpha Hospital</button>" in page.text
    assert "We meet &lt;b&gt;monthly&lt;/b&gt; &amp; talk &lt;script&gt;" in page.text
    assert "<script>" not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]

    # Pressing the button makes the account and the membership, and signs in.
    posted = await client.http.post(f"/invitation/{token}")
    assert posted.status_code == 200
    assert "Welcome to Alpha Hospital&#39;s team, Dana Parent." in posted.text
    session_token = shown_token(posted.text)
    async with db.session() as session:
        dana = (
            await session.scalars(
                select(Person).where(Person.email_key == "dana.parent@example.org")
            )
        ).one()
        membership = (
            await session.scalars(select(Membership).where(Membership.person_id == dana.id))
        ).one()
        session_row = (
            await session.scalars(select(ApiToken).where(ApiToken.person_id == dana.id))
        ).one()
        accepted = await session.get(Invitation, row.id)
        events = (
            await session.execute(
                select(OutboxEvent.type, OutboxEvent.actor_id).order_by(OutboxEvent.id)
            )
        ).all()
    assert (dana.display_name, dana.kind) == ("Dana Parent", PersonKind.PARENT_PARTNER)
    assert (membership.center_id, membership.role.value) == (team.center.id, "PARENT_PARTNER")
    assert membership.since.isoformat() == "2026-03-02"
    assert session_row.kind is TokenKind.SESSION
    assert session_row.token_hash == hashlib.sha256(session_token.encode()).hexdigest()
    assert session_row.user_agent == "Mozilla/5.0 (Macintosh) Firefox/128.0"
    assert accepted is not None
    assert accepted.accepted_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert accepted.person_id == dana.id
    lead_id = to_global_id("Person", team.qi_lead.id)
    assert [tuple(event) for event in events] == [
        ("person.created", lead_id),
        ("membership.added", lead_id),
    ]

    # The session token works.
    viewer = await client.data(VIEWER, token=session_token)
    assert viewer["viewer"] == {
        "person": {"displayName": "Dana Parent", "kind": "PARENT_PARTNER"},
        "centers": [{"name": "Alpha Hospital"}],
    }

    # The link never works again, on the page or through the API.
    before = await snapshot(db)
    again = await client.http.post(f"/invitation/{token}")
    assert again.status_code == 400
    assert "unknown, already used, expired or withdrawn" in again.text
    assert (await client.http.get(f"/invitation/{token}")).text == again.text
    data = await client.data(ACCEPT, {"token": token})
    assert data["acceptInvitation"]["token"] is None
    assert [e["field"] for e in data["acceptInvitation"]["userErrors"]] == ["token"]
    assert await snapshot(db) == before

    # The QI lead sees it accepted, by Dana.
    listed = await client.data(
        CENTER_INVITATIONS, {"id": team.center_id, "state": "ACCEPTED"}, token=team.lead_token
    )
    assert listed["node"]["invitations"]["nodes"] == [
        {
            "id": invitation["id"],
            "state": "ACCEPTED",
            "email": "dana.parent@example.org",
            "displayName": "Dana Parent",
            "acceptedBy": {"displayName": "Dana Parent"},
        }
    ]


REFUSED = {
    "token": None,
    "expiresAt": None,
    "person": None,
    "membership": None,
    "userErrors": [
        {
            "field": "token",
            "code": "INVALID",
            "message": "This invitation link is unknown, already used, expired or withdrawn; "
            "ask whoever invited you for a new one.",
        }
    ],
}


async def test_expired_withdrawn_and_unknown_links_get_one_answer(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team, clock: FakeClock
) -> None:
    withdrawn, withdrawn_link = await invite_and_read_link(
        client, smtp, team.lead_token, team.center_id, email="withdrawn@example.org"
    )
    _, expiring_link = await invite_and_read_link(
        client, smtp, team.lead_token, team.center_id, email="expiring@example.org"
    )
    _, last_second_link = await invite_and_read_link(
        client, smtp, team.lead_token, team.center_id, email="just.in.time@example.org"
    )
    revoked = await client.data(
        "mutation($id: ID!) { revokeInvitation(input: {id: $id}) {"
        " invitation { state } userErrors { field } } }",
        {"id": withdrawn["invitation"]["id"]},
        token=team.lead_token,
    )
    assert revoked["revokeInvitation"] == {"invitation": {"state": "REVOKED"}, "userErrors": []}

    clock.advance(days=14, seconds=-1)
    assert (await client.data(ACCEPT, {"token": last_second_link}))["acceptInvitation"][
        "token"
    ] is not None
    clock.advance(seconds=1)  # exactly ICN_INVITATION_DAYS after it was sent

    before = await snapshot(db)
    answers = [
        (await client.data(ACCEPT, {"token": token}))["acceptInvitation"]
        for token in (withdrawn_link, expiring_link, "icninv_" + "x" * 43, "<b>", "")
    ]
    assert answers == [REFUSED] * 5
    pages = [
        await client.http.post(f"/invitation/{token}")
        for token in (withdrawn_link, expiring_link, "icninv_nothing")
    ]
    assert {(page.status_code, page.text) for page in pages} == {(400, pages[0].text)}
    shown = await client.http.get(f"/invitation/{expiring_link}")
    assert (shown.status_code, shown.text) == (400, pages[0].text)
    assert await snapshot(db) == before


async def test_the_page_redirects_to_the_app_like_sign_in(
    db: Database,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
    clock: FakeClock,
    team: Team,
) -> None:
    redirecting = settings.model_copy(
        update={"sign_in_redirect_url": "https://app.example.org/signed-in"}
    )
    app = sign_in_app(db, redirecting, plugin_host, smtp, clock)
    async with client_from(app) as client:
        _, token = await invite_and_read_link(client, smtp, team.lead_token, team.center_id)
        posted = await client.http.post(f"/invitation/{token}")
        await client.settle()
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert location.startswith("https://app.example.org/signed-in#token=icn_")
    async with client_from(app) as client:
        viewer = await client.data(VIEWER, token=location.split("#token=", 1)[1])
    assert viewer["viewer"]["person"]["displayName"] == "Dana Parent"


async def test_pressing_the_button_is_rate_limited_like_signing_in(
    db: Database,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
    clock: FakeClock,
    team: Team,
) -> None:
    limited = settings.model_copy(update={"sign_in_rate_per_address": "2 per 15 minutes"})
    app = sign_in_app(db, limited, plugin_host, smtp, clock)
    async with client_from(app, address="198.51.100.4") as client:
        _, token = await invite_and_read_link(client, smtp, team.lead_token, team.center_id)
        for _ in range(2):
            assert (await client.http.post("/invitation/icninv_guess")).status_code == 400
        before = await snapshot(db)
        refused = await client.http.post(f"/invitation/{token}")
        assert refused.status_code == 429
        assert "Too many sign-in attempts" in refused.text
        body = await client.execute(ACCEPT, {"token": token})
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert await snapshot(db) == before
    # From another address the link still works: nothing was used up.
    async with client_from(app, address="198.51.100.5") as client:
        assert (await client.http.post(f"/invitation/{token}")).status_code == 200
        await client.settle()
