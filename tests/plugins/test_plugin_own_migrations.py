"""A first-party plugin's migrations (icn-codesign's, icn-panels'): up, models agree (``alembic
check``), down and up again, on its own version table, on both databases; core's history is
untouched."""

from __future__ import annotations

import asyncio
from types import ModuleType

import icn_codesign.plugin
import icn_panels.plugin
import pytest

from icn_graph.config import Settings
from icn_graph.db import migration_state, migrations
from icn_graph.host import load_plugins


# icn-panels needs icn-codesign installed beside it (its hooks).
@pytest.mark.parametrize(
    ("name", "plugins"),
    [
        ("icn-codesign", [("icn-codesign", icn_codesign.plugin)]),
        ("icn-panels", [("icn-codesign", icn_codesign.plugin), ("icn-panels", icn_panels.plugin)]),
    ],
)
async def test_the_plugin_migrates_on_its_own_and_matches_its_models(
    scratch_url: str, name: str, plugins: list[tuple[str, ModuleType]]
) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    host = load_plugins(settings, extra=plugins, discover=False)
    track = migrations.track_named(name, host)
    assert track.version_table == f"alembic_version_{name.replace('-', '_')}"

    await asyncio.to_thread(migrations.upgrade_all, scratch_url, host)
    heads = migrations.head_revisions(track)
    assert await migration_state.current_revisions_at(scratch_url, track) == heads
    await asyncio.to_thread(migrations.check, scratch_url, track)
    await asyncio.to_thread(migrations.check, scratch_url)  # core ignores the plugin's tables

    core = await migration_state.current_revisions_at(scratch_url)
    await asyncio.to_thread(migrations.downgrade, scratch_url, "base", track=track)
    assert await migration_state.current_revisions_at(scratch_url, track) == set()
    assert await migration_state.current_revisions_at(scratch_url) == core
    await asyncio.to_thread(migrations.upgrade, scratch_url, "heads", track=track)
    assert await migration_state.current_revisions_at(scratch_url, track) == heads
