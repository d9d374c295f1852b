"""The GraphiQL explorer works in a real browser with no internet access.

A real server (``icn-graph serve``) runs over a demo network; headless Chromium (Debian's
``chromium``) opens the explorer with every non-loopback request blocked, pastes a token into the
Headers editor, runs a query with the Run button and reads the result pane.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse
from urllib.request import urlopen

import pytest
from playwright.async_api import Page, Route

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CLI = [sys.executable, "-m", "icn_graph"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, staff token) of a real server over a fresh demo network."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    folder: Path = tmp_path_factory.mktemp("explorer")
    port = _free_port()
    env = os.environ | {
        "ICN_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'explorer.db'}",
        "ICN_PORT": str(port),
        "ICN_DEMO": "false",
        "ICN_LOG_LEVEL": "WARNING",
    }
    _cli(env, "db", "upgrade")
    _cli(env, "demo", "load")
    token = _cli(env, "token", "create", "--email", "staff@network.example.org").strip()
    process = subprocess.Popen([*CLI, "serve"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urlopen(f"{base}/readyz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base, token
    finally:
        process.terminate()
        process.wait(timeout=10)


HEADERS = '{"Authorization": "Bearer %s"}'
QUERY = "{ centers(first: 3, orderBy: {field: NAME}) { totalCount edges { node { name } } } }"
LINKED_QUERY = '{ node(id: "Q2VudGVyOjE") { id __typename } }'


async def _paste(page: Page, editor: str, text: str) -> None:
    """Select everything in a GraphiQL editor and paste ``text`` over it, as a person would."""
    await page.locator(f"{editor} .CodeMirror").click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(text)


async def test_explorer_runs_a_query_offline(server: tuple[str, str]) -> None:
    from playwright.async_api import async_playwright

    base, token = server
    screenshot_dir = Path(os.environ.get("ICN_SCREENSHOT_DIR", "var"))
    await asyncio.to_thread(screenshot_dir.mkdir, parents=True, exist_ok=True)
    blocked: list[str] = []

    async def loopback_only(route: Route) -> None:
        host = urlparse(route.request.url).hostname
        if host in {"127.0.0.1", "localhost"}:
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = await browser.new_page()
            await page.route("**/*", loopback_only)
            page_errors: list[str] = []
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            # The page's Content-Security-Policy must not block anything the explorer needs.
            page.on(
                "console",
                lambda message: (
                    page_errors.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )

            await page.goto(f"{base}/graphql")
            run_button = page.locator(".graphiql-execute-button")
            await run_button.wait_for(timeout=15_000)

            await page.get_by_text("Headers", exact=True).click()
            await _paste(
                page, ".graphiql-editor-tool .graphiql-editor:not(.hidden)", HEADERS % token
            )
            await _paste(page, ".graphiql-query-editor", QUERY)
            # GraphiQL re-reads the operation name after a short debounce, as a person pauses.
            await page.wait_for_timeout(800)
            await run_button.click()

            result = page.locator(".graphiql-response")
            await result.get_by_text('"totalCount": 65').wait_for(timeout=15_000)
            text = await result.inner_text()
            await page.screenshot(
                path=str(Path(os.environ.get("ICN_SCREENSHOT_DIR", "var")) / "graphiql.png")
            )

            # A subject link from notification mail opens the explorer on that subject.
            await page.goto(f"{base}/graphql?explore={quote(LINKED_QUERY)}")
            await run_button.wait_for(timeout=15_000)
            linked_editor = await page.locator(".graphiql-query-editor .CodeMirror").inner_text()
            await run_button.click()
            await result.get_by_text('"__typename": "Center"').wait_for(timeout=15_000)
        finally:
            await browser.close()

    assert "Ann Arbor Children's Medical Center" in text
    assert "errors" not in text
    assert blocked == [], f"the explorer tried to reach the internet: {blocked}"
    assert page_errors == []
    assert "Q2VudGVyOjE" in linked_editor
