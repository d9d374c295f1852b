"""Sign-in tests: an app with a simulated clock that mails through a real SMTP server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, SmtpServer

SHOWN_TOKEN = re.compile(r"<code>(icn_[A-Za-z0-9_-]+)</code>")
LINK = re.compile(r"https://icn\.example\.org/sign-in/(icnlink_[A-Za-z0-9_-]+)")

REQUEST_SIGN_IN = (
    "mutation($email: String!) { requestSignIn(input: {email: $email}) {"
    " message userErrors { field message code } } }"
)
SIGN_IN = (
    "mutation($token: String!) { signIn(input: {token: $token}) {"
    " token expiresAt person { displayName } userErrors { field message code } } }"
)
VIEWER = "{ viewer { person { displayName } } }"


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def sign_in_app(
    db: Database, settings: Settings, plugins: PluginHost, smtp: SmtpServer, clock: FakeClock
) -> Starlette:
    return create_app(smtp.settings_for(settings), db=db, plugins=plugins, clock=clock)


@asynccontextmanager
async def client_from(
    app: Starlette, address: str = "203.0.113.7", user_agent: str = "pytest"
) -> AsyncIterator[GraphQLClient]:
    """A client calling from ``address`` with ``user_agent``."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    headers = {"User-Agent": user_agent}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as http:
        yield GraphQLClient(http, app)


def as_compared(body: dict[str, Any]) -> dict[str, Any]:
    """A response body without what its cost says is left (``remaining`` and the throttle
    status's ``currentlyAvailable``): the budget refills with the clock, so two identical requests
    a few milliseconds apart may leave different amounts."""
    cost = {key: value for key, value in body["extensions"]["cost"].items() if key != "remaining"}
    throttle = cost.get("throttleStatus")
    if isinstance(throttle, dict):
        cost["throttleStatus"] = {
            key: value for key, value in throttle.items() if key != "currentlyAvailable"
        }
    return {**body, "extensions": {**body["extensions"], "cost": cost}}


def link_tokens(smtp: SmtpServer) -> list[str]:
    """The sign-in link in each message received, in order (each message has exactly one)."""
    found = []
    for message in smtp.messages:
        text = message.get_body(("plain",))
        assert text is not None
        links = set(LINK.findall(text.get_content()))
        assert len(links) == 1, text.get_content()
        found.append(links.pop())
    return found


async def request_link(client: GraphQLClient, smtp: SmtpServer, email: str) -> str:
    """Ask for a sign-in link for ``email`` and read it from the mail it sent."""
    before = len(smtp.messages)
    payload = (await client.data(REQUEST_SIGN_IN, {"email": email}))["requestSignIn"]
    assert payload["userErrors"] == []
    assert len(smtp.messages) == before + 1
    return link_tokens(smtp)[-1]


async def sign_in(client: GraphQLClient, token: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.data(SIGN_IN, {"token": token}))["signIn"]
    return payload


def shown_token(page: str) -> str:
    """The session token the sign-in page shows after its button was pressed."""
    [token] = set(SHOWN_TOKEN.findall(page))
    return str(token)
