"""The suite uses the fixtures plugin authors get (icn_graph/testing.py, the pytest plugin
``icn_graph``): every database test runs on SQLite and on PostgreSQL, through the real app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from icn_graph.testing import BACKENDS, fresh_database_url
from tests.smtp_server import SmtpServer

__all__ = ["BACKENDS", "fresh_database_url"]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on loopback that records what it receives."""
    with SmtpServer() as server:
        yield server
