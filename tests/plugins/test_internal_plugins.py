"""Core registers itself the way a third party does: each area is an internal plugin whose
contributions arrive through the same hooks (datasette's default plugins, tox's internal ones)."""

from __future__ import annotations

import importlib

from icn_graph.builtin import BUILTIN_PLUGINS
from icn_graph.host import core_host
from icn_graph.plugins import hookspecs

# What core must prove through its own use of each hook: every one of these has an
# implementation in some internal plugin.
HOOKS_CORE_USES = (
    "register_schema",
    "register_routes",
    "register_measures",
    "register_mail_templates",
    "register_event_consumers",
    "register_event_types",
    "register_migrations",
    "load_demo_data",
)


def implementers() -> dict[str, list[str]]:
    """For each hook, the internal plugins that implement it, in registration order."""
    host = core_host()
    found: dict[str, list[str]] = {name: [] for name in hookspecs.HOOK_NAMES}
    for info in host.describe():
        assert info.builtin, f"core_host() registered a non-internal plugin {info.name}"
        for hook in info.hooks:
            found[hook].append(info.name)
    return found


def test_each_area_is_an_internal_plugin_named_in_one_place() -> None:
    names = [info.name for info in core_host().describe()]
    assert names == [f"core.{dotted.rsplit('.', 1)[-1]}" for dotted in BUILTIN_PLUGINS]
    assert names == [
        "core.tables",
        "core.directory",
        "core.goals",
        "core.learning_sessions",
        "core.notifications",
        "core.reports",
        "core.stewardship",
        "core.data_views",
    ]


def test_core_uses_the_hooks_it_offers() -> None:
    found = implementers()
    unused = [hook for hook in HOOKS_CORE_USES if not found[hook]]
    assert not unused, f"no internal plugin implements {unused}: {found}"


def test_each_hook_lists_its_internal_implementers() -> None:
    found = implementers()
    assert found["register_schema"] == [
        "core.directory",
        "core.goals",
        "core.learning_sessions",
        "core.notifications",
        "core.reports",
        "core.stewardship",
        "core.data_views",
    ]
    assert found["register_routes"] == [
        "core.learning_sessions",
        "core.notifications",
        "core.reports",
        "core.data_views",
    ]
    assert found["register_measures"] == ["core.reports"]
    assert found["register_mail_templates"] == ["core.notifications"]
    assert found["register_event_consumers"] == ["core.notifications"]
    assert found["register_event_types"] == [
        "core.directory",
        "core.goals",
        "core.learning_sessions",
        "core.stewardship",
    ]
    assert found["register_migrations"] == ["core.tables"]


def test_what_core_registers_is_what_it_serves() -> None:
    host = core_host()
    paths = {getattr(route, "path", None) for route in host.routes()}
    assert {"/learning-sessions/{id}/agenda.ics", "/unsubscribe/{token}"} <= paths
    assert [owner for owner, _ in host.measures()] == ["core.reports"]
    keys = [measure.key for _, measures in host.measures() for measure in measures]
    assert "remission_rate" in keys
    assert host.mail_template_folders()[0].name == "events"


def test_internal_plugins_are_modules_of_hookimpls_only() -> None:
    """An internal plugin is a module of ``@hookimpl`` functions, like a third party's."""
    for dotted in BUILTIN_PLUGINS:
        module = importlib.import_module(dotted)
        hooks = [
            name
            for name, value in vars(module).items()
            if callable(value) and hasattr(value, f"{hookspecs.PROJECT}_impl")
        ]
        assert hooks, f"{dotted} implements no hook"
        assert set(hooks) <= set(hookspecs.HOOK_NAMES), f"{dotted}: {hooks}"
