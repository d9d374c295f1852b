"""``icn-graph schema export``: core's schema (committed), or ``--with-plugins`` the served one.

Runs the real command in-process with the plugins installed in this environment (icn-kudos,
icn-codesign).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from icn_graph.cli import main
from icn_graph.host import CORE_ONLY_HEADER, printed_schema


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "ICN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "ICN_LOG_LEVEL": "WARNING",
        "ICN_PLUGINS": "",  # every installed plugin
        "ICN_DISABLED_PLUGINS": "",
    }


def export(env: dict[str, str], *options: str) -> str:
    result = CliRunner().invoke(
        main, ["schema", "export", "--output", "-", *options], env=env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_plain_export_is_core_only_even_with_plugins_installed(env: dict[str, str]) -> None:
    core = export(env)
    assert core == printed_schema()
    assert core.startswith(CORE_ONLY_HEADER)
    assert "--with-plugins" in CORE_ONLY_HEADER
    assert "kudos" not in core.lower()


def test_with_plugins_is_the_schema_as_served(env: dict[str, str]) -> None:
    served = export(env, "--with-plugins")
    header, _, sdl = served.partition("\n\n")
    assert header == (
        "# icn_graph's schema as served with the plugins: icn-codesign 0.1.0, icn-kudos 0.1.0, "
        "icn-panels 0.1.0."
    )
    assert re.search(
        r"  giveKudos\(\n(.*\n)*?    input: GiveKudosInput!\n  \): GiveKudosPayload!", sdl
    )
    assert "type Kudos {" in sdl
    assert "type Thread implements Followable & Node {" in sdl
    # Everything core's schema has is there too: the plugin only adds.
    core_sdl = printed_schema().removeprefix(CORE_ONLY_HEADER)
    core_types = [line for line in core_sdl.splitlines() if line.endswith("{")]
    assert len(core_types) > 50
    assert [line for line in core_types if line not in sdl] == []
    assert len(sdl) > len(core_sdl)


def test_with_plugins_leaves_out_a_disabled_plugin(env: dict[str, str]) -> None:
    env["ICN_DISABLED_PLUGINS"] = "icn-kudos,icn-codesign,icn-panels"
    served = export(env, "--with-plugins")
    assert served.startswith("# icn_graph's schema as served with the plugins: none.\n\n")
    assert served.partition("\n\n")[2] == printed_schema().removeprefix(CORE_ONLY_HEADER)
