"""Revocation closes a person's open websockets at once (4403), before any next operation:
deactivation by staff, `revokePersonalAccessToken`, and what `icn-graph token revoke` does. Only
the sockets whose token stopped working close; everyone else's stay open."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.notifications.realtime.broadcaster import Broadcaster
from icn_graph.notifications.realtime.revocations import announce_revocation, revocation_topic
from icn_graph.services.tokens import issue_token, revoke_tokens_of
from icn_graph.testing import make_staff_token
from tests.helpers import GraphQLClient, make_person, token_for
from tests.subscription_helpers import WsClient, serving, ws_client

VIEWER = "{ viewer { person { displayName } } }"


@pytest.fixture
async def server(app: Starlette) -> AsyncIterator[str]:
    async with serving(app) as base_url:
        yield base_url


async def watched(app: Starlette, person_id: int, socket: WsClient, count: int = 1) -> None:
    """Wait until ``count`` connections listen for the person's revocations."""
    broadcaster = app.state.broadcaster
    assert isinstance(broadcaster, Broadcaster)
    while broadcaster.topics.subscriber_count(revocation_topic(person_id)) < count:
        await socket.round_trip()


async def closed_with(client: WsClient) -> int:
    """The close code the server sends without being asked anything."""
    with pytest.raises(ConnectionClosed) as closed:
        await client.receive()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def still_answers(client: WsClient, name: str) -> None:
    await client.send({"id": "q", "type": "subscribe", "payload": {"query": VIEWER}})
    answer = await client.receive()
    assert answer["payload"]["data"] == {"viewer": {"person": {"displayName": name}}}
    assert await client.receive() == {"id": "q", "type": "complete"}


async def test_deactivation_closes_the_persons_sockets_at_once(
    db: Database, app: Starlette, client: GraphQLClient, server: str
) -> None:
    maria = await make_person(db, display_name="Maria Lopez")
    other = await make_person(db, display_name="Omar Diaz")
    staff = await make_staff_token(db)
    async with (
        ws_client(server, await token_for(db, maria)) as hers,
        ws_client(server, await token_for(db, other)) as his,
    ):
        await watched(app, maria.id, hers)
        await watched(app, other.id, his)
        data = await client.data(
            "mutation($input: DeactivatePersonInput!) { deactivatePerson(input: $input) {"
            " person { id } userErrors { field message } } }",
            {"input": {"id": to_global_id("Person", maria.id)}},
            token=staff,
        )
        assert data["deactivatePerson"]["userErrors"] == []
        assert await closed_with(hers) == 4403
        await still_answers(his, "Omar Diaz")


async def test_revoking_one_token_closes_only_the_sockets_that_used_it(
    db: Database, app: Starlette, client: GraphQLClient, server: str
) -> None:
    maria = await make_person(db, display_name="Maria Lopez")
    laptop = await token_for(db, maria)
    made = await client.data(
        'mutation { createPersonalAccessToken(input: {name: "script"}) {'
        " token personalAccessToken { id } } }",
        token=laptop,
    )
    script = made["createPersonalAccessToken"]
    async with ws_client(server, laptop) as kept, ws_client(server, script["token"]) as ended:
        await watched(app, maria.id, kept, count=2)
        await client.data(
            "mutation($input: RevokePersonalAccessTokenInput!) {"
            " revokePersonalAccessToken(input: $input) { revokedPersonalAccessTokenId } }",
            {"input": {"id": script["personalAccessToken"]["id"]}},
            token=laptop,
        )
        assert await closed_with(ended) == 4403
        await still_answers(kept, "Maria Lopez")


async def test_what_token_revoke_does_closes_the_sockets(
    db: Database, app: Starlette, server: str
) -> None:
    maria = await make_person(db, email="maria@example.org", display_name="Maria Lopez")
    issued = await issue_token(db, maria.email, label="laptop")
    async with ws_client(server, issued.secret) as socket:
        await watched(app, maria.id, socket)
        revoked = await revoke_tokens_of(db, maria.email, "laptop")
        assert (revoked.person_id, revoked.tokens) == (maria.id, 1)
        await announce_revocation(db, revoked.person_id)
        assert await closed_with(socket) == 4403


async def test_a_revocation_message_alone_closes_nothing(
    db: Database, app: Starlette, server: str
) -> None:
    """The message only makes sockets check their token: a forged or stale one is harmless."""
    maria = await make_person(db, display_name="Maria Lopez")
    async with ws_client(server, await token_for(db, maria)) as socket:
        await watched(app, maria.id, socket)
        await announce_revocation(db, maria.id)
        await still_answers(socket, "Maria Lopez")
