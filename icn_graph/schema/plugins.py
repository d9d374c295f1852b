"""``plugins``: what is installed and how it is doing. Staff only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from icn_graph.db.database import Database
from icn_graph.plugins.models import PluginError
from icn_graph.schema.context import Info
from icn_graph.schema.described_enums import described_enum
from icn_graph.services import plugins as service

described_enum(
    service.PluginState,
    name="PluginState",
    description="Whether a plugin runs.",
    values={
        service.PluginState.ACTIVE: "Loaded, and its event handlers run.",
        service.PluginState.PAUSED: "Loaded, but its event handlers are paused after repeated "
        "failures (the circuit breaker); they are tried again after a cool-down.",
        service.PluginState.DISABLED: "Installed but not loaded (ICN_DISABLED_PLUGINS, or not in "
        "ICN_PLUGINS).",
    },
)


@strawberry.type(description="A failure of a plugin's event handler.")
class PluginFailure:
    hook: str = strawberry.field(description="The hook that failed, e.g. on_event.")
    event_type: str | None = strawberry.field(
        description="The event it was handling, e.g. goal.checked_in; null if none."
    )
    error: str = strawberry.field(
        description="What went wrong: the exception, a timeout, a blocked event loop or a full "
        "queue (at most 2000 characters)."
    )
    occurred_at: datetime = strawberry.field(description="When (UTC).")

    @classmethod
    def from_model(cls, error: PluginError) -> PluginFailure:
        return cls(
            hook=error.hook,
            event_type=error.event_type,
            error=error.error,
            occurred_at=error.occurred_at,
        )


@strawberry.type(description="A plugin setting from ICN_PLUGIN_<NAME>_<KEY>; secrets redacted.")
class PluginSetting:
    key: str = strawberry.field(description="<KEY> in lower case, e.g. max_length.")
    value: str = strawberry.field(
        description="As set; ********** when the key names a secret (password, token, key, ...)."
    )


@strawberry.type(
    description="An installed plugin; core's own areas are listed too, as built-in plugins "
    "(core.goals, ...)."
)
class Plugin:
    name: str = strawberry.field(description="Its entry-point name, or core's area (core.goals).")
    version: str | None = strawberry.field(
        description="Its package's version; null when unknown (core's areas, plugins given in "
        "code)."
    )
    builtin: bool = strawberry.field(description="Whether it is part of core.")
    state: service.PluginState = strawberry.field(description="Whether it runs now.")
    hooks: list[str] = strawberry.field(description="The hooks it implements.")
    settings: list[PluginSetting] = strawberry.field(
        description="Its ICN_PLUGIN_<NAME>_* settings."
    )

    @strawberry.field(description="Its newest event-handler failures (at most 50).")
    async def recent_errors(
        self,
        info: Info,
        limit: Annotated[
            int, strawberry.argument(description="How many, newest first: 0 to 50.")
        ] = 10,
    ) -> list[PluginFailure]:
        async def batch(db: Database, names: list[str]) -> list[list[PluginError]]:
            found = await service.recent_errors(db, names, limit)
            return [found.get(name, []) for name in names]

        loader = info.context.loaders.get(f"plugin_errors:{limit}", batch)
        return [PluginFailure.from_model(error) for error in await loader.load(self.name)]


def resolve_plugins(info: Info) -> list[Plugin]:
    host = info.context.plugins
    if host is None:
        info.context.viewer.require_staff("see plugins")
        return []
    statuses = service.plugin_statuses(info.context.viewer, host, info.context.dispatcher)
    return [
        Plugin(
            name=status.info.name,
            version=status.info.version,
            builtin=status.info.builtin,
            state=status.state,
            hooks=list(status.info.hooks),
            settings=[PluginSetting(key=k, value=v) for k, v in status.info.settings.items()],
        )
        for status in statuses
    ]
