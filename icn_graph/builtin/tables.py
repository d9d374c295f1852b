"""Core's tables as an internal plugin (``core.tables``).

Importing this module registers every core table on ``Base.metadata`` (for Alembic and tests):
core's areas, the event outbox, the notification engine and the plugin engine's. Their one
Alembic history (the top-level ``alembic/``) is registered here through ``register_migrations``,
the hook a plugin uses for its own; it migrates first, on Alembic's own ``alembic_version``.
"""

from pathlib import Path

import icn_graph.events.models
import icn_graph.models
import icn_graph.notifications.models
import icn_graph.plugins.models  # noqa: F401
from icn_graph.db import migration_tracks
from icn_graph.plugins.contributions import MigrationLocation
from icn_graph.plugins.hookspecs import hookimpl


@hookimpl
def register_migrations() -> MigrationLocation:
    core = migration_tracks.core_track()
    return MigrationLocation(
        path=Path(core.versions_path),
        owns_module=core.owner_module,
        version_table=core.version_table,
    )
