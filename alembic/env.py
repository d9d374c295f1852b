"""Alembic environment: async engine, the app's settings, batch mode for SQLite, one transaction
per run on both backends.

``icn_graph.db.migrations`` runs this once per history (core's, then each plugin's), handing
over the database URL and the track in ``config.attributes``. Run by hand from a checkout
(``alembic upgrade heads``; the URL from ``-x url=...``, ``sqlalchemy.url`` or
``ICN_DATABASE_URL``), an upgrade of core goes on to upgrade every installed plugin's history, as
``icn-graph db upgrade`` does; other commands (``revision --autogenerate``, ``check``,
``downgrade``) act on core's history alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from alembic import context
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

import icn_graph.builtin.tables  # noqa: F401  (registers every core table on Base.metadata)
from icn_graph.config import get_settings
from icn_graph.db import migrations
from icn_graph.db.base import Base
from icn_graph.db.migrations import Track

config = context.config


def database_url() -> str:
    return str(
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or get_settings().database_url_value
    )


def run_by_hand() -> bool:
    """``alembic ...`` on the command line, rather than ``icn_graph.db.migrations``."""
    return "track" not in config.attributes


def current_track() -> Track:
    found = config.attributes.get("track")
    return found if isinstance(found, Track) else migrations.core_track()


def options(track: Track) -> dict[str, Any]:
    def include_object(
        item: object, name: str | None, type_: str, reflected: bool, compare_to: object
    ) -> bool:
        """Each history sees only its own tables (and their indexes and constraints)."""
        table = name if type_ == "table" else getattr(getattr(item, "table", None), "name", None)
        return table is None or track.owns(table)

    return {
        "target_metadata": Base.metadata,
        "render_as_batch": True,
        "compare_type": True,
        "version_table": track.version_table,
        "include_object": include_object,
        # Every revision of a run in one transaction, SQLite included (migration_engine makes
        # its DDL transactional): a failing revision leaves nothing of the run behind.
        "transactional_ddl": True,
        "transaction_per_migration": False,
    }


def run_with(connection: Connection) -> None:
    context.configure(connection=connection, **options(current_track()))
    with context.begin_transaction():
        context.run_migrations()


def upgrade_here(connection: Connection, track: Track) -> None:
    """Upgrade a plugin's history to its heads from inside this run (Alembic's ``command`` API
    cannot be nested in env.py, so its environment is driven directly)."""
    track_config = migrations.alembic_config(database_url(), track)
    script = ScriptDirectory.from_config(track_config)
    to_heads: Callable[[Any, Any], Any] = lambda revision, _context: script._upgrade_revs(  # noqa: E731
        "heads", revision
    )
    environment = EnvironmentContext(track_config, script, fn=to_heads, destination_rev="heads")
    environment.configure(connection=connection, **options(track))
    try:
        with environment.begin_transaction():
            environment.run_migrations()
    except Exception as error:
        raise migrations.failure(track, "upgrade", error) from error


def plugin_tracks_to_upgrade() -> list[Track]:
    """When ``alembic upgrade`` is run by hand: every installed plugin's history, after core's."""
    if not run_by_hand() or config.cmd_opts is None:
        return []
    command = getattr(config.cmd_opts, "cmd", None)
    if not command or getattr(command[0], "__name__", None) != "upgrade":
        return []
    from icn_graph.host import load_plugins

    return [track for track in migrations.tracks(load_plugins(get_settings())) if not track.is_core]


async def run_online() -> None:
    engine = migrations.migration_engine(database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_with)
            await connection.commit()
            for track in plugin_tracks_to_upgrade():
                await connection.run_sync(upgrade_here, track)
                await connection.commit()
    finally:
        await engine.dispose()


def run_offline() -> None:
    context.configure(url=database_url(), literal_binds=True, **options(current_track()))
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
