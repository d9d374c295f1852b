"""Hooks that plugins publish for other plugins (``register_hookspecs``)."""

from __future__ import annotations

import inspect
import types

import pluggy

from icn_graph.errors import StartupError
from icn_graph.plugins import hookspecs

SPEC_MARK = f"{hookspecs.PROJECT}_spec"


class PublishedHookError(StartupError):
    """A plugin's published hooks cannot be added; the message names the plugins."""


def _spec_names(specs: object) -> list[str]:
    return sorted(
        name
        for name in dir(specs)
        if not name.startswith("_") and hasattr(getattr(specs, name, None), SPEC_MARK)
    )


def add_published_hookspecs(manager: pluggy.PluginManager) -> dict[str, str]:
    """Adds every plugin's published hookspecs to ``manager``; ``{hook name: publisher}``.

    Implementations registered earlier are checked against the new specs here, so a plugin
    implementing another's hook with an argument the hook lacks stops start-up naming both.
    """
    publishers: dict[str, str] = {}
    for impl in manager.hook.register_hookspecs.get_hookimpls():
        publisher = impl.plugin_name
        try:
            specs = impl.function()
        except Exception as error:
            raise PublishedHookError(
                f"plugin '{publisher}' failed in register_hookspecs: {error!r}"
            ) from error
        if specs is None:
            continue
        if not isinstance(specs, types.ModuleType) and not inspect.isclass(specs):
            raise PublishedHookError(
                f"plugin '{publisher}': register_hookspecs must return a module or a class of "
                f"@hookspec functions, not {type(specs).__name__}"
            )
        names = _spec_names(specs)
        if not names:
            raise PublishedHookError(
                f"plugin '{publisher}': register_hookspecs returned {specs!r}, which has no "
                "@hookspec function (mark them with icn_graph.plugins.hookspec)"
            )
        for name in names:
            if name in hookspecs.HOOK_NAMES:
                raise PublishedHookError(
                    f"plugin '{publisher}' publishes the hook '{name}', which core defines"
                )
            if name in publishers:
                raise PublishedHookError(
                    f"the hook '{name}' is published by both '{publishers[name]}' and "
                    f"'{publisher}'; rename one (prefix hooks with the plugin's name)"
                )
            publishers[name] = publisher
        try:
            manager.add_hookspecs(specs)
        except pluggy.PluginValidationError as error:
            implementer = manager.get_name(error.plugin) or repr(error.plugin)
            raise PublishedHookError(
                f"plugin '{implementer}' implements a hook that '{publisher}' publishes "
                f"with arguments the hook lacks: {error}"
            ) from error
    return publishers
