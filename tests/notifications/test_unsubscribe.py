"""``/unsubscribe/<token>`` through the app: one-click POST, a GET that changes nothing, and
tokens that cannot be tampered with or forged."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from httpx import Response
from sqlalchemy import select, update

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Person
from icn_graph.notifications.mail.tokens import LINK_DAYS, make_token
from icn_graph.notifications.models import (
    DeliveryMode,
    EmailStatus,
    Follow,
    FollowLevel,
    FollowReason,
    NotificationPreferences,
)
from icn_graph.testing import GraphQLClient, make_person, snapshot
from tests.mail_helpers import T0, make_goal, notifications, notify
from tests.notifications.session_mail import (
    mail_everything_due,
    register,
    smtp_mail_settings,
    text_of,
    watched_session,
)
from tests.smtp_server import SmtpServer

SECRET = "dev-only-secret-key-change-me"  # the settings fixture's ICN_SECRET_KEY
NOW = datetime.now(UTC)


async def follows(db: Database) -> list[tuple[int, str, FollowLevel]]:
    async with db.session() as session:
        rows = await session.scalars(select(Follow).order_by(Follow.id))
        return [(f.person_id, f.subject_id, f.level) for f in rows]


async def test_one_click_post_mutes_the_subject_at_once(
    db: Database, client: GraphQLClient
) -> None:
    owner = await make_person(db)
    follower = await make_person(db, display_name="Sam Carter")
    goal = await make_goal(db, owner)
    other_goal = await make_goal(db, owner, "Another goal")
    subject = to_global_id("Goal", goal.id)
    async with db.transaction() as session:
        session.add(
            Follow(
                person_id=follower.id,
                subject_id=subject,
                level=FollowLevel.NORMAL,
                reason=FollowReason.MANUAL,
            )
        )
    await notify(db, follower, subject, due_at=T0 + timedelta(minutes=2))
    await notify(db, follower, to_global_id("Goal", other_goal.id))

    token = make_token(SECRET, follower.id, follower.email_key, subject, now=NOW)
    response = await client.http.post(
        f"/unsubscribe/{token}",
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert "You are unsubscribed" in response.text
    assert "This mutes the goal &#39;Reduce steroid use&#39;" in response.text
    assert "no new notifications in the app about it" in response.text
    assert await follows(db) == [(follower.id, subject, FollowLevel.MUTED)]
    # Mail planned about that goal is cancelled; the other goal's is not.
    assert [n.email_status for n in await notifications(db)] == [
        EmailStatus.NONE,
        EmailStatus.PENDING,
    ]
    again = await client.http.post(f"/unsubscribe/{token}")
    assert again.status_code == 200


async def test_an_all_mail_token_turns_delivery_off(db: Database, client: GraphQLClient) -> None:
    owner = await make_person(db)
    follower = await make_person(db)
    goal = await make_goal(db, owner)
    await notify(db, follower, to_global_id("Goal", goal.id))

    response = await client.http.post(
        f"/unsubscribe/{make_token(SECRET, follower.id, follower.email_key, None, now=NOW)}"
    )
    assert response.status_code == 200
    assert "all notification mail from Test Network" in response.text
    async with db.session() as session:
        preferences = await session.get(NotificationPreferences, follower.id)
    assert preferences is not None
    assert preferences.delivery == DeliveryMode.OFF
    assert [n.email_status for n in await notifications(db)] == [EmailStatus.NONE]


async def test_get_shows_a_confirmation_and_changes_nothing(
    db: Database, client: GraphQLClient
) -> None:
    owner = await make_person(db)
    follower = await make_person(db)
    goal = await make_goal(db, owner)
    subject = to_global_id("Goal", goal.id)
    await notify(db, follower, subject)
    token = make_token(SECRET, follower.id, follower.email_key, subject, now=NOW)
    before = await snapshot(db)

    response = await client.http.get(f"/unsubscribe/{token}")
    assert response.status_code == 200
    assert '<form method="post" action="/unsubscribe/' in response.text
    assert "<button" in response.text
    assert "Unsubscribe?" in response.text
    assert await snapshot(db) == before


def tampered(token: str) -> list[str]:
    person, scope, expires, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return [
        f"{person}.{scope}.{expires}.{flipped}",  # signature altered
        f"{int(person) + 1}.{scope}.{expires}.{signature}",  # someone else
        f"{person}.all.{expires}.{signature}",  # widened to all mail
        f"{person}.{scope}.{int(expires) + 86400}.{signature}",  # made to last longer
        f"{person}.{scope}.{expires}.{signature[:-1]}",  # cut short
        f"{person}.{scope}.{signature}",  # an old (v1) token's shape
        f"999999.{scope}.{expires}.{signature}",  # no such account
        "garbage",
    ]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_tampered_or_forged_tokens_are_refused_and_change_nothing(
    db: Database, client: GraphQLClient, method: str
) -> None:
    owner = await make_person(db)
    follower = await make_person(db)
    goal = await make_goal(db, owner)
    subject = to_global_id("Goal", goal.id)
    await notify(db, follower, subject)
    genuine = make_token(SECRET, follower.id, follower.email_key, subject, now=NOW)
    forged = make_token("another-key", follower.id, follower.email_key, subject, now=NOW)
    before = await snapshot(db)
    for token in [*tampered(genuine), forged]:
        response = await client.http.request(method, f"/unsubscribe/{token}")
        assert response.status_code == 400, token
        assert "This unsubscribe link is not valid" in response.text
    assert await snapshot(db) == before


def assert_not_frameable(response: Response) -> None:
    assert response.headers["x-frame-options"] == "DENY"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert "form-action 'self'" in policy


async def test_expired_and_overlong_tokens_are_refused_and_change_nothing(
    db: Database, client: GraphQLClient
) -> None:
    follower = await make_person(db)
    await notify(db, follower, to_global_id("Goal", (await make_goal(db, follower)).id))
    before = await snapshot(db)
    expired = make_token(
        SECRET, follower.id, follower.email_key, None, now=NOW - timedelta(days=LINK_DAYS + 1)
    )
    # Signed with the known development key but claiming ten years: capped server-side.
    overlong = make_token(
        SECRET, follower.id, follower.email_key, None, now=NOW + timedelta(days=3650)
    )
    for method in ("GET", "POST"):
        answer = await client.http.request(method, f"/unsubscribe/{expired}")
        assert answer.status_code == 410
        assert "This unsubscribe link has expired" in answer.text
        refused = await client.http.request(method, f"/unsubscribe/{overlong}")
        assert refused.status_code == 400
    assert await snapshot(db) == before
    # Made a year ago less a day: still works.
    old = make_token(
        SECRET, follower.id, follower.email_key, None, now=NOW - timedelta(days=LINK_DAYS - 1)
    )
    assert (await client.http.post(f"/unsubscribe/{old}")).status_code == 200


async def test_the_pages_cannot_be_framed(db: Database, client: GraphQLClient) -> None:
    follower = await make_person(db)
    token = make_token(SECRET, follower.id, follower.email_key, None, now=NOW)
    for response in (
        await client.http.get(f"/unsubscribe/{token}"),
        await client.http.post(f"/unsubscribe/{token}"),
        await client.http.get("/unsubscribe/garbage"),
    ):
        assert_not_frameable(response)


async def test_stopping_all_mail_links_to_a_fresh_manage_page(
    db: Database, client: GraphQLClient
) -> None:
    follower = await make_person(db)
    token = make_token(SECRET, follower.id, follower.email_key, None, now=NOW)
    shown = await client.http.get(f"/unsubscribe/{token}")
    assert "/manage-email/" not in shown.text  # only once unsubscribed

    done = await client.http.post(f"/unsubscribe/{token}")
    assert done.status_code == 200
    assert "any notification email" not in done.text
    link = re.search(r'<a href="[^"]*(/manage-email/[0-9A-Za-z._-]+)">', done.text)
    assert link is not None, done.text
    page = await client.http.get(link[1])
    assert page.status_code == 200
    assert 'name="csrfToken"' in page.text
    assert "No email (notifications stay in the app)" in page.text


ALL_MAIL_LINK = re.compile(
    r"Stop all notification mail from Test Network: https://icn\.example\.org(/unsubscribe/\S+)"
)


async def test_mail_to_an_old_address_cannot_unsubscribe_the_new_one(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_mail_settings(settings, smtp)
    watched = await watched_session(db, client)
    person = watched.watcher
    await register(db, client, watched, "Ana Alvarez")
    await client.settle()
    await mail_everything_due(db, settings, person)
    [old_mail] = smtp.received
    assert old_mail.rcpt_tos == [person.email]
    old_link = ALL_MAIL_LINK.search(text_of(old_mail.message))
    assert old_link is not None

    async with db.transaction() as session:
        await session.execute(
            update(Person)
            .where(Person.id == person.id)
            .values(email="wendy.new@example.org", email_key="wendy.new@example.org")
        )
    before = await snapshot(db)
    for method in ("GET", "POST"):
        refused = await client.http.request(method, old_link[1])
        assert refused.status_code == 400
        assert "your email address has changed" in refused.text
    assert await snapshot(db) == before

    # Mail to the new address carries links that work.
    await register(db, client, watched, "Ben Brooks")
    await client.settle()
    await mail_everything_due(db, settings, person)
    new_mail = smtp.received[-1]
    assert new_mail.rcpt_tos == ["wendy.new@example.org"]
    new_link = ALL_MAIL_LINK.search(text_of(new_mail.message))
    assert new_link is not None
    # One-click as a mail client sends it: a form POST, no cookies.
    response = await client.http.post(
        new_link[1],
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    async with db.session() as session:
        preferences = await session.get(NotificationPreferences, person.id)
    assert preferences is not None
    assert preferences.delivery == DeliveryMode.OFF
