"""A single-page app on another origin, in a real browser: it signs in by magic link, reads the
home screen, subscribes over the websocket and is disconnected (4403) when its session is
revoked. The same app served from an origin not in ``ICN_CORS_ORIGINS`` can do none of it.

Three real servers: ``icn-graph serve`` (the API), and two static servers for the app's page
(Python's ``http.server``), one on the allowed origin and one on another. Headless Chromium
(Debian's ``chromium``) runs the page with every host but 127.0.0.1 unresolvable. Not with
Playwright's request routing: a routed request skips the browser's CORS preflight, so the refused
origin's POST would reach the server (it did, the first time this test ran).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.request import urlopen

import httpx
import pytest
from playwright.async_api import Page, async_playwright

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CLI = [sys.executable, "-m", "icn_graph"]
# Offline: no name resolves but 127.0.0.1's.
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
EMAIL = "maria.lopez@example.org"

# The front-end: plain JavaScript, as a framework's build would boil down to. `requestLink`
# asks for the mail; the sign-in page sends the browser back here with `#token=...`; then the
# page reads the home screen and subscribes, and shows what happened in elements the test reads.
APP_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>ICN app</title></head>
<body>
<pre id="home"></pre><p id="errors"></p><p id="ws-state"></p><p id="ws-closed"></p>
<script>
const API = "%(api)s";
const show = (id, text) => { document.getElementById(id).textContent = text; };

async function gql(query, variables, token) {
  const headers = {"Content-Type": "application/json"};
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch(API + "/graphql", {
    method: "POST", headers, body: JSON.stringify({query, variables}),
  });
  return response.json();
}

window.requestLink = async (email) => {
  try {
    const body = await gql(
      "mutation($input: RequestSignInInput!) { requestSignIn(input: $input) {"
      + " userErrors { message } } }", {input: {email}});
    return JSON.stringify(body.data);
  } catch (error) {
    return "blocked: " + error;
  }
};

window.openSocket = (token) => {
  const socket = new WebSocket(API.replace("http", "ws") + "/graphql", "graphql-transport-ws");
  socket.onopen = () => socket.send(JSON.stringify(
    {type: "connection_init", payload: {Authorization: "Bearer " + token}}));
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") {
      socket.send(JSON.stringify({id: "1", type: "subscribe",
        payload: {query: "subscription { notificationAdded { id } }"}}));
      show("ws-state", "subscribed");
    }
  };
  socket.onclose = (event) => show("ws-closed", String(event.code));
};

async function start() {
  const match = /#token=([^&]+)/.exec(location.hash);
  if (!match) return;
  const token = decodeURIComponent(match[1]);
  history.replaceState(null, "", location.pathname);  // the token leaves the address bar
  window.sessionToken = token;
  const body = await gql(
    "{ viewer { id person { displayName } centers { name } unreadNotificationsCount"
    + " sessions { id current } } }", {}, token);
  if (body.errors) show("errors", JSON.stringify(body.errors));
  show("home", JSON.stringify(body.data));
  window.openSocket(token);
}
start();
</script>
</body></html>
"""


@dataclass(frozen=True)
class Servers:
    api: str
    app: str  # on ICN_CORS_ORIGINS
    other: str  # not on it
    mail: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urlopen(url, timeout=1) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    folder: Path = tmp_path_factory.mktemp("cross_origin")
    api_port, app_port, other_port = _free_port(), _free_port(), _free_port()
    api, app = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{app_port}"
    other = f"http://127.0.0.1:{other_port}"
    env = os.environ | {
        "ICN_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'app.db'}",
        "ICN_PORT": str(api_port),
        "ICN_PUBLIC_URL": api,
        "ICN_CORS_ORIGINS": app,
        "ICN_SIGN_IN_REDIRECT_URL": f"{app}/index.html",
        "ICN_MAIL_DIR": str(folder / "mail"),
        "ICN_DEMO": "false",
        "ICN_LOG_LEVEL": "WARNING",
    }
    subprocess.run([*CLI, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*CLI, "admin", "create", "--email", EMAIL, "--name", "Maria Lopez"],
        env=env,
        check=True,
        capture_output=True,
    )
    site = folder / "site"
    site.mkdir()
    (site / "index.html").write_text(APP_PAGE % {"api": api}, encoding="utf-8")
    processes = [
        subprocess.Popen([*CLI, "serve"], env=env),
        *(
            subprocess.Popen(
                [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                cwd=site,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for port in (app_port, other_port)
        ),
    ]
    try:
        _wait_for(f"{api}/readyz", processes[0])
        _wait_for(f"{app}/index.html", processes[1])
        _wait_for(f"{other}/index.html", processes[2])
        yield Servers(api, app, other, folder / "mail")
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def _mailed_link(mail: Path, seen: int) -> str:
    """The sign-in link of the message after the first ``seen`` in the mail folder."""
    deadline = time.monotonic() + 20
    while len(files := sorted(mail.glob("*.eml"), key=lambda f: f.stat().st_mtime)) <= seen:
        assert time.monotonic() < deadline, "no sign-in mail arrived"
        time.sleep(0.1)
    message = message_from_bytes(files[seen].read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/sign-in/\S+", body.get_content())
    assert found is not None, body.get_content()
    return found.group(0)


def _mail_count(mail: Path) -> int:
    return len(list(mail.glob("*.eml"))) if mail.exists() else 0


async def _text(page: Page, element: str) -> str:
    return await page.locator(element).inner_text()


async def test_an_app_on_an_allowed_origin_signs_in_reads_subscribes_and_is_revoked(
    servers: Servers,
) -> None:
    seen = _mail_count(servers.mail)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(f"{servers.app}/index.html")
            asked = await page.evaluate(f"requestLink({EMAIL!r})")
            assert asked == '{"requestSignIn":{"userErrors":[]}}'

            # The person opens the mailed link in the same browser and presses the button;
            # the sign-in page sends them back to the app with the token in the fragment.
            await page.goto(await asyncio.to_thread(_mailed_link, servers.mail, seen))
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(f"{servers.app}/index.html")
            await page.locator("#ws-state").get_by_text("subscribed").wait_for(timeout=15_000)
            home = await _text(page, "#home")
            assert await _text(page, "#errors") == ""
            assert '"displayName":"Maria Lopez"' in home
            assert "#token" not in page.url
            token = await page.evaluate("window.sessionToken")
            sessions = re.findall(r'"id":"([^"]+)","current":true', home)
            assert len(sessions) == 1

            # The session is revoked elsewhere (another device, or staff): the open socket
            # closes at once, without the app sending anything.
            async with httpx.AsyncClient(base_url=servers.api) as http:
                revoked = await http.post(
                    "/graphql",
                    json={
                        "query": "mutation($input: RevokeSessionInput!) {"
                        " revokeSession(input: $input) { revokedSessionId } }",
                        "variables": {"input": {"id": sessions[0]}},
                    },
                    headers={"Authorization": f"Bearer {token}"},
                )
            assert revoked.json()["data"]["revokeSession"]["revokedSessionId"] == sessions[0]
            await page.locator("#ws-closed").get_by_text("4403").wait_for(timeout=15_000)
        finally:
            await browser.close()


async def test_the_same_app_on_another_origin_is_refused_cleanly(servers: Servers) -> None:
    seen = _mail_count(servers.mail)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(f"{servers.other}/index.html")
            asked = await page.evaluate(f"requestLink({EMAIL!r})")
            assert asked.startswith("blocked: TypeError")  # CORS: the browser hides the answer

            # Whatever token it has, its websocket handshake is refused (403: close 1006).
            await page.evaluate("openSocket('icn_not-a-token')")
            await page.locator("#ws-closed").get_by_text("1006").wait_for(timeout=15_000)
            assert await _text(page, "#ws-state") == ""
        finally:
            await browser.close()
    # The refused page's request never reached the mail: the preflight stopped it.
    mailed = [path.read_text()[:600] for path in sorted(servers.mail.glob("*.eml"))[seen:]]
    assert mailed == []
