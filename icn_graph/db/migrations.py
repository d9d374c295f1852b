"""Running Alembic from code (the CLI and tests), for core's history and for each plugin's.

Core's revisions live in the top-level ``alembic/`` of a checkout (shipped in the package as
``icn_graph/alembic``) and are tracked in ``alembic_version``. Every history, core's included,
is registered through the ``register_migrations`` hook (core's by its internal plugin
``core.tables``) and becomes a *track*: its revisions folder and its version table
(``alembic_version_<plugin>`` for a plugin). Removing a plugin therefore never leaves an unknown
revision in core's table, and a plugin can be downgraded on its own.

Each run of a track is one transaction on both backends (SQLite included: see
:func:`migration_engine`), so a revision that fails leaves the database as it was before the run.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from icn_graph.db.database import create_engine
from icn_graph.db.migration_tracks import (
    CORE,
    CORE_MODULE,
    CORE_VERSION_TABLE,
    Track,
    core_track,
    default_version_table,
    script_location,
    table_modules,
    track_named,
    tracks,
)
from icn_graph.errors import StartupError

if TYPE_CHECKING:
    from icn_graph.plugins.manager import PluginHost

__all__ = [
    "CORE",
    "CORE_MODULE",
    "CORE_VERSION_TABLE",
    "MigrationFailed",
    "Track",
    "alembic_config",
    "check",
    "core_track",
    "default_version_table",
    "downgrade",
    "head_revisions",
    "migration_engine",
    "script_location",
    "table_modules",
    "track_named",
    "tracks",
    "upgrade",
    "upgrade_all",
]


class MigrationFailed(StartupError):
    """A revision failed; the message names whose history and which revision, in one line."""


def _scripts_config(track: Track) -> Config:
    """An Alembic config that knows ``track``'s scripts (and no database)."""
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.set_main_option("version_locations", track.versions_path)
    config.set_main_option("path_separator", "os")
    return config


def alembic_config(url: str, track: Track | None = None) -> Config:
    track = track or core_track()
    config = _scripts_config(track)
    config.attributes["url"] = url
    config.attributes["track"] = track
    return config


def migration_engine(url: str) -> AsyncEngine:
    """An engine whose transactions include DDL on SQLite too.

    Python's sqlite3 driver commits before each DDL statement unless it is left out of
    transaction handling; then we emit ``BEGIN`` ourselves, as SQLAlchemy documents, so a failed
    ``CREATE TABLE`` rolls back with everything else. PostgreSQL does this already.
    """
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _leave_transactions_to_us)
        event.listen(engine.sync_engine, "begin", _begin)
        event.listen(engine.sync_engine, "commit", _check_foreign_keys)
    return engine


def _leave_transactions_to_us(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    # Batch mode rebuilds a table (copy, DROP, rename). With foreign keys enforced, the DROP
    # would first delete every row that references it through ON DELETE CASCADE (every
    # notification, when ``events`` is rebuilt). Off for the run, as Alembic's batch docs say;
    # SQLite only honours this outside a transaction, hence at connect. Checked before commit.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def _check_foreign_keys(connection: Any) -> None:
    """Refuse to commit a migration run that left a dangling reference."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _key = broken[0]
        raise RuntimeError(
            f"{len(broken)} row(s) would reference missing rows, e.g. {table} rowid {rowid} "
            f"-> {parent}; nothing was committed"
        )


def _begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def upgrade(url: str, revision: str = "heads", *, track: Track | None = None) -> None:
    track = track or core_track()
    try:
        command.upgrade(alembic_config(url, track), revision)
    except Exception as error:
        raise failure(track, "upgrade", error) from error


def upgrade_all(url: str, host: PluginHost | None = None) -> None:
    for track in tracks(host):
        upgrade(url, "heads", track=track)


def downgrade(url: str, revision: str, *, track: Track | None = None) -> None:
    track = track or core_track()
    try:
        command.downgrade(alembic_config(url, track), revision)
    except Exception as error:
        raise failure(track, "downgrade", error) from error


def failure(track: Track, action: str, error: BaseException) -> MigrationFailed:
    """One line naming the history, the revision that failed and why; nothing was applied."""
    why = _first_line(error)
    revision = failing_revision(track, error)
    if revision is None:
        return MigrationFailed(f"{track.label} migrations could not {action}: {why}")
    return MigrationFailed(
        f"{track.label} migration {revision} failed ({action}): {why}; "
        "its run was rolled back; histories upgraded before it stay upgraded"
    )


def failing_revision(track: Track, error: BaseException) -> str | None:
    """The revision whose script was running when ``error`` was raised (innermost first)."""
    folder = Path(track.versions_path).resolve()
    frames = list(traceback.walk_tb(error.__traceback__))
    for frame, _line in reversed(frames):
        if Path(frame.f_code.co_filename).resolve().parent == folder:
            revision = frame.f_globals.get("revision")
            if isinstance(revision, str):
                return revision
    return None


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(original).__name__}: {first}" if first else type(original).__name__


def check(url: str, track: Track | None = None) -> None:
    """Raises ``alembic.util.exc.AutogenerateDiffsDetected`` when models and migrations differ."""
    command.check(alembic_config(url, track))


def head_revisions(track: Track | None = None) -> set[str]:
    """``track``'s head revisions as Alembic finds them (``migration_state.file_heads`` reads
    them without Alembic)."""
    scripts = ScriptDirectory.from_config(_scripts_config(track or core_track()))
    return set(scripts.get_heads())
