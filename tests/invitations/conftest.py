"""Invitation tests run against an app that mails through a real SMTP server, on a clock they
can move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, SmtpServer
from tests.invitations.helpers import Team, make_team
from tests.sign_in.helpers import FakeClock, client_from, sign_in_app

USER_AGENT = "Mozilla/5.0 (Macintosh) Firefox/128.0"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))


@pytest.fixture
def app(
    db: Database, settings: Settings, plugin_host: PluginHost, smtp: SmtpServer, clock: FakeClock
) -> Starlette:
    return sign_in_app(db, settings, plugin_host, smtp, clock)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[GraphQLClient]:
    async with client_from(app, user_agent=USER_AGENT) as client:
        yield client
        # What the link pages recorded (they do not settle as GraphQL calls do) is dispatched
        # before the next test empties the tables.
        await client.settle()


@pytest.fixture
async def team(db: Database) -> Team:
    return await make_team(db)
