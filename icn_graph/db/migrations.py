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

import re
import traceback
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from icn_graph.db.base import Base
from icn_graph.db.database import create_engine
from icn_graph.errors import StartupError

if TYPE_CHECKING:
    from icn_graph.plugins.manager import PluginHost

CORE = "core.tables"
"""The internal plugin that registers core's history (``icn_graph/builtin/tables.py``)."""
CORE_VERSION_TABLE = "alembic_version"
CORE_MODULE = "icn_graph"


class MigrationFailed(StartupError):
    """A revision failed; the message names whose history and which revision, in one line."""


@dataclass(frozen=True)
class Track:
    """One migration history: whose it is, where its scripts are, which tables it owns."""

    name: str
    versions_path: str
    version_table: str
    owner_module: str

    @property
    def is_core(self) -> bool:
        return self.name == CORE

    @property
    def label(self) -> str:
        return "core" if self.is_core else f"plugin '{self.name}'"

    def owns(self, table_name: str) -> bool:
        module = table_modules().get(table_name)
        if module is None:
            return False
        return module == self.owner_module or module.startswith(self.owner_module + ".")


def table_modules() -> dict[str, str]:
    """Table name → module of the class mapped to it (how a table's owner is known)."""
    return {
        table.name: mapper.class_.__module__
        for mapper in Base.registry.mappers
        for table in mapper.tables
        if hasattr(table, "name")
    }


def script_location() -> Path:
    """Core's Alembic folder (``env.py``, ``script.py.mako``, ``versions/``).

    Installed from a wheel it is ``icn_graph/alembic``; in a checkout (an editable install, as
    ``make run`` makes) it is the ``alembic/`` beside the package.
    """
    packaged = Path(str(files("icn_graph").joinpath("alembic")))
    checkout = Path(str(files("icn_graph"))).parent / "alembic"
    for candidate in (packaged, checkout):
        if (candidate / "env.py").is_file() and (candidate / "versions").is_dir():
            return candidate
    raise StartupError(f"core's migrations are missing: neither {packaged} nor {checkout} exists")


def core_track() -> Track:
    """Core's history without a plugin host: what ``core.tables`` registers."""
    versions = script_location() / "versions"
    return Track(CORE, str(versions), CORE_VERSION_TABLE, CORE_MODULE)


def default_version_table(plugin: str) -> str:
    return "alembic_version_" + re.sub(r"[^a-z0-9]", "_", plugin.lower())


def tracks(host: PluginHost | None = None) -> list[Track]:
    """Every registered history, core's first, then the plugins' in load order."""
    if host is None:
        return [core_track()]
    found = [
        Track(
            plugin,
            str(location.path),
            location.version_table or default_version_table(plugin),
            location.owns_module,
        )
        for plugin, location in host.migration_locations()
    ]
    return sorted(found, key=lambda track: not track.is_core)


def track_named(name: str, host: PluginHost | None) -> Track:
    for track in tracks(host):
        if track.name == name:
            return track
    known = ", ".join(track.name for track in tracks(host))
    raise LookupError(f"no migration history named '{name}' (known: {known})")


def alembic_config(url: str, track: Track | None = None) -> Config:
    track = track or core_track()
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.set_main_option("version_locations", track.versions_path)
    config.set_main_option("path_separator", "os")
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


def head_revisions(url: str, track: Track | None = None) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(url, track)).get_heads())


async def current_revisions(engine: AsyncEngine, track: Track | None = None) -> set[str]:
    version_table = (track or core_track()).version_table

    def read(sync: object) -> tuple[str, ...]:
        # transactional_ddl as the upgrade runs it (else Alembic logs "non-transactional DDL").
        opts = {"version_table": version_table, "transactional_ddl": True}
        context = MigrationContext.configure(sync, opts=opts)  # type: ignore[arg-type]
        return context.get_current_heads()

    async with engine.connect() as connection:
        heads = await connection.run_sync(read)
    return set(heads)


def behind_message(track: Track, current: set[str], heads: set[str]) -> str | None:
    """The line ``serve`` warns with (and ``/readyz`` answers) when a history is not at its
    heads; ``None`` when it is."""
    if current == heads:
        return None
    return (
        f"{track.name} migrations are at {', '.join(sorted(current)) or 'base'}, not the latest; "
        "run `icn-graph db upgrade`"
    )


async def histories_behind(engine: AsyncEngine, heads: dict[Track, set[str]]) -> list[str]:
    """A line per history whose applied revisions are not ``heads[track]``, core's first."""
    found = []
    for track, latest in heads.items():
        message = behind_message(track, await current_revisions(engine, track), latest)
        if message is not None:
            found.append(message)
    return found


def all_heads(url: str, host: PluginHost | None = None) -> dict[Track, set[str]]:
    """Each registered history's head revisions, as the installed code has them."""
    return {track: head_revisions(url, track) for track in tracks(host)}


async def current_revisions_at(url: str, track: Track | None = None) -> set[str]:
    engine = create_engine(url)
    try:
        return await current_revisions(engine, track)
    finally:
        await engine.dispose()
