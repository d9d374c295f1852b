"""Sign-in tests run against an app with a simulated clock that mails through a real SMTP server
(aiosmtpd on loopback). A module overrides ``app`` (or ``clock``) for other settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, SmtpServer
from tests.sign_in.helpers import FakeClock, client_from, sign_in_app


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def app(
    db: Database, settings: Settings, plugin_host: PluginHost, smtp: SmtpServer, clock: FakeClock
) -> Starlette:
    return sign_in_app(db, settings, plugin_host, smtp, clock)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[GraphQLClient]:
    async with client_from(app) as client:
        yield client
