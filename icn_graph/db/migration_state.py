"""Where each migration history stands, without Alembic: what ``serve`` and ``/readyz`` ask.

A server needs two answers about migrations: the head revisions of each history, and the
revisions its database has applied. Importing Alembic for them (and Mako, which it loads) cost
every server process 11 MB and a tenth of a second. Here the heads come from the revision files
themselves, parsed (never imported): each file's ``revision`` and ``down_revision``; a head is a
revision no other revision comes down from, as Alembic has it. Files that only running them
would explain (a computed ``down_revision``, say) send their history to Alembic after all. The
applied revisions come from each history's version table, one SELECT each.
The histories themselves are in ``migration_tracks``; ``migrations`` runs Alembic's commands on
them, and a test checks it agrees with this module on every history's heads.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import column, inspect, select, table
from sqlalchemy.ext.asyncio import AsyncEngine

from icn_graph.db.database import create_engine
from icn_graph.db.migration_tracks import Track, core_track, tracks

if TYPE_CHECKING:
    from icn_graph.plugins.manager import PluginHost

# The revision files Alembic reads in a versions folder (not recursive): no editor lock files
# (``.#name.py``), no ``__init__``.
_REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")


class _Unreadable(Exception):
    """A revision file says its place in the history in a way only running it would tell."""


def _assigned(tree: ast.Module, name: str) -> Any:
    """The literal a module last assigns to ``name`` at its top level (``x = …``, ``x: T = …``);
    None if it assigns none."""
    found: Any = None
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            found = ast.literal_eval(value)  # ValueError unless a literal
    return found


def _parents(down: Any) -> tuple[str, ...]:
    if down is None:
        return ()
    if isinstance(down, str):
        return (down,)
    if isinstance(down, list | tuple) and all(isinstance(item, str) for item in down):
        return tuple(down)
    raise _Unreadable(f"down_revision {down!r}")


def _revisions(versions_path: str) -> dict[str, tuple[str, ...]]:
    """Each revision file's revision → the revisions it comes down from."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted(Path(versions_path).iterdir()):
        if not (_REVISION_FILE.match(path.name) and path.is_file()):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        revision = _assigned(tree, "revision")
        if not isinstance(revision, str):
            raise _Unreadable(f"{path.name} has no literal revision")
        found[revision] = _parents(_assigned(tree, "down_revision"))
    named = {parent for parents in found.values() for parent in parents}
    if not named <= found.keys():  # a revision that is not there: Alembic says what is wrong
        raise _Unreadable(f"down_revision names {sorted(named - found.keys())}")
    return found


def file_heads(track: Track) -> set[str]:
    """The track's head revisions, read from its revision files. A history whose files say it
    in a way that cannot be read without running them (a computed ``down_revision``, a parent
    that is not there, an unreadable file) is asked of Alembic, imported for it alone."""
    try:
        revisions = _revisions(track.versions_path)
    except (SyntaxError, ValueError, OSError, UnicodeDecodeError, _Unreadable):
        from icn_graph.db import migrations  # Alembic, for this history alone

        return migrations.head_revisions(track)
    below = {down for downs in revisions.values() for down in downs}
    return set(revisions) - below


def heads_by_track(host: PluginHost | None = None) -> dict[Track, set[str]]:
    """Each registered history's head revisions, as the installed code has them."""
    return {track: file_heads(track) for track in tracks(host)}


async def current_revisions(engine: AsyncEngine, track: Track | None = None) -> set[str]:
    """The revisions applied to the database for ``track`` (none: its table is not there)."""
    version_table = (track or core_track()).version_table
    versions = table(version_table, column("version_num"))

    def read(sync: Any) -> set[str]:
        if not inspect(sync).has_table(version_table):
            return set()
        return {row[0] for row in sync.execute(select(versions.c.version_num))}

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def current_revisions_at(url: str, track: Track | None = None) -> set[str]:
    engine = create_engine(url)
    try:
        return await current_revisions(engine, track)
    finally:
        await engine.dispose()


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
