"""The event and subject types in use are those of the host being served: asking for core's
schema or event table never drops a plugin's types, and an app given a host installs its types."""

from __future__ import annotations

import icn_kudos.plugin

from icn_graph.app import create_app
from icn_graph.builtin import BUILTIN_PLUGINS
from icn_graph.config import Settings
from icn_graph.events.registry import event_types
from icn_graph.host import core_event_table, core_host, core_schema, load_plugins
from icn_graph.plugins.manager import PluginHost, import_internal


def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_asking_for_core_alone_keeps_the_plugins_types_in_use() -> None:
    load_plugins(settings(), extra=[("icn-kudos", icn_kudos.plugin)], discover=False)
    core_schema()
    core_event_table()
    assert "kudos.given" in event_types()


def test_an_app_serves_the_types_of_the_host_it_is_given() -> None:
    load_plugins(settings(), extra=[("icn-kudos", icn_kudos.plugin)], discover=False)
    create_app(settings(), plugins=core_host())
    assert "kudos.given" not in event_types()
    with_kudos = PluginHost.load(
        settings(),
        internal=import_internal(BUILTIN_PLUGINS),
        extra=[("icn-kudos", icn_kudos.plugin)],
        discover=False,
    )
    create_app(settings(), plugins=with_kudos)  # a host built without load_plugins
    assert "kudos.given" in event_types()
