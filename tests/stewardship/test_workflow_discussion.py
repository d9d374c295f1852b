"""Where a request is discussed: in a co-design thread when icn-codesign is installed (opened
with the request, its deciders joining only by commenting, comments posted there), and
in the request's own comments when it is not (the app built without the plugin)."""

from __future__ import annotations

from collections.abc import Sequence

import icn_codesign.plugin
import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.plugins.manager import PluginStartupError
from icn_graph.services.stewardship.discussion import discussion_provider
from icn_graph.testing import GraphQLClient
from tests.stewardship.workflow_helpers import (
    ACCEPT,
    COMMENT,
    PROPOSE,
    cast,
    new_request,
    ok,
    view_input,
)

DISCUSSION = """
query($id: ID!) { node(id: $id) { ... on DataRequest {
  comments { body }
  discussion { __typename ... on Thread {
    title audience subject { id }
    participants { person { displayName } }
    messages { nodes { body author { displayName } } }
  } }
} } }
"""

PLAIN = """
query($id: ID!) { node(id: $id) { ... on DataRequest {
  comments { body author { displayName } } discussion { id }
} } }
"""


def names(thread: dict[str, object]) -> set[str]:
    participants = thread["participants"]
    assert isinstance(participants, list)
    return {p["person"]["displayName"] for p in participants}


class TestWithCodesign:
    @pytest.fixture
    def icn_plugins(self) -> Sequence[tuple[str, object]]:
        return [("icn-codesign", icn_codesign.plugin)]

    async def test_the_request_is_discussed_in_a_thread_of_its_participants(
        self, db: Database, client: GraphQLClient
    ) -> None:
        people = await cast(db)
        request = await new_request(client, people)
        data = await client.data(DISCUSSION, {"id": request["id"]}, token=people.requester.token)
        thread = data["node"]["discussion"]
        assert thread["__typename"] == "Thread"
        assert thread["title"] == "Spring 2014 Learning Session talk"
        assert thread["audience"] == "PARTICIPANTS"
        assert thread["subject"]["id"] == request["id"]
        assert names(thread) == {"Pat Parent", "Nia Network"}
        [opening] = thread["messages"]["nodes"]
        assert opening["author"]["displayName"] == "Pat Parent"
        assert "A slide of remission by center" in opening["body"]

        posted = await ok(
            client,
            COMMENT,
            people.network_dm,
            {"dataRequestId": request["id"], "body": "Would a funnel plot work?"},
        )
        assert posted["comment"] is None
        assert posted["message"]["__typename"] == "ThreadMessage"
        assert posted["dataRequest"]["state"] == "IN_DISCUSSION"

        view = (
            await ok(
                client,
                PROPOSE,
                people.network_dm,
                view_input(request["id"], [people.a, people.b]),
            )
        )["view"]
        await ok(client, ACCEPT, people.requester, {"id": view["id"]})
        # The asked deciders are not put into the thread: its participants see one another.
        data = await client.data(DISCUSSION, {"id": request["id"]}, token=people.staff.token)
        assert names(data["node"]["discussion"]) == {"Pat Parent", "Nia Network"}
        # A QI lead who may see the request joins by commenting, by choice; staff see it all.
        await ok(
            client,
            COMMENT,
            people.qi_lead_b,
            {"dataRequestId": request["id"], "body": "Fine by us."},
        )
        data = await client.data(DISCUSSION, {"id": request["id"]}, token=people.staff.token)
        thread = data["node"]["discussion"]
        assert names(thread) == {"Pat Parent", "Nia Network", "Dr. Quinn B"}
        assert [m["body"] for m in thread["messages"]["nodes"]][1:] == [
            "Would a funnel plot work?",
            "Fine by us.",
        ]
        assert data["node"]["comments"] == []
        # A decider of a center never named sees neither the request nor its thread.
        body = await client.execute(DISCUSSION, {"id": request["id"]}, token=people.qi_lead_c.token)
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_without_a_plugin_the_request_keeps_its_own_comments(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    request = await new_request(client, people)
    await ok(client, COMMENT, people.network_dm, {"dataRequestId": request["id"], "body": "Why?"})
    await ok(client, COMMENT, people.requester, {"dataRequestId": request["id"], "body": "A talk."})
    data = await client.data(PLAIN, {"id": request["id"]}, token=people.requester.token)
    assert data["node"]["discussion"] is None
    assert data["node"]["comments"] == [
        {"body": "Why?", "author": {"displayName": "Nia Network"}},
        {"body": "A talk.", "author": {"displayName": "Pat Parent"}},
    ]


class _Provider:
    async def open(self, session: object, viewer: object, opening: object) -> str:
        return "x"

    async def post(self, session: object, viewer: object, discussion_id: str, body: str) -> str:
        return "y"


def _plugin(provider: object) -> object:
    class Plugin:
        @hookimpl
        def register_data_request_discussion(self) -> object:
            return provider

    return Plugin()


def test_at_most_one_plugin_provides_the_discussion() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    one = load_plugins(settings, extra=[("one", _plugin(_Provider()))], discover=False)
    assert isinstance(discussion_provider(one), _Provider)
    with pytest.raises(PluginStartupError, match="provided by both 'one' and 'two'"):
        load_plugins(
            settings,
            extra=[("one", _plugin(_Provider())), ("two", _plugin(_Provider()))],
            discover=False,
        )
    with pytest.raises(PluginStartupError, match="plugin 'odd': register_data_request_discussion"):
        load_plugins(settings, extra=[("odd", _plugin(object()))], discover=False)
    assert discussion_provider(load_plugins(settings, discover=False)) is None
