"""``eventTypes``: the registry in GraphQL, so a client knows every ``Notification.type``."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from icn_graph.events import DomainEvent, SubjectRef, event_type
from icn_graph.plugins import hookimpl
from icn_graph.testing import GraphQLClient

QUERY = "{ eventTypes { name description owner fields { name type } } }"


@event_type("kudos_api.given", subject="kudos")
class KudosGiven(DomainEvent):
    """Someone thanked someone."""

    kudos: SubjectRef
    message: str = ""


class KudosPlugin:
    @hookimpl
    def register_event_types(self) -> Sequence[type[DomainEvent]]:
        return [KudosGiven]


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [("icn-kudos-api", KudosPlugin())]


async def test_event_types_lists_core_and_plugin_types_for_anyone(client: GraphQLClient) -> None:
    data = await client.data(QUERY)  # no token: the names are no secret
    types = {entry["name"]: entry for entry in data["eventTypes"]}
    assert [entry["name"] for entry in data["eventTypes"]] == sorted(types)
    assert len(types) == 37
    assert types["registration.cancelled"] == {
        "name": "registration.cancelled",
        "description": "A registration was cancelled (the event keeps who and which session).",
        "owner": "core.learning_sessions",
        "fields": [
            {"name": "registration", "type": "SubjectRef"},
            {"name": "learning_session", "type": "SubjectRef"},
            {"name": "session_title", "type": "str"},
            {"name": "person", "type": "SubjectRef"},
            {"name": "person_name", "type": "str"},
            {"name": "part", "type": "RegistrationPart"},
        ],
    }
    assert types["kudos_api.given"]["owner"] == "icn-kudos-api"
    assert types["kudos_api.given"]["fields"] == [
        {"name": "kudos", "type": "SubjectRef"},
        {"name": "message", "type": "str"},
    ]
