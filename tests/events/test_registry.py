"""Event types come from the register_event_types hook: core's areas and plugins alike; a name
declared twice, or something that is no event type, stops start-up naming who did it."""

from __future__ import annotations

import types
from collections.abc import Sequence

import pytest

from icn_graph.config import Settings
from icn_graph.events import DomainEvent, SubjectRef, event_type
from icn_graph.events.registry import event_types
from icn_graph.host import load_plugins
from icn_graph.plugins import hookimpl
from icn_graph.plugins.manager import PluginStartupError


@event_type("kudos_test.given", subject="kudos")
class KudosGiven(DomainEvent):
    """Someone thanked someone (a test plugin's event)."""

    kudos: SubjectRef
    message: str = ""


@event_type("goal.checked_in")
class FakeCheckIn(DomainEvent):
    """A plugin claiming core's name."""

    goal: SubjectRef


def plugin(*returned: object) -> types.SimpleNamespace:
    @hookimpl
    def register_event_types() -> Sequence[object]:
        return list(returned)

    return types.SimpleNamespace(register_event_types=register_event_types)


def test_core_registers_its_events_through_the_hook(settings: Settings) -> None:
    host = load_plugins(settings, discover=False)
    owners = {owner for owner, _types in host.event_types()}
    assert owners == {
        "core.directory",
        "core.goals",
        "core.learning_sessions",
        "core.stewardship",
    }
    assert event_types().get("goal.checked_in") is not None
    assert event_types().get("kudos_test.given") is None


def test_a_plugins_event_types_join_the_registry(settings: Settings) -> None:
    load_plugins(settings, extra=[("icn-kudos-test", plugin(KudosGiven))], discover=False)
    entry = event_types().get("kudos_test.given")
    assert entry is not None
    assert (entry.cls, entry.owner) == (KudosGiven, "icn-kudos-test")
    assert entry.fields == [("kudos", "SubjectRef"), ("message", "str")]
    read = event_types().read(
        "kudos_test.given", {"message": "Thanks!"}, version=1, subject=SubjectRef("Kudos", 4)
    )
    assert read == KudosGiven(kudos=SubjectRef("Kudos", 4), message="Thanks!")


def test_a_name_core_declares_stops_start_up_naming_both(settings: Settings) -> None:
    with pytest.raises(PluginStartupError) as raised:
        load_plugins(settings, extra=[("icn-sneaky", plugin(FakeCheckIn))], discover=False)
    message = str(raised.value)
    assert "'goal.checked_in' is declared twice" in message
    assert "by 'core.goals' (icn_graph.services.goals.events.GoalCheckedIn)" in message
    assert "by 'icn-sneaky' (tests.events.test_registry.FakeCheckIn)" in message


def test_two_plugins_with_one_name_stop_start_up_naming_both(settings: Settings) -> None:
    @event_type("kudos_test.given", subject="kudos")
    class OtherKudos(DomainEvent):
        """Another plugin's kudos."""

        kudos: SubjectRef

    with pytest.raises(PluginStartupError, match=r"by 'icn-a' .* and by 'icn-b'"):
        load_plugins(
            settings,
            extra=[("icn-a", plugin(KudosGiven)), ("icn-b", plugin(OtherKudos))],
            discover=False,
        )


def test_the_same_class_twice_is_no_conflict(settings: Settings) -> None:
    load_plugins(settings, extra=[("icn-a", plugin(KudosGiven, KudosGiven))], discover=False)
    assert event_types().get("kudos_test.given") is not None


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        ("kudos.given", "register_event_types must return a list of event types"),
        (["kudos.given"], "returned 'kudos.given', which is not an event type"),
        ([SubjectRef], "which is not an event type"),
    ],
)
def test_what_is_no_event_type_stops_start_up_naming_the_plugin(
    settings: Settings, returned: object, expected: str
) -> None:
    @hookimpl
    def register_event_types() -> object:
        return returned

    bad = types.SimpleNamespace(register_event_types=register_event_types)
    with pytest.raises(PluginStartupError, match="icn-bad") as raised:
        load_plugins(settings, extra=[("icn-bad", bad)], discover=False)
    assert expected in str(raised.value)


def test_an_undecorated_subclass_is_refused(settings: Settings) -> None:
    class Undeclared(KudosGiven):
        pass

    with pytest.raises(PluginStartupError, match=r"icn-bad.*Undeclared has no @event_type"):
        load_plugins(settings, extra=[("icn-bad", plugin(Undeclared))], discover=False)
