"""Login CSRF: the pages mailed links open (sign in, accept an invitation, confirm a new email)
use a link only when their button is pressed on the page itself. A POST a page of another site
makes (an auto-submitted form carrying its author's own link) is refused with 403 and the link
stays unused; a GET from anywhere (a webmail's click) still shows the page."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn
from starlette.applications import Starlette

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.models import CenterRole, Invitation, NetworkRole, Person, PersonKind
from icn_graph.plugins.manager import PluginHost
from icn_graph.services.accounts.email_changes import start_change
from icn_graph.services.sign_in.links import request_link
from icn_graph.services.tokens import hash_token
from icn_graph.testing import SmtpServer, make_center, make_person, snapshot
from icn_graph.web.link_pages import CROSS_SITE
from tests.sign_in.helpers import FakeClock, client_from, sign_in_app
from tests.smtp_server import free_port

OWN_ORIGIN = "https://icn.example.org"  # ICN_PUBLIC_URL in these tests
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# What browsers send with a form another site's page submits (and variants of it).
FROM_ANOTHER_SITE = {
    "cross-site": {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    "same-site": {"Sec-Fetch-Site": "same-site", "Origin": "https://app.icn.example.org"},
    "fetch-site-only": {"Sec-Fetch-Site": "cross-site"},
    "origin-only": {"Origin": "https://evil.example"},
    "origin-null": {"Origin": "null"},
    "lookalike-origin": {"Origin": "https://icn.example.org.evil.example"},
    "other-port": {"Origin": "https://icn.example.org:8443"},
    "other-scheme": {"Origin": "http://icn.example.org"},
    "same-origin-claim-other-origin": {
        "Sec-Fetch-Site": "same-origin",
        "Origin": "https://evil.example",
    },
}
# The page's own button, the person typing, or no browser at all.
FROM_THE_PAGE = {
    "own-page": {"Sec-Fetch-Site": "same-origin", "Origin": OWN_ORIGIN},
    "public-url-default-port": {"Origin": "HTTPS://ICN.example.org:443"},
    "the-requests-own-origin": {"Origin": "http://testserver"},
    "typed": {"Sec-Fetch-Site": "none"},
    "not-a-browser": {},
}


@dataclass(frozen=True)
class Links:
    sign_in: str
    invitation: str
    email_change: str

    def path(self, page: str) -> str:
        secret = {
            "sign-in": self.sign_in,
            "invitation": self.invitation,
            "confirm-email": self.email_change,
        }[page]
        return f"/{page}/{secret}"


PAGES = ("sign-in", "invitation", "confirm-email")
# What pressing the button on each page answers when it works (no ICN_SIGN_IN_REDIRECT_URL).
WORKED = {
    "sign-in": "You are signed in",
    "invitation": "You are signed in",
    "confirm-email": "Your email is changed",
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def app(
    db: Database, settings: Settings, plugin_host: PluginHost, smtp: SmtpServer, clock: FakeClock
) -> Starlette:
    return sign_in_app(db, settings, plugin_host, smtp, clock)


@pytest.fixture
async def links(db: Database, clock: FakeClock) -> Links:
    """A live link of each kind: the attacker's own, say."""
    center = await make_center(db)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    ada = await make_person(db, email="ada@example.org")
    link = await request_link(db, ada.email, now=clock.now)
    assert link is not None
    invitation_secret = "icninv_cross-site-" + "i" * 30
    async with db.transaction() as session:
        session.add(
            Invitation(
                email="invited@example.org",
                email_key="invited@example.org",
                display_name="Invited Person",
                center_id=center.id,
                role=CenterRole.NURSE,
                invited_by_id=staff.id,
                token_hash=hash_token(invitation_secret),
                expires_at=clock.now + timedelta(days=7),
            )
        )
        stored = await session.get(Person, ada.id)
        assert stored is not None
        change = await start_change(session, stored, "ada.new@example.org", now=clock.now)
    return Links(link.secret, invitation_secret, change.secret)


@pytest.mark.parametrize("page", PAGES)
async def test_a_post_from_another_site_is_refused_and_the_link_stays_unused(
    db: Database, app: Starlette, links: Links, page: str
) -> None:
    path = links.path(page)
    before = await snapshot(db)
    async with client_from(app) as client:
        for case, headers in FROM_ANOTHER_SITE.items():
            refused = await client.http.post(path, headers=headers)
            assert refused.status_code == 403, case
            assert CROSS_SITE in refused.text, case
            assert refused.headers["cache-control"] == "no-store"
            assert "<form" not in refused.text
        await client.settle()
        assert await snapshot(db) == before
        # Opening the link from a webmail (a cross-site GET) still shows the button ...
        shown = await client.http.get(path, headers=FROM_ANOTHER_SITE["cross-site"])
        assert shown.status_code == 200
        assert '<form method="post"' in shown.text
        # ... and pressing it there uses the link, once.
        pressed = await client.http.post(path, headers=FROM_THE_PAGE["own-page"])
        assert pressed.status_code == 200, pressed.text
        assert WORKED[page] in pressed.text
        await client.settle()


@pytest.mark.parametrize("case", FROM_THE_PAGE)
async def test_a_post_from_the_page_itself_or_no_browser_signs_in(
    app: Starlette, links: Links, case: str
) -> None:
    async with client_from(app) as client:
        pressed = await client.http.post(links.path("sign-in"), headers=FROM_THE_PAGE[case])
        assert pressed.status_code == 200, pressed.text
        assert "You are signed in" in pressed.text
        await client.settle()


async def test_the_pages_send_no_referer_to_other_sites(app: Starlette, links: Links) -> None:
    """``no-referrer`` would make browsers send the button's own POST with ``Origin: null``."""
    async with client_from(app) as client:
        for page in PAGES:
            shown = await client.http.get(links.path(page))
            assert shown.headers["referrer-policy"] == "same-origin"


# --------------------------------------------------------------------------------------------
# In a real browser
# --------------------------------------------------------------------------------------------

ATTACKER = "http://attacker.example"


@pytest.fixture
async def served(app: Starlette) -> AsyncIterator[str]:
    """The app over real HTTP on loopback: its base URL."""
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
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


@pytest.mark.browser
async def test_in_chromium_the_button_works_and_another_sites_form_does_not(
    db: Database, app: Starlette, links: Links, served: str
) -> None:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.async_api import Route, async_playwright

    link = await request_link(db, "ada@example.org", now=datetime.now(UTC))
    assert link is not None
    # The attacker's page submits a form with the attacker's own link as soon as it loads.
    trap = (
        f'<form id="f" method="post" action="{served}/sign-in/{link.secret}"></form>'
        "<script>document.getElementById('f').submit()</script>"
    )

    async def attacker_site(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/html", body=trap)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = await browser.new_page()
            await page.route(f"{ATTACKER}/**", attacker_site)
            async with page.expect_response(f"{served}/sign-in/**") as posted:
                await page.goto(f"{ATTACKER}/")
            trapped = await posted.value
            assert trapped.status == 403
            await page.get_by_text(CROSS_SITE).wait_for(timeout=15_000)

            # The person's own link, opened and pressed on its page, signs in.
            await page.goto(f"{served}{links.path('sign-in')}")
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_text("You are signed in").wait_for(timeout=15_000)
        finally:
            await browser.close()
    # The attacker's link was never used: it still works.
    async with client_from(app) as client:
        later = await client.http.post(f"/sign-in/{link.secret}")
        assert later.status_code == 200
        assert "You are signed in" in later.text
