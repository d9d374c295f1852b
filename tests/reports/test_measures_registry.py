"""The measures registry: core's measures, plugins' through ``register_measures``, conflicts."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.errors import NotFound, StartupError
from icn_graph.host import load_plugins
from icn_graph.plugins import hookimpl
from icn_graph.plugins.manager import PluginHost
from icn_graph.reports.measures import Direction, Measure, MeasureConflict, MeasureRegistry
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.reports.measures.monthly import visit_share

CORE_KEYS = [
    "remission_rate",
    "steroid_free_remission",
    "sustained_remission",
    "pre_visit_planning_rate",
]


def growth_measure(key: str = "growth_assessment_rate") -> Measure:
    return Measure(
        key=key,
        title="Growth assessment",
        definition="Share of visits in the month with growth assessed, among visits recording it.",
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=partial(visit_share, column="growth_assessed"),
    )


class MeasuresPlugin:
    def __init__(self, *measures: object) -> None:
        self.measures = list(measures)

    @hookimpl
    def register_measures(self) -> Sequence[object]:
        return self.measures


def host(*plugins: tuple[str, object]) -> PluginHost:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return load_plugins(settings, extra=plugins, discover=False)


def test_core_measures_load_without_plugins() -> None:
    registry = core_registry()
    assert registry.keys() == CORE_KEYS
    assert [measure.key for measure in registry.all()] == CORE_KEYS
    assert registry.get("remission_rate").direction is Direction.HIGHER_IS_BETTER
    assert registry.owner("sustained_remission") == "core"
    assert MeasureRegistry.load(host()).keys() == CORE_KEYS


def test_a_plugin_adds_a_measure_through_the_hook() -> None:
    registry = MeasureRegistry.load(host(("icn-growth", MeasuresPlugin(growth_measure()))))
    assert registry.keys() == [*CORE_KEYS, "growth_assessment_rate"]
    assert registry.owner("growth_assessment_rate") == "icn-growth"
    assert "growth_assessment_rate" in registry
    assert len(registry) == 5
    infos = {info.name: info for info in host(("icn-growth", MeasuresPlugin())).describe()}
    assert "register_measures" in infos["icn-growth"].hooks


def test_unknown_measure_names_the_known_ones() -> None:
    with pytest.raises(NotFound) as raised:
        core_registry().get("remision_rate")
    assert raised.value.message == (
        "No measure 'remision_rate'; known measures: remission_rate, steroid_free_remission, "
        "sustained_remission, pre_visit_planning_rate."
    )
    assert raised.value.field == "measure"


def test_a_plugin_redefining_a_core_measure_stops_start_up() -> None:
    plugins = host(("icn-remission", MeasuresPlugin(growth_measure("remission_rate"))))
    with pytest.raises(MeasureConflict) as raised:
        MeasureRegistry.load(plugins)
    assert str(raised.value).startswith(
        "measure 'remission_rate' is defined by both 'core' and 'icn-remission'"
    )
    assert isinstance(raised.value, StartupError)  # the CLI prints it as one line


def test_two_plugins_with_one_key_are_both_named() -> None:
    plugins = host(
        ("icn-growth", MeasuresPlugin(growth_measure())),
        ("icn-growth-too", MeasuresPlugin(growth_measure())),
    )
    with pytest.raises(MeasureConflict, match="defined by both 'icn-growth' and 'icn-growth-too'"):
        MeasureRegistry.load(plugins)


def test_a_plugin_returning_something_else_is_named() -> None:
    with pytest.raises(StartupError, match="plugin 'icn-odd': register_measures must"):
        MeasureRegistry.load(host(("icn-odd", MeasuresPlugin("remission_rate"))))


def test_a_malformed_key_is_refused() -> None:
    with pytest.raises(StartupError, match="measure key 'Growth Rate' must be lower-case"):
        MeasureRegistry.load(host(("icn-growth", MeasuresPlugin(growth_measure("Growth Rate")))))


def test_a_plugin_measure_computes_like_core_ones() -> None:
    registry = MeasureRegistry.load(host(("icn-growth", MeasuresPlugin(growth_measure()))))
    visits = pd.DataFrame(
        {
            "center_id": pd.array([1, 1, 1], dtype="int64"),
            "visit_date": pd.to_datetime(["2024-01-02", "2024-01-09", "2024-02-01"]),
            "growth_assessed": pd.array([True, None, False], dtype="boolean"),
        }
    )
    result = registry.get("growth_assessment_rate").compute(visits)
    assert result[["numerator", "denominator"]].values.tolist() == [[1, 1], [0, 1]]


def test_the_server_app_refuses_a_duplicate_measure(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}", _env_file=None)  # type: ignore[arg-type,call-arg]
    duplicate = host(("icn-remission", MeasuresPlugin(growth_measure("remission_rate"))))
    with pytest.raises(MeasureConflict, match="defined by both 'core' and 'icn-remission'"):
        create_app(settings, plugins=duplicate)
    app = create_app(settings, plugins=host(("icn-growth", MeasuresPlugin(growth_measure()))))
    assert app.state.measures.keys() == [*CORE_KEYS, "growth_assessment_rate"]


# -- families: what the disclosure policy publishes together --------------------------------


def test_core_declares_the_remission_family() -> None:
    registry = core_registry()
    family = [measure.key for measure in registry.family("steroid_free_remission")]
    assert family == ["remission_rate", "steroid_free_remission", "sustained_remission"]
    assert registry.get("steroid_free_remission").nested_in == "remission_rate"
    assert registry.get("sustained_remission").nested_in == "remission_rate"
    assert registry.family("pre_visit_planning_rate") == [registry.get("pre_visit_planning_rate")]


@pytest.mark.parametrize(
    ("family", "nested_in", "message"),
    [
        ("remission", "no_such_measure", "is nested in 'no_such_measure', which is not"),
        (None, "remission_rate", "do not declare the same family"),
        ("growth", "remission_rate", "do not declare the same family"),
        ("Not A Key", None, "names family 'Not A Key'"),
    ],
)
def test_a_nesting_must_name_a_measure_of_the_same_family(
    family: str | None, nested_in: str | None, message: str
) -> None:
    measure = dataclasses.replace(growth_measure(), family=family, nested_in=nested_in)
    with pytest.raises(StartupError, match=message) as raised:
        MeasureRegistry.load(host(("icn-growth", MeasuresPlugin(measure))))
    assert "icn-growth" in str(raised.value)


def test_nesting_cannot_go_round() -> None:
    first = dataclasses.replace(growth_measure("first"), family="loop", nested_in="second")
    second = dataclasses.replace(growth_measure("second"), family="loop", nested_in="first")
    with pytest.raises(StartupError, match="is nested in itself"):
        MeasureRegistry([("icn-loop", [first, second])])
