"""The migration histories: core's and each plugin's, one *track* each (its revisions folder
and its version table), registered through the ``register_migrations`` hook (core's by its
internal plugin ``core.tables``). ``migrations`` runs Alembic on them; ``migration_state`` says
where each stands without Alembic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from icn_graph.db.base import Base
from icn_graph.errors import StartupError

if TYPE_CHECKING:
    from icn_graph.plugins.manager import PluginHost

CORE = "core.tables"
"""The internal plugin that registers core's history (``icn_graph/builtin/tables.py``)."""
CORE_VERSION_TABLE = "alembic_version"
CORE_MODULE = "icn_graph"


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
