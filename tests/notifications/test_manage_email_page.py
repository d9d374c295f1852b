"""The "manage your email" page, reached from a real mail's link: GET changes nothing, a POST
needs the form's CSRF token, bad input names the field and writes nothing, and a valid POST
changes delivery, quiet hours and a subject's level, which the next mail respects. Also: mail
links open subjects in the front-end when ICN_APP_URL is set."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.notifications.mail.manage_tokens import make_link_token
from icn_graph.notifications.models import (
    DeliveryMode,
    Follow,
    FollowLevel,
    FollowReason,
    NotificationPreferences,
)
from icn_graph.testing import GraphQLClient
from tests.notifications.session_mail import (
    MANAGE_LINK,
    WatchedSession,
    mail_everything_due,
    notifications_of,
    register,
    smtp_mail_settings,
    text_of,
    watched_session,
)
from tests.smtp_server import SmtpServer

CSRF = re.compile(r'name="csrfToken" value="([^"]+)"')


async def mailed_link(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> tuple[WatchedSession, str]:
    """A watcher, and the manage-page path from the mail they received."""
    watched = await watched_session(db, client)
    await register(db, client, watched, "Ana Alvarez")
    await client.settle()
    await mail_everything_due(db, settings, watched.watcher)
    [received] = smtp.received
    match = MANAGE_LINK.search(text_of(received.message))
    assert match is not None
    html = received.message.get_body(("html",))
    assert html is not None
    assert f'href="https://icn.example.org{match[1]}"' in html.get_content()
    return watched, match[1]


async def stored(db: Database, watched: WatchedSession) -> tuple[object, FollowLevel]:
    """The watcher's preferences row (as a comparable tuple) and their follow of the session."""
    async with db.session() as session:
        row = await session.get(NotificationPreferences, watched.watcher.id)
        follow = await session.scalar(
            select(Follow).where(
                Follow.person_id == watched.watcher.id, Follow.subject_id == watched.session_id
            )
        )
    assert row is not None
    assert follow is not None
    prefs = (row.delivery, row.digest_hour, row.quiet_hours_start, row.quiet_hours_end)
    return prefs, follow.level


def form(csrf: str, watched: WatchedSession, **fields: str) -> dict[str, str]:
    values = {
        "csrfToken": csrf,
        "delivery": "IMMEDIATE",
        "digestHour": "7",
        "digestWeekday": "0",
        "quietHoursStart": "",
        "quietHoursEnd": "",
        f"level:{watched.session_id}": "WATCHING",
    }
    return values | fields


async def test_the_page_changes_preferences_by_post_only_with_its_csrf_token(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_mail_settings(settings, smtp)
    watched, path = await mailed_link(db, client, settings, smtp)
    before = await stored(db, watched)

    page = await client.http.get(path)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Wendy Watcher" in page.text
    assert "America/New_York" in page.text
    assert watched.session.title in page.text
    # No reply domain here: no mail takes replies, and the page does not promise any.
    assert "Replies to these emails are not read" in page.text
    assert "can be answered by email" not in page.text
    assert await stored(db, watched) == before  # a GET (a mail scanner's) changes nothing
    match = CSRF.search(page.text)
    assert match is not None
    csrf = match[1]

    off = form(csrf, watched, delivery="OFF")
    del off["csrfToken"]
    assert (await client.http.post(path, data=off)).status_code == 403
    forged = form(csrf[:-3] + "AAA", watched, delivery="OFF")
    refused = await client.http.post(path, data=forged)
    assert refused.status_code == 403
    assert "Nothing was changed" in refused.text
    assert await stored(db, watched) == before

    bad = form(csrf, watched, delivery="OFF", digestHour="25", quietHoursStart="9pm")
    answer = await client.http.post(path, data=bad)
    assert answer.status_code == 400
    assert "digestHour" in answer.text
    assert "The digest hour is 0-23 (got 25)." in answer.text
    assert "quietHoursStart" in answer.text
    assert await stored(db, watched) == before  # nothing written, not even delivery

    digest = form(
        csrf,
        watched,
        delivery="DAILY_DIGEST",
        digestHour="9",
        quietHoursStart="21:00",
        quietHoursEnd="06:30",
    )
    saved = await client.http.post(path, data=digest)
    assert saved.status_code == 200
    assert "Saved." in saved.text
    assert await stored(db, watched) == (
        (DeliveryMode.DAILY_DIGEST, 9, time(21, 0), time(6, 30)),
        FollowLevel.WATCHING,
    )

    # The next mail follows the new choices: a daily digest at 09:00 New York time.
    await register(db, client, watched, "Ben Brooks")
    await client.settle()
    latest = (await notifications_of(db, watched.watcher))[-1]
    assert latest.delivery == DeliveryMode.DAILY_DIGEST
    assert latest.email_due_at is not None
    local_due = latest.email_due_at.astimezone(ZoneInfo("America/New_York"))
    assert (local_due.hour, local_due.minute) == (9, 0)
    assert local_due - latest.created_at.astimezone(local_due.tzinfo) <= timedelta(days=1)


async def test_muting_the_session_on_the_page_stops_its_mail(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_mail_settings(settings, smtp)
    watched, path = await mailed_link(db, client, settings, smtp)
    match = CSRF.search((await client.http.get(path)).text)
    assert match is not None
    muted = form(match[1], watched, **{f"level:{watched.session_id}": "MUTED"})
    assert (await client.http.post(path, data=muted)).status_code == 200
    async with db.session() as session:
        follow = await session.scalar(
            select(Follow).where(
                Follow.person_id == watched.watcher.id, Follow.subject_id == watched.session_id
            )
        )
    assert follow is not None
    assert (follow.level, follow.reason) == (FollowLevel.MUTED, FollowReason.MANUAL)

    await register(db, client, watched, "Ben Brooks")
    await client.settle()
    assert len(await notifications_of(db, watched.watcher)) == 1  # only the first one
    assert len(smtp.received) == 1


async def test_a_bad_expired_or_stale_link_is_refused_without_a_500(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_mail_settings(settings, smtp)
    watched, path = await mailed_link(db, client, settings, smtp)
    assert (await client.http.get(path[:-4] + "AAAA")).status_code == 400
    assert (await client.http.get("/manage-email/not-a-token")).status_code == 400
    secret = settings.secret_key.get_secret_value()
    person = watched.watcher
    old = datetime.now().astimezone() - timedelta(days=settings.manage_link_days + 1)
    expired = make_link_token(secret, person.id, person.email_key, now=old, days=1)
    answer = await client.http.get(f"/manage-email/{expired}")
    assert answer.status_code == 410
    assert "most recent notification email" in answer.text
    # A link for another address (the person's old one) does not work.
    other = make_link_token(
        secret, person.id, "old@example.org", now=datetime.now().astimezone(), days=1
    )
    assert (await client.http.get(f"/manage-email/{other}")).status_code == 400
    gone = make_link_token(secret, 999999, "x@example.org", now=datetime.now().astimezone(), days=1)
    assert (await client.http.get(f"/manage-email/{gone}")).status_code == 400
    # A POST that is not a form at all.
    broken = await client.http.post(
        path, content=b"\xff\xfe", headers={"Content-Type": "multipart/form-data; boundary=x"}
    )
    assert broken.status_code == 400
    assert "nothing was changed" in broken.text


async def test_mail_links_open_subjects_in_the_front_end_when_icn_app_url_is_set(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = smtp_mail_settings(
        settings,
        smtp,
        app_url="https://app.example.org/",
        app_url_patterns={"LearningSession": "/events/{id}/overview"},
    )
    watched = await watched_session(db, client)
    await register(db, client, watched, "Ana Alvarez")
    await client.settle()
    await mail_everything_due(db, settings, watched.watcher)
    [received] = smtp.received
    text = text_of(received.message)
    assert f"https://app.example.org/events/{watched.session_id}/overview" in text
    assert "graphql?explore" not in text
    assert "https://icn.example.org/manage-email/" in text  # the API's own page


async def test_a_link_claiming_a_longer_life_than_links_are_issued_for_is_refused(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    """Signed with the known development key, a link could claim any expiry: the server caps it
    at ICN_MANAGE_LINK_DAYS from now."""
    watched, _ = await mailed_link(db, client, smtp_mail_settings(settings, smtp), smtp)
    secret = settings.secret_key.get_secret_value()
    person, now = watched.watcher, datetime.now().astimezone()
    ten_years = make_link_token(secret, person.id, person.email_key, now=now, days=3650)
    refused = await client.http.get(f"/manage-email/{ten_years}")
    assert refused.status_code == 400
    assert "This link does not work" in refused.text
    longest = make_link_token(
        secret, person.id, person.email_key, now=now, days=settings.manage_link_days
    )
    assert (await client.http.get(f"/manage-email/{longest}")).status_code == 200
