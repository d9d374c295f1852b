"""Core assembled: the plugin host with core's internal plugins, and the schema it serves."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry

from icn_graph.builtin import BUILTIN_PLUGINS
from icn_graph.config import Settings
from icn_graph.events.catalog import event_table
from icn_graph.events.in_transaction import use_in_transaction_consumers
from icn_graph.events.registry import (
    EventTypeConflict,
    EventTypeRegistry,
    use_event_types,
)
from icn_graph.notifications.auto_follow import follow_automatically_all
from icn_graph.notifications.reply_handlers import (
    ReplyHandlerConflict,
    ReplyHandlerRegistry,
    use_reply_handlers,
)
from icn_graph.notifications.subject_types import (
    SubjectTypeConflict,
    SubjectTypeRegistry,
    use_subject_types,
)
from icn_graph.plugins.manager import PluginHost, PluginStartupError, import_internal
from icn_graph.schema import build_schema
from icn_graph.services.stewardship.discussion import discussion_provider


def load_plugins(
    settings: Settings,
    *,
    extra: Iterable[tuple[str, object]] = (),
    discover: bool = True,
) -> PluginHost:
    """Core's internal plugins, then installed ones (unless ``discover`` is off), then ``extra``;
    their event types and subject types become the registries in use."""
    host = _core_and(settings, extra=extra, discover=discover)
    install_registries(host)
    return host


def install_registries(host: PluginHost) -> None:
    """Make ``host``'s event types, subject types and reply handlers the ones this process
    reads and writes with (the app does this for the host it serves, so a host built by hand
    works too), and core's automatic follows the consumer of every recording transaction;
    check that at most one plugin provides data requests' discussion."""
    try:
        use_event_types(EventTypeRegistry.build(host.event_types()))
        use_subject_types(SubjectTypeRegistry.build(host.subject_types()))
        use_reply_handlers(ReplyHandlerRegistry.build(host.reply_handlers()))
        use_in_transaction_consumers([follow_automatically_all])
        discussion_provider(host)
    except (EventTypeConflict, SubjectTypeConflict, ReplyHandlerConflict) as error:
        raise PluginStartupError(str(error)) from error


def core_host() -> PluginHost:
    """Core alone: no discovery, no settings needed (schema export, library use). It leaves the
    registries in use as they are, so asking for core's schema never hides a plugin's types."""
    return _core_and(Settings(_env_file=None), extra=(), discover=False)  # type: ignore[call-arg]


def _core_and(
    settings: Settings, *, extra: Iterable[tuple[str, object]], discover: bool
) -> PluginHost:
    return PluginHost.load(
        settings, internal=import_internal(BUILTIN_PLUGINS), extra=extra, discover=discover
    )


def served_schema(host: PluginHost) -> strawberry.Schema:
    """The schema ``host`` serves: its plugins' fields and types, its event types as kinds."""
    return build_schema(
        host.schema_contributions(), event_types=EventTypeRegistry.build(host.event_types())
    )


def core_schema() -> strawberry.Schema:
    return served_schema(core_host())


CORE_ONLY_HEADER = """\
# icn_graph's core schema, without any plugin (committed as schema.graphql; a test keeps it
# current). A server also serves the fields and types of its installed, enabled plugins: to get
# the schema as served, run `icn-graph schema export --with-plugins`.

"""


def printed_schema(host: PluginHost | None = None) -> str:
    """The SDL under a comment saying what it holds: core's alone (committed as
    ``schema.graphql``) or as ``host`` serves it, naming its enabled plugins."""
    schema = served_schema(host or core_host())
    return (CORE_ONLY_HEADER if host is None else _served_header(host)) + schema.as_str() + "\n"


def _served_header(host: PluginHost) -> str:
    plugins = [
        f"{info.name} {info.version or '(unknown version)'}"
        for info in host.describe()
        if info.enabled and not info.builtin
    ]
    return f"# icn_graph's schema as served with the plugins: {', '.join(plugins) or 'none'}.\n\n"


def core_event_table() -> str:
    """Core's event types as the Markdown table docs/plugins.md shows (core's registry alone)."""
    registry = EventTypeRegistry.build(core_host().event_types())
    return event_table(entry for entry in registry if entry.owner.startswith("core."))
