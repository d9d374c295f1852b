"""Finding, vetting and registering plugins; the typed facade the rest of core calls."""

from __future__ import annotations

import asyncio
import difflib
import importlib
import inspect
import logging
import os
import sysconfig
import traceback
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import pluggy

from icn_graph.errors import StartupError
from icn_graph.plugins import hookspecs
from icn_graph.plugins.contributions import MigrationLocation, SchemaContribution
from icn_graph.plugins.published import PublishedHookError, add_published_hookspecs
from icn_graph.plugins.settings import name_list, plugin_settings, redacted

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute

    from icn_graph.config import Settings
    from icn_graph.demo.context import DemoContext
    from icn_graph.events.consumers import EventConsumer
    from icn_graph.plugins.worker_jobs import WorkerJob
    from icn_graph.reports.measures.registry import Measure

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "icn_graph"
INTERNAL_PREFIX = "core."

P = ParamSpec("P")
R = TypeVar("R")


class PluginStartupError(StartupError):
    """A plugin cannot be loaded as installed; the message names it and says why."""


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str | None
    builtin: bool
    enabled: bool
    hooks: tuple[str, ...] = ()
    settings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EventHandler:
    """One plugin's ``on_event`` implementation, called in isolation by the dispatcher."""

    plugin: str
    function: Any
    argnames: tuple[str, ...]

    async def __call__(self, **arguments: Any) -> None:
        chosen = {name: arguments[name] for name in self.argnames}
        if inspect.iscoroutinefunction(self.function):
            await self.function(**chosen)
        else:
            # A plain function runs in a thread: if it blocks, it blocks only itself.
            await asyncio.to_thread(self.function, **chosen)


def import_internal(dotted_names: Iterable[str]) -> list[tuple[str, object]]:
    """Core's internal plugins by module name; ``icn_graph.builtin.goals`` registers as
    ``core.goals``."""
    return [
        (f"{INTERNAL_PREFIX}{name.rsplit('.', 1)[-1]}", importlib.import_module(name))
        for name in dotted_names
    ]


def unknown_names(
    allowed: frozenset[str], blocked: frozenset[str], installed: set[str]
) -> list[str]:
    """A warning for each name in ICN_PLUGINS / ICN_DISABLED_PLUGINS that matches no installed
    plugin (a typo lets the plugin run, or not, against the operator's intent). ``core`` and
    ``core.*`` name core's internal plugins, which are always on."""
    known = ", ".join(sorted(installed)) or "none"
    return [
        f"{setting} names '{name}', which matches no installed plugin (installed: {known})"
        for setting, names in (("ICN_PLUGINS", allowed), ("ICN_DISABLED_PLUGINS", blocked))
        for name in sorted(names - installed)
        if name != "core" and not name.startswith(INTERNAL_PREFIX)
    ]


def _entry_points() -> list[EntryPoint]:
    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda point: point.name)


class PluginHost:
    """The plugin manager behind a method per hook. Build one with :meth:`load`."""

    def __init__(
        self,
        manager: pluggy.PluginManager,
        infos: list[PluginInfo],
        published: dict[str, str] | None = None,
        warnings: Sequence[str] = (),
    ) -> None:
        self.manager = manager
        self.infos = infos
        # Hooks that plugins publish for each other: {hook name: publishing plugin}.
        self.published = published or {}
        self.warnings = tuple(warnings)

    @classmethod
    def load(
        cls,
        settings: Settings,
        *,
        internal: Iterable[tuple[str, object]] = (),
        extra: Iterable[tuple[str, object]] = (),
        discover: bool = True,
    ) -> PluginHost:
        """``internal`` plugins (core's areas), then installed entry points (filtered by
        ICN_PLUGINS / ICN_DISABLED_PLUGINS), then ``extra`` (tests). Fails fast, naming the
        plugin, on anything malformed."""
        manager = pluggy.PluginManager(hookspecs.PROJECT)
        manager.add_hookspecs(hookspecs)
        allowed, blocked = name_list(settings.plugins), name_list(settings.disabled_plugins)
        infos: list[PluginInfo] = []

        def register(name: str, plugin: object, version: str | None, builtin: bool) -> None:
            if manager.has_plugin(name):
                raise PluginStartupError(f"plugin '{name}' is installed twice")
            try:
                manager.register(plugin, name=name)
            except (ValueError, pluggy.PluginValidationError) as error:
                raise PluginStartupError(
                    f"plugin '{name}' cannot be registered: {error}"
                ) from error
            infos.append(PluginInfo(name, version, builtin, True, (), plugin_settings(name)))

        for name, plugin in internal:
            register(name, plugin, None, builtin=True)
        points = _entry_points() if discover else []
        # Without discovery (tests, schema export) nothing is installed to compare with.
        warnings = unknown_names(allowed, blocked, {p.name for p in points}) if discover else []
        for warning in warnings:
            log.warning(warning)
        if discover:
            for point in points:
                version = point.dist.version if point.dist else None
                if (allowed and point.name not in allowed) or point.name in blocked:
                    infos.append(PluginInfo(point.name, version, False, False))
                    continue
                try:
                    plugin = point.load()
                except Exception as error:
                    raise PluginStartupError(
                        f"plugin '{point.name}' failed to import ({point.value}): {error!r}"
                        f"{where(error)}"
                    ) from error
                register(point.name, plugin, version, builtin=False)
        for name, plugin in extra:
            register(name, plugin, None, builtin=False)
        try:
            published = add_published_hookspecs(manager)
        except PublishedHookError as error:
            raise PluginStartupError(str(error)) from error
        known = (*hookspecs.HOOK_NAMES, *published)
        _check_hook_names(manager, known)
        infos = [
            replace(info, hooks=_implemented(manager, info.name, known)) if info.enabled else info
            for info in infos
        ]
        return cls(manager, infos, published, warnings)

    def plugin_name(self, plugin: object) -> str:
        return self.manager.get_name(plugin) or repr(plugin)

    # -- start-up hooks ------------------------------------------------------------------------

    def schema_contributions(self) -> list[tuple[str, SchemaContribution]]:
        return self._named_results("register_schema", SchemaContribution)

    def migration_locations(self) -> list[tuple[str, MigrationLocation]]:
        return self._named_results("register_migrations", MigrationLocation)

    def routes(self) -> list[BaseRoute]:
        from starlette.routing import BaseRoute

        found: list[BaseRoute] = []
        for plugin, routes in self._named_results("register_routes", Sequence):
            if isinstance(routes, str) or not all(isinstance(r, BaseRoute) for r in routes):
                raise PluginStartupError(
                    f"plugin '{plugin}': register_routes must return a list of Starlette routes"
                )
            found.extend(routes)
        return found

    def measures(self) -> list[tuple[str, tuple[Measure, ...]]]:
        """Each plugin's measures; the measures registry checks what they are."""
        found: list[tuple[str, tuple[Measure, ...]]] = []
        for plugin, measures in self._named_results("register_measures", Sequence):
            if isinstance(measures, str):
                raise PluginStartupError(
                    f"plugin '{plugin}': register_measures must return a list of Measure"
                )
            found.append((plugin, tuple(measures)))
        return found

    def event_consumers(self, settings: Settings) -> list[EventConsumer]:
        """Every plugin's transactional event consumers, in registration order."""
        found: list[EventConsumer] = []
        results = self._named_results(
            "register_event_consumers", Sequence, settings=settings, plugins=self
        )
        for plugin, consumers in results:
            if isinstance(consumers, str) or not all(callable(c) for c in consumers):
                raise PluginStartupError(
                    f"plugin '{plugin}': register_event_consumers must return a list of "
                    "async functions (session, events, now)"
                )
            found.extend(consumers)
        return found

    def worker_jobs(self, settings: Settings) -> list[WorkerJob]:
        """Every plugin's periodic worker jobs, in registration order."""
        found: list[WorkerJob] = []
        for plugin, jobs in self._named_results(
            "register_worker_jobs", Sequence, settings=settings
        ):
            if isinstance(jobs, str) or not all(callable(job) for job in jobs):
                raise PluginStartupError(
                    f"plugin '{plugin}': register_worker_jobs must return a list of "
                    "async functions (db, now)"
                )
            found.extend(jobs)
        return found

    def event_types(self) -> list[tuple[str, Sequence[object]]]:
        """Each plugin's event types, unchecked (``EventTypeRegistry.build`` checks them)."""
        found = self._named_results("register_event_types", Sequence)
        for plugin, types in found:
            if isinstance(types, str):
                raise PluginStartupError(
                    f"plugin '{plugin}': register_event_types must return a list of event types"
                )
        return found

    def subject_types(self) -> list[tuple[str, Sequence[object]]]:
        """Each plugin's subject types, unchecked (``SubjectTypeRegistry.build`` checks them)."""
        found = self._named_results("register_subject_types", Sequence)
        for plugin, types in found:
            if isinstance(types, str):
                raise PluginStartupError(
                    f"plugin '{plugin}': register_subject_types must return a list of SubjectType"
                )
        return found

    def reply_handlers(self) -> list[tuple[str, Sequence[object]]]:
        """Each plugin's reply handlers, unchecked (``ReplyHandlerRegistry.build`` checks them)."""
        found = self._named_results("register_reply_handlers", Sequence)
        for plugin, handlers in found:
            if isinstance(handlers, str):
                raise PluginStartupError(
                    f"plugin '{plugin}': register_reply_handlers must return a list of ReplyHandler"
                )
        return found

    def data_request_discussions(self) -> list[tuple[str, object]]:
        """Each plugin's provider of data requests' discussion, unchecked (the stewardship
        services check them: at most one)."""
        return self._named_results("register_data_request_discussion", object)

    def mail_template_folders(self) -> list[Path]:
        """The folders of mail templates plugins register, in registration order."""
        folders: list[Path] = []
        for plugin, folder in self._named_results("register_mail_templates", (str, Path)):
            path = Path(folder)
            if not path.is_dir():
                raise PluginStartupError(
                    f"plugin '{plugin}': register_mail_templates returned {folder!s}, "
                    "which is not a folder"
                )
            folders.append(path)
        return folders

    # -- runtime hooks -------------------------------------------------------------------------

    def event_handlers(self) -> list[EventHandler]:
        return [
            EventHandler(impl.plugin_name, impl.function, tuple(impl.argnames))
            for impl in self.manager.hook.on_event.get_hookimpls()
        ]

    async def load_demo_data(self, session: AsyncSession, context: DemoContext) -> None:
        await self._call_each("load_demo_data", session=session, context=context)

    async def startup(self, app: Starlette) -> None:
        await self._call_each("startup", app=app)

    async def shutdown(self, app: Starlette) -> None:
        """Every plugin's shutdown runs, even when an earlier one fails (failures are logged)."""
        for impl in self.manager.hook.shutdown.get_hookimpls():
            try:
                result = impl.function(**{name: app for name in impl.argnames})
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("plugin %s failed in shutdown", impl.plugin_name)

    # -- hooks plugins publish for each other ---------------------------------------------------

    def call_hook(self, spec: Callable[P, R | None], *args: P.args, **kwargs: P.kwargs) -> list[R]:
        """Call a hook a plugin published, typed by its spec: ``host.call_hook(
        CodesignHooks.icn_codesign_thread_badges, thread=thread)`` returns each
        implementation's non-None result (the latest registered plugin's first). An exception
        in an implementation reaches the caller."""
        if args:
            raise TypeError(f"call_hook({spec.__name__}, ...): pass the hook's arguments by name")
        caller = getattr(self.manager.hook, spec.__name__, None)
        if caller is None or caller.spec is None or caller.spec.function is not spec:
            raise LookupError(
                f"the hook '{spec.__name__}' is not published: return its specs from your "
                "plugin's register_hookspecs"
            )
        result = caller(**kwargs)
        if caller.spec.opts.get("firstresult"):
            return [] if result is None else [result]
        return list(result)

    async def acall_hook(
        self, spec: Callable[P, Awaitable[R | None]], *args: P.args, **kwargs: P.kwargs
    ) -> list[R]:
        """:meth:`call_hook` for an ``async def`` hook: awaits each implementation in turn
        (plain ``def`` implementations are allowed too)."""
        results: list[Any] = self.call_hook(spec, *args, **kwargs)
        awaited = [await result if inspect.isawaitable(result) else result for result in results]
        return [result for result in awaited if result is not None]

    # -- reporting -----------------------------------------------------------------------------

    def describe(self) -> list[PluginInfo]:
        """Every plugin, disabled ones included, with secret-looking settings redacted."""
        return [
            PluginInfo(
                info.name,
                info.version,
                info.builtin,
                info.enabled,
                info.hooks,
                redacted(info.settings),
            )
            for info in self.infos
        ]

    # -- plumbing ------------------------------------------------------------------------------

    def _named_results(
        self, hook: str, expected: type | tuple[type, ...], **arguments: Any
    ) -> list[tuple[str, Any]]:
        """Each plugin's non-None result of a start-up hook, in registration order."""
        results: list[tuple[str, Any]] = []
        for impl in getattr(self.manager.hook, hook).get_hookimpls():
            try:
                value = impl.function(**{name: arguments.get(name) for name in impl.argnames})
            except Exception as error:
                raise PluginStartupError(
                    f"plugin '{impl.plugin_name}' failed in {hook}: {error!r}{where(error)}"
                ) from error
            if value is None:
                continue
            if not isinstance(value, expected):
                raise PluginStartupError(
                    f"plugin '{impl.plugin_name}': {hook} must return "
                    f"{getattr(expected, '__name__', expected)}, not {type(value).__name__}"
                )
            results.append((impl.plugin_name, value))
        return results

    async def _call_each(self, hook: str, **arguments: Any) -> None:
        for impl in getattr(self.manager.hook, hook).get_hookimpls():
            result = impl.function(**{name: arguments[name] for name in impl.argnames})
            if inspect.isawaitable(result):
                await result


def _implemented(manager: pluggy.PluginManager, name: str, known: Sequence[str]) -> tuple[str, ...]:
    callers = manager.get_hookcallers(manager.get_plugin(name)) or []
    return tuple(caller.name for caller in callers if caller.name in known)


def where(error: BaseException) -> str:
    """`` at path:line`` of the innermost frame in the plugin's own code (not icn_graph, the
    standard library or an installed library): a start-up error is one line, so it points there."""
    libraries = (sysconfig.get_paths()["stdlib"], "site-packages", f"{os.sep}icn_graph{os.sep}")
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith("<")
        and not any(part in frame.filename for part in libraries)
    ]
    return f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""


def _check_hook_names(manager: pluggy.PluginManager, known: Sequence[str]) -> None:
    """A ``@hookimpl`` whose name is no hook (a typo) stops start-up, naming the plugin.

    ``known`` is core's hooks and those plugins publish. An implementation marked
    ``@hookimpl(optionalhook=True)`` may name a hook nobody publishes (the publishing plugin
    is not installed).
    """
    for name in manager.hook.__dict__:
        if name.startswith("_") or name in known:
            continue
        caller = getattr(manager.hook, name)
        for impl in caller.get_hookimpls():
            if impl.optionalhook:
                continue
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise PluginStartupError(
                f"plugin '{impl.plugin_name}' implements unknown hook '{name}'; "
                f"{hint}known hooks: {', '.join(known)}"
            )
    manager.check_pending()
