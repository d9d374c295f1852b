"""What ``Notification.data`` shows of each event type, core's and the first-party plugins':
JSON of declared fields only, less the ones each type withholds; and ``NotificationKind``'s
values, one per event type, two that would make one value stopping start-up."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, cast

import pytest
import strawberry

from icn_graph.builtin import BUILTIN_PLUGINS
from icn_graph.config import Settings
from icn_graph.events import DomainEvent, SubjectRef, event_type
from icn_graph.events.registry import EventTypeRegistry, RegisteredEventType, UnknownEvent
from icn_graph.events.shown import shown_data
from icn_graph.events.types import DECLARED, EventTypeError, field_types
from icn_graph.host import core_host
from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.plugins.manager import PluginHost, import_internal
from icn_graph.schema import SchemaConflict, build_schema
from icn_graph.schema.notifications.kinds import kind_name, notification_kinds
from tests.events.test_serialization import sample


def _installed() -> list[RegisteredEventType]:
    """Core's event types and those of every installed plugin (plugins_contrib's included)."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    host = PluginHost.load(settings, internal=import_internal(BUILTIN_PLUGINS), discover=True)
    return list(EventTypeRegistry.build(host.event_types()))


INSTALLED = _installed()

# The fields kept out of data, by type: each a field a reader of the notification might not see
# through its subject (see docs/plugins.md, "Kinds and data").
WITHHELD = {
    "data_request.submitted": {"stewards"},  # who else was told: no field of the request
    "data_view.accepted": {"asked"},  # the deciders asked name the view's other centers
    "person.deactivated": {"reason"},  # staff's reason: shown nowhere
    "proposal.reviewed": {"score", "comment"},  # never for the proposal's own people
    "thread.message_posted": {"body", "body_html"},  # may be edited or hidden since
    "thread.mentioned": {"body", "body_html"},
    "thread.draft_revised": {"body"},  # for mail; the app reads the revision
    "thread_message.hidden": {"reason"},
}


def test_the_first_party_plugins_are_installed_here() -> None:
    owners = {entry.owner for entry in INSTALLED}
    assert {"icn-codesign", "icn-kudos", "icn-panels"} <= owners, owners


@pytest.mark.parametrize("entry", INSTALLED, ids=lambda entry: entry.name)
def test_every_event_types_data_is_json_of_its_declared_fields(entry: RegisteredEventType) -> None:
    event = sample(entry.cls)
    shown = shown_data(event)
    assert shown is not None
    declared = [f.name for f in dataclasses.fields(cast("Any", entry.cls))]
    withheld = WITHHELD.get(entry.name, set())
    assert entry.cls.withheld == withheld
    assert list(shown) == [name for name in declared if name not in withheld]
    assert json.loads(json.dumps(shown)) == shown
    hints = field_types(entry.cls)
    for name, value in shown.items():
        if hints[name] is SubjectRef:
            assert value == getattr(event, name).global_id


def test_every_withheld_type_is_installed() -> None:
    assert set(WITHHELD) <= {entry.name for entry in INSTALLED}


def test_an_unknown_event_shows_nothing() -> None:
    unknown = UnknownEvent(about=SubjectRef("Goal", 1), type_name="gone.away", fields={"x": 1})
    assert shown_data(unknown) is None


def test_withheld_must_name_fields_of_the_type() -> None:
    with pytest.raises(EventTypeError, match=r"withheld names secrt, which it has no field of"):

        @event_type("shown_test.typo", withheld=["secrt"])
        class Typo(DomainEvent):
            goal: SubjectRef
            secret: str

    with pytest.raises(EventTypeError, match="withheld must list field names, not be the string"):

        @event_type("shown_test.string", withheld="secret")
        class OneString(DomainEvent):
            goal: SubjectRef
            secret: str

    assert "shown_test.typo" not in DECLARED  # refused before it is declared


# -- NotificationKind ----------------------------------------------------------------------------


def test_every_installed_event_type_is_a_kind_described_as_its_type() -> None:
    kinds = notification_kinds(INSTALLED)
    names = [member.name for member in kinds.enum]
    assert names == [kind_name(entry.name) for entry in INSTALLED] + ["UNKNOWN"]
    assert kinds.of("thread.message_posted").name == "THREAD_MESSAGE_POSTED"
    assert kinds.of("goal.checked_in").name == "GOAL_CHECKED_IN"
    assert kinds.of("gone.away").name == "UNKNOWN"
    definition = kinds.enum.__strawberry_definition__  # type: ignore[attr-defined]
    described = {value.name: value.description for value in definition.values}
    assert described["GOAL_CHECKED_IN"] == (
        "Someone checked in on a goal: its status, their confidence and a note. "
        "Event type `goal.checked_in`, of core.goals."
    )


def test_two_event_types_making_one_kind_stop_start_up_naming_both() -> None:
    try:

        @event_type("clash.pro_posed", subject="center")
        class ProPosed(DomainEvent):
            """One (tests only)."""

            center: SubjectRef

        @event_type("clash_pro.posed", subject="center")
        class PosedPro(DomainEvent):
            """The other (tests only)."""

            center: SubjectRef

        registry = EventTypeRegistry.build(
            [*core_host().event_types(), ("icn-one", [ProPosed]), ("icn-two", [PosedPro])]
        )
        with pytest.raises(SchemaConflict) as raised:
            build_schema(core_host().schema_contributions(), event_types=registry)
    finally:  # declared for this test alone: no other schema of this process may see them
        DECLARED.pop("clash.pro_posed", None)
        DECLARED.pop("clash_pro.posed", None)
    assert str(raised.value) == (
        "event types 'clash.pro_posed' (of 'icn-one') and 'clash_pro.posed' (of 'icn-two') "
        "would both be NotificationKind.CLASH_PRO_POSED; rename one of them"
    )


def test_a_plugin_adding_its_own_kind_to_notification_stops_start_up() -> None:
    def mine(root: Any) -> str:
        return "mine"

    @strawberry.type
    class KindOfMine:
        kind: str = strawberry.field(resolver=mine, description="The plugin's idea of a kind.")

    contributions = [
        *core_host().schema_contributions(),
        ("icn-mine", SchemaContribution(extend={"Notification": KindOfMine})),
    ]
    with pytest.raises(SchemaConflict) as raised:
        build_schema(contributions, event_types=INSTALLED)
    assert str(raised.value) == (
        "Notification.kind is defined by both 'core.notifications' and 'icn-mine'; "
        "rename the plugin's field"
    )
