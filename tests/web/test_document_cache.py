"""Parsed and validated documents are kept per schema, and every limit still applies to a
document that is found there."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.schema import MAX_DEPTH
from icn_graph.schema.document_cache import LRU, DocumentCache
from icn_graph.testing import make_staff_token
from icn_graph.web.graphql_app import GraphQLApp
from tests.helpers import GraphQLClient
from tests.web.test_http import query_of_depth

AppFactory = Callable[..., GraphQLClient]


def graphql_app(app: Starlette) -> GraphQLApp:
    [endpoint] = [
        route.endpoint
        for route in app.routes
        if isinstance(route, Route) and route.path == "/graphql"
    ]
    assert isinstance(endpoint, GraphQLApp)
    return endpoint


def documents(client: GraphQLClient) -> DocumentCache:
    assert client.app is not None
    cache = getattr(graphql_app(client.app).schema, "documents", None)
    assert isinstance(cache, DocumentCache)
    return cache


@pytest.fixture
async def configured(
    db: Database, plugin_host: PluginHost, settings: Settings
) -> AsyncIterator[AppFactory]:
    """``configured(**settings)``: a client of a new app with those settings."""
    opened: list[httpx.AsyncClient] = []

    def make(**overrides: Any) -> GraphQLClient:
        app = create_app(settings.model_copy(update=overrides), db=db, plugins=plugin_host)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        opened.append(http)
        return GraphQLClient(http, app)

    yield make
    for http in opened:
        await http.aclose()


def test_the_lru_forgets_the_least_recently_used() -> None:
    lru: LRU[str, int] = LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "b" is now the least recently used
    lru.put("c", 3)
    assert (lru.get("a"), lru.get("b"), lru.get("c"), len(lru)) == (1, None, 3, 2)


async def test_a_document_is_parsed_and_validated_once(client: GraphQLClient) -> None:
    cache = documents(client)
    query = "query Name { network { name } }"
    first = await client.data(query)
    document = next(iter(cache.documents._entries.values()))
    assert (len(cache.documents), len(cache.valid)) == (1, 1)
    assert await client.data(query) == first
    # The same parsed document, nothing added: found, not parsed again.
    assert next(iter(cache.documents._entries.values())) is document
    assert (len(cache.documents), len(cache.valid)) == (1, 1)


async def test_invalid_documents_are_not_kept(client: GraphQLClient) -> None:
    cache = documents(client)
    for _ in range(2):
        body = await client.execute("{ network { nmae } }")
        [error] = body["errors"]
        assert "Cannot query field 'nmae' on type 'Network'." in error["message"]
        unparsable = await client.execute("{ network { name }")
        assert unparsable["errors"][0]["message"].startswith("Syntax Error")
    # The first parsed (its rules failed), the second did not parse: neither is "valid".
    assert (len(cache.documents), len(cache.valid)) == (1, 0)


async def test_a_depth_over_the_limit_is_refused_each_time(
    db: Database, client: GraphQLClient
) -> None:
    token = await make_staff_token(db)
    assert await client.data(query_of_depth(MAX_DEPTH), token=token)
    for _ in range(2):
        body = await client.execute(query_of_depth(MAX_DEPTH + 1), token=token)
        assert body.get("data") is None
        assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_the_operation_name_rule_applies_to_a_kept_document(client: GraphQLClient) -> None:
    query = "query A { network { name } } query B { viewer { person { id } } }"
    named = await client.http.post("/graphql", json={"query": query, "operationName": "A"})
    assert named.json()["data"] == {"network": {"name": "Test Network"}}
    body = await client.execute(query)
    assert body.get("data") is None
    assert body["errors"][0]["message"].startswith("operationName is required")


async def test_introspection_off_still_refuses_anonymous_clients_a_kept_document(
    db: Database, configured: AppFactory
) -> None:
    client = configured(introspection=False)
    query = "{ __schema { queryType { name } } }"
    signed_in = await client.data(query, token=await make_staff_token(db))
    assert signed_in == {"__schema": {"queryType": {"name": "Query"}}}
    body = await client.execute(query)
    assert body.get("data") is None
    assert "introspection" in body["errors"][0]["message"].lower()


async def test_the_length_limit_applies_to_a_kept_document(configured: AppFactory) -> None:
    query = "{ network { name } }" + " " * 200
    roomy = configured(max_query_length=1000)
    assert await roomy.data(query) == {"network": {"name": "Test Network"}}
    strict = configured(max_query_length=100)
    body = await strict.execute(query)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_LONG"


async def test_read_only_tokens_still_cannot_run_a_kept_mutation(
    db: Database, client: GraphQLClient
) -> None:
    staff = await make_staff_token(db)
    made = await client.data(
        'mutation { createPersonalAccessToken(input: {name: "ro", readOnly: true}) { token } }',
        token=staff,
    )
    read_only = made["createPersonalAccessToken"]["token"]
    mutation = 'mutation { createPersonalAccessToken(input: {name: "again"}) { token } }'
    assert (await client.data(mutation, token=staff))["createPersonalAccessToken"]["token"]
    body = await client.execute(mutation, token=read_only)
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert json.dumps(body).count("read-only") == 1
