from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from tests.notifications.mail_in import reply_plugin


@pytest.fixture
def icn_plugins() -> Sequence[tuple[str, object]]:
    return [("reply-test", reply_plugin)]


@pytest.fixture(autouse=True)
def _fresh_replies() -> Iterator[None]:
    reply_plugin.received.clear()
    yield
    reply_plugin.received.clear()
