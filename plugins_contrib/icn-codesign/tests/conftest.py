"""icn-codesign's tests run with icn_graph's fixtures (``db``, ``client``, ...) and the plugin."""

from __future__ import annotations

import icn_codesign.plugin
import pytest


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [("icn-codesign", icn_codesign.plugin)]
