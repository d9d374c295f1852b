"""Plugins: pluggy hooks through which core features and partners' packages extend the network.

Public surface for plugin authors: ``hookimpl`` (decorate your hook functions), ``hookspec``
(mark the hooks your plugin publishes for others), the contribution types in
``icn_graph.plugins.contributions``, ``plugin_settings(name)``, and ``icn_graph.testing``.
"""

from icn_graph.plugins.contributions import MigrationLocation, SchemaContribution
from icn_graph.plugins.hookspecs import hookimpl, hookspec
from icn_graph.plugins.settings import plugin_settings

__all__ = ["MigrationLocation", "SchemaContribution", "hookimpl", "hookspec", "plugin_settings"]
