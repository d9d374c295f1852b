"""Automatic persisted queries (Apollo's protocol) through real HTTP requests."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.models import Center
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import make_staff_token
from icn_graph.web.persisted_queries import PersistedQueries
from tests.helpers import GraphQLClient

QUERY = "query Network($x: Boolean = true) { network { name @include(if: $x) } }"
NETWORK = {"network": {"name": "Test Network"}}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def post(http: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> httpx.Response:
    return await http.post("/graphql", json=body, headers=headers)


async def get(
    http: httpx.AsyncClient, digest: str, *, accept: str = "*/*", **params: str
) -> httpx.Response:
    # What Apollo Client's GET sends (and curl's default Accept: */*).
    query = {"extensions": json.dumps(persisted(digest)), **params}
    return await http.get("/graphql", params=query, headers={"accept": accept})


def assert_not_found(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ],
    }


async def test_a_miss_then_registration_then_hits_over_post_and_get(
    client: GraphQLClient,
) -> None:
    http, digest = client.http, sha(QUERY)
    assert_not_found(await post(http, {"extensions": persisted(digest)}))
    assert_not_found(await get(http, digest))

    registered = await post(http, {"query": QUERY, "extensions": persisted(digest)})
    assert registered.status_code == 200
    assert registered.json()["data"] == NETWORK

    hit = await post(http, {"extensions": persisted(digest), "operationName": "Network"})
    assert hit.json()["data"] == NETWORK
    over_get = await get(http, digest, operationName="Network")
    assert over_get.status_code == 200
    assert over_get.headers["content-type"] == "application/json"
    assert over_get.json()["data"] == NETWORK
    # Variables over GET, as JSON; a browser's Accept does not turn it into the explorer page.
    hidden = await get(http, digest, accept="text/html", variables=json.dumps({"x": False}))
    assert hidden.json()["data"] == {"network": {}}
    # Upper-case hex names the same query.
    assert (await get(http, digest.upper())).json()["data"] == NETWORK


async def test_a_hash_that_is_not_the_querys_is_refused(client: GraphQLClient) -> None:
    response = await post(client.http, {"query": QUERY, "extensions": persisted(sha("{ x }"))})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error == {
        "message": "provided sha does not match query",
        "extensions": {"code": "BAD_REQUEST"},
    }
    # Nothing was kept under that hash.
    assert_not_found(await post(client.http, {"extensions": persisted(sha("{ x }"))}))


@pytest.mark.parametrize(
    ("extension", "named"),
    [
        ("not an object", "`extensions.persistedQuery` must be an object"),
        ({"version": 2, "sha256Hash": "0" * 64}, "`extensions.persistedQuery.version`"),
        ({"version": 1, "sha256Hash": "abc"}, "`extensions.persistedQuery.sha256Hash`"),
        ({"version": 1, "sha256Hash": "g" * 64}, "`extensions.persistedQuery.sha256Hash`"),
        ({"version": 1}, "`extensions.persistedQuery.sha256Hash`"),
    ],
)
async def test_a_malformed_persisted_query_is_a_400_naming_the_field(
    client: GraphQLClient, extension: object, named: str
) -> None:
    response = await post(client.http, {"extensions": {"persistedQuery": extension}})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["message"].startswith(named), error
    assert error["extensions"] == {"code": "BAD_REQUEST"}


async def count_centers(db: Database) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(Center))).scalar_one())


async def test_a_persisted_mutation_never_runs_over_get(
    db: Database, client: GraphQLClient
) -> None:
    token = await make_staff_token(db)
    mutation = (
        'mutation Make { createCenter(input: { name: "Center Gamma", shortCode: "GAMMA",'
        ' city: "Dayton", region: "Midwest", country: "US", joinedOn: "2024-05-01" })'
        " { center { name } } }"
    )
    digest = sha(mutation)
    auth = {"authorization": f"Bearer {token}"}
    made = await post(client.http, {"query": mutation, "extensions": persisted(digest)}, **auth)
    assert made.json()["data"] == {"createCenter": {"center": {"name": "Center Gamma"}}}
    assert await count_centers(db) == 1

    query = {"extensions": json.dumps(persisted(digest))}
    response = await client.http.get("/graphql", params=query, headers=auth)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert "mutation" in error["message"].lower()
    assert await count_centers(db) == 1


@pytest.fixture
def short_queries(
    db: Database, plugin_host: PluginHost, settings: Settings
) -> Callable[[], Starlette]:
    return lambda: create_app(
        settings.model_copy(update={"max_query_length": 100}), db=db, plugins=plugin_host
    )


async def test_the_length_limit_applies_and_an_over_long_query_is_not_kept(
    short_queries: Callable[[], Starlette],
) -> None:
    transport = httpx.ASGITransport(app=short_queries())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        long = "{ network { name } }" + "#" * 100
        digest = sha(long)
        refused = await post(http, {"query": long, "extensions": persisted(digest)})
        assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_LONG"
        assert_not_found(await post(http, {"extensions": persisted(digest)}))


def test_the_store_forgets_the_least_recently_used_beyond_its_characters() -> None:
    store = PersistedQueries(characters=10)
    store.put("a", "aaaa")
    store.put("b", "bbbb")
    assert store.get("a") == "aaaa"  # "b" is now the least recently used
    store.put("c", "cccc")
    assert (store.get("a"), store.get("b"), store.get("c"), len(store)) == ("aaaa", None, "cccc", 2)
    store.put("d", "d" * 11)  # longer than the whole store: not kept
    assert store.get("d") is None


async def test_what_a_cdn_may_keep_of_a_get(
    db: Database, client: GraphQLClient, plugin_host: PluginHost, settings: Settings
) -> None:
    """An anonymous answer without errors is public for ICN_PUBLIC_CACHE_SECONDS; an answer to a
    token is private; a PersistedQueryNotFound, an error or a refused request is never kept
    (a kept miss would answer the query after its client registered it). POSTs say nothing."""
    http, digest = client.http, sha(QUERY)
    miss = await get(http, digest)
    assert_not_found(miss)
    assert miss.headers["cache-control"] == "no-store"
    assert "Authorization" in miss.headers["vary"].split(", ")

    registered = await post(http, {"query": QUERY, "extensions": persisted(digest)})
    assert "cache-control" not in registered.headers
    hit = await get(http, digest)
    assert hit.json()["data"] == NETWORK
    assert hit.headers["cache-control"] == "public, max-age=60"
    assert "Authorization" in hit.headers["vary"].split(", ")

    token = await make_staff_token(db)
    params = {"extensions": json.dumps(persisted(digest))}
    mine = await http.get("/graphql", params=params, headers={"authorization": f"Bearer {token}"})
    assert mine.json()["data"] == NETWORK
    assert mine.headers["cache-control"] == "private, no-store"
    # A token that matches nothing is still the caller's own; a blank header is no token.
    for header, control in (("Bearer icn_not-a-token", "private, no-store"), (" ", "public")):
        answered = await http.get("/graphql", params=params, headers={"authorization": header})
        assert answered.headers["cache-control"].startswith(control), header

    refused = await http.get(
        "/graphql", params={"query": "{ people(first: 1) { nodes { displayName } } }"}
    )
    assert refused.json()["errors"], refused.text
    assert refused.headers["cache-control"] == "no-store"
    mutation = await http.get("/graphql", params={"query": "mutation { __typename }"})
    assert mutation.status_code == 400
    assert mutation.headers["cache-control"] == "no-store"

    never = create_app(
        settings.model_copy(update={"public_cache_seconds": 0}), db=db, plugins=plugin_host
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=never), base_url="http://t"
    ) as other:
        await post(other, {"query": QUERY, "extensions": persisted(digest)})
        kept = await get(other, digest)
    assert kept.json()["data"] == NETWORK
    assert kept.headers["cache-control"] == "no-store"
