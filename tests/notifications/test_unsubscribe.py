"""``/unsubscribe/<token>`` through the app: one-click POST, a GET that changes nothing, and
tokens that cannot be tampered with or forged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.notifications.mail.tokens import make_token
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

SECRET = "dev-only-secret-key-change-me"  # the settings fixture's ICN_SECRET_KEY


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

    token = make_token(SECRET, follower.id, subject)
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

    response = await client.http.post(f"/unsubscribe/{make_token(SECRET, follower.id, None)}")
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
    token = make_token(SECRET, follower.id, subject)
    before = await snapshot(db)

    response = await client.http.get(f"/unsubscribe/{token}")
    assert response.status_code == 200
    assert '<form method="post" action="/unsubscribe/' in response.text
    assert "<button" in response.text
    assert "Unsubscribe?" in response.text
    assert await snapshot(db) == before


def tampered(token: str) -> list[str]:
    person, scope, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return [
        f"{person}.{scope}.{flipped}",  # signature altered
        f"{int(person) + 1}.{scope}.{signature}",  # someone else
        f"{person}.all.{signature}",  # widened to all mail
        f"{person}.{scope}.{signature[:-1]}",  # cut short
        f"{person}.{scope}",
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
    genuine = make_token(SECRET, follower.id, subject)
    forged = make_token("another-key", follower.id, subject)
    before = await snapshot(db)
    for token in [*tampered(genuine), forged]:
        response = await client.http.request(method, f"/unsubscribe/{token}")
        assert response.status_code == 400, token
        assert "This unsubscribe link is not valid" in response.text
    assert await snapshot(db) == before
