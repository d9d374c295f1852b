"""The app a real server runs in ``test_limits_server.py``: core plus the stall plugin, with
settings from the environment (``uvicorn tests.web.limits_server_app:make_app --factory``)."""

from __future__ import annotations

from starlette.applications import Starlette

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.host import load_plugins
from tests.web import stall_plugin


def make_app() -> Starlette:
    settings = Settings()
    plugins = load_plugins(settings, extra=[("stall", stall_plugin)], discover=False)
    return create_app(settings, plugins=plugins)
