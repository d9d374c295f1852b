"""What tells an operator which plugin is at fault: a plugin name in the settings that matches
nothing installed, and a plugin's resolver that raises."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Sequence

import pytest
import strawberry
from click.testing import CliRunner

from icn_graph.cli import main
from icn_graph.config import Settings
from icn_graph.host import load_plugins
from icn_graph.plugins import SchemaContribution, hookimpl
from icn_graph.plugins.manager import PluginStartupError
from icn_graph.testing import GraphQLClient

# What `make install` installs: plugins_contrib's first-party plugins.
INSTALLED = "installed: icn-codesign, icn-kudos, icn-panels"


def test_unknown_plugin_names_warn_at_start(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(  # type: ignore[call-arg]
        plugins="icn-kudos, icn-kudoz, core",
        disabled_plugins="core.goals, panels",
        _env_file=None,
    )
    with caplog.at_level(logging.WARNING, logger="icn_graph.plugins.manager"):
        host = load_plugins(settings)
    assert host.warnings == (
        f"ICN_PLUGINS names 'icn-kudoz', which matches no installed plugin ({INSTALLED})",
        f"ICN_DISABLED_PLUGINS names 'panels', which matches no installed plugin ({INSTALLED})",
    )
    assert [record.getMessage() for record in caplog.records] == list(host.warnings)


def test_known_names_give_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(plugins="icn-kudos", disabled_plugins="core.reports", _env_file=None)  # type: ignore[call-arg]
    with caplog.at_level(logging.WARNING, logger="icn_graph.plugins.manager"):
        assert load_plugins(settings).warnings == ()
    assert caplog.records == []


def test_icn_graph_plugins_shows_the_warning() -> None:
    result = CliRunner().invoke(
        main, ["plugins"], env={"ICN_PLUGINS": "icn-kudoz", "ICN_LOG_LEVEL": "ERROR"}
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"warning: ICN_PLUGINS names 'icn-kudoz', which matches no installed plugin ({INSTALLED})"
    )
    assert "icn-kudos (0.1.0) disabled" in result.output


def _failing_lookup() -> int:
    raise RuntimeError("the exchange's upstream is down")


@strawberry.type
class ExplodingQuery:
    @strawberry.field
    def exchange_rate(self) -> int | None:
        return _failing_lookup()


class Exploding:
    @hookimpl
    def register_schema(self) -> SchemaContribution:
        return SchemaContribution(query=ExplodingQuery)


@pytest.fixture
def icn_plugins() -> Sequence[tuple[str, object]]:
    return [("exploding", Exploding())]


async def test_a_resolver_error_in_the_log_names_its_plugin(
    client: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="icn_graph.graphql"):
        body = await client.execute("{ first: exchangeRate }")
    assert body["data"] == {"first": None}
    (record,) = [r for r in caplog.records if r.name == "icn_graph.graphql"]
    assert record.getMessage() == "unexpected error in first (plugin exploding)"
    assert record.plugin == "exploding"  # type: ignore[attr-defined]
    assert record.exc_info is not None


class RaisesInRegisterSchema:
    @hookimpl
    def register_schema(self) -> SchemaContribution:
        raise ValueError("no schema today")


def test_a_start_up_error_points_at_the_plugins_line() -> None:
    host = load_plugins(
        Settings(_env_file=None),  # type: ignore[call-arg]
        extra=[("icn-broken", RaisesInRegisterSchema())],
        discover=False,
    )
    with pytest.raises(PluginStartupError) as raised:
        host.schema_contributions()
    line = inspect.getsourcelines(RaisesInRegisterSchema.register_schema)[1] + 2
    assert str(raised.value) == (
        "plugin 'icn-broken' failed in register_schema: ValueError('no schema today')"
        f" at {__file__}:{line}"
    )
