"""A person opens the "manage your email" link from a real mail in a real browser (headless
Chromium, Debian's ``chromium``), changes their delivery, quiet hours and a subject's level with
the form, and saves: the app is served over real HTTP (uvicorn) on loopback."""

from __future__ import annotations

import asyncio
import shutil
from datetime import time

import pytest
import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.notifications.models import (
    DeliveryMode,
    Follow,
    FollowLevel,
    NotificationPreferences,
)
from icn_graph.testing import GraphQLClient
from tests.notifications.session_mail import (
    MANAGE_LINK,
    mail_everything_due,
    register,
    smtp_mail_settings,
    text_of,
    watched_session,
)
from tests.smtp_server import SmtpServer, free_port

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


async def test_a_person_saves_their_choices_in_a_browser_from_the_mail_link(
    db: Database, client: GraphQLClient, app: Starlette, settings: Settings, smtp: SmtpServer
) -> None:
    from playwright.async_api import async_playwright

    settings = smtp_mail_settings(settings, smtp)
    watched = await watched_session(db, client)
    await register(db, client, watched, "Ana Alvarez")
    await client.settle()
    await mail_everything_due(db, settings, watched.watcher)
    [received] = smtp.received
    link = MANAGE_LINK.search(text_of(received.message))
    assert link is not None

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(200):  # uvicorn says when it listens; wait at most ~10 s
            if server.started:
                break
            await asyncio.sleep(0.05)
        assert server.started
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = await browser.new_page()
                await page.goto(f"http://127.0.0.1:{port}{link[1]}")
                await page.get_by_label("A daily digest").check()
                await page.locator('input[name="quietHoursStart"]').fill("21:30")
                await page.locator('input[name="quietHoursEnd"]').fill("06:00")
                await page.get_by_label(f"Email about {watched.session.title}").select_option(
                    "MUTED"
                )
                await page.get_by_role("button", name="Save").click()
                await page.get_by_text("Saved. Your choices apply from now on.").wait_for(
                    timeout=15_000
                )
                checked = await page.get_by_label("A daily digest").is_checked()
            finally:
                await browser.close()
    finally:
        server.should_exit = True
        await serving

    assert checked
    async with db.session() as session:
        row = await session.get(NotificationPreferences, watched.watcher.id)
        follow = await session.scalar(
            select(Follow).where(
                Follow.person_id == watched.watcher.id, Follow.subject_id == watched.session_id
            )
        )
    assert row is not None
    assert follow is not None
    assert (row.delivery, row.quiet_hours_start, row.quiet_hours_end) == (
        DeliveryMode.DAILY_DIGEST,
        time(21, 30),
        time(6, 0),
    )
    assert follow.level == FollowLevel.MUTED
