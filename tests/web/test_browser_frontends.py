"""Browser front-ends on other origins, through real requests on the ASGI app: CORS
(``ICN_CORS_ORIGINS``), websocket origins, the explorer's security headers and ``?explore=`` links,
the production switches ``ICN_GRAPHIQL`` and ``ICN_INTROSPECTION``, and gzip."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from starlette.applications import Starlette
from starlette.websockets import WebSocketDisconnect

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, make_staff_token

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    from starlette.testclient import TestClient

UNREACHABLE_URL = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
APP_ORIGIN = "http://localhost:5173"
OTHER_ORIGIN = "https://evil.example"
TRANSPORT_WS = "graphql-transport-ws"
INTROSPECTION = "{ __schema { queryType { name } } }"


def settings_with(url: str = UNREACHABLE_URL, **overrides: Any) -> Settings:
    return Settings(database_url=url, network_name="Test Network", _env_file=None, **overrides)  # type: ignore[arg-type,call-arg]


@pytest.fixture
async def offline_app() -> AsyncIterator[Any]:
    """``make(**settings)``: an httpx client for an app without a database (anonymous use)."""
    databases: list[Database] = []
    clients: list[httpx.AsyncClient] = []

    def make(**overrides: Any) -> httpx.AsyncClient:
        database = Database.from_url(UNREACHABLE_URL)
        databases.append(database)
        app = create_app(settings_with(**overrides), db=database)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")
        clients.append(http)
        return http

    yield make
    for http in clients:
        await http.aclose()
    for database in databases:
        await database.dispose()


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control")}


def preflight(origin: str, headers: str = "authorization, content-type") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
    }


# --------------------------------------------------------------------------------------------
# CORS
# --------------------------------------------------------------------------------------------


async def test_preflight_from_an_allowed_origin_succeeds(offline_app: Any) -> None:
    http = offline_app(cors_origins=f"{APP_ORIGIN}, https://app.example.org")
    response = await http.options("/graphql", headers=preflight(APP_ORIGIN))
    assert response.status_code == 200
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == APP_ORIGIN
    assert {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")} >= {
        "authorization",
        "content-type",
    }
    assert set(headers["access-control-allow-methods"].replace(" ", "").split(",")) == {
        "GET",
        "POST",
    }
    assert int(headers["access-control-max-age"]) >= 600  # cached: one preflight, not one each
    assert "access-control-allow-credentials" not in headers  # tokens, never cookies

    # The request itself then carries the origin back.
    posted = await http.post(
        "/graphql", json={"query": "{ network { name } }"}, headers={"Origin": APP_ORIGIN}
    )
    assert posted.json()["data"] == {"network": {"name": "Test Network"}}
    assert posted.headers["access-control-allow-origin"] == APP_ORIGIN


@pytest.mark.parametrize("configured", ["", APP_ORIGIN])
async def test_other_origins_get_no_cors_headers(offline_app: Any, configured: str) -> None:
    http = offline_app(cors_origins=configured)
    response = await http.options("/graphql", headers=preflight(OTHER_ORIGIN))
    assert response.status_code == 403
    assert cors_headers(response) == {}
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert OTHER_ORIGIN in error["message"]
    assert "ICN_CORS_ORIGINS" in error["message"]

    posted = await http.post(
        "/graphql", json={"query": "{ network { name } }"}, headers={"Origin": OTHER_ORIGIN}
    )
    assert cors_headers(posted) == {}  # the browser keeps the answer from the page


async def test_a_preflight_asking_for_another_header_is_refused(offline_app: Any) -> None:
    http = offline_app(cors_origins=APP_ORIGIN)
    response = await http.options("/graphql", headers=preflight(APP_ORIGIN, "x-custom"))
    assert response.status_code == 400
    assert cors_headers(response) == {}
    assert "Authorization, Content-Type" in response.json()["errors"][0]["message"]


async def test_options_without_a_preflight_is_still_405(offline_app: Any) -> None:
    http = offline_app(cors_origins=APP_ORIGIN)
    response = await http.options("/graphql")
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_a_bad_origin_setting_is_named() -> None:
    with pytest.raises(ValueError, match="ICN_CORS_ORIGINS") as refused:
        settings_with(cors_origins="https://app.example.org/path")
    assert "https://app.example.org/path" in str(refused.value)
    # Browsers write origins in lower case without default ports; so does the setting.
    normalized = settings_with(cors_origins="HTTPS://App.Example.org:443/, http://localhost:5173")
    assert normalized.cors_origin_list == ["http://localhost:5173", "https://app.example.org"]


# --------------------------------------------------------------------------------------------
# Websocket origins
# --------------------------------------------------------------------------------------------


def ws_handshake(origin: str | None, configured: str) -> int | None:
    """The close code of a handshake from ``origin`` (None when it is accepted)."""
    headers = {"Origin": origin} if origin else {}
    with TestClient(create_app(settings_with(cors_origins=configured))) as client:
        try:
            with client.websocket_connect(
                "/graphql", subprotocols=[TRANSPORT_WS], headers=headers
            ) as ws:
                ws.send_json({"type": "connection_init"})
                assert ws.receive_json() == {"type": "connection_ack"}
                ws.send_json(
                    {"id": "1", "type": "subscribe", "payload": {"query": "{ network { name } }"}}
                )
                assert ws.receive_json()["payload"]["data"] == {"network": {"name": "Test Network"}}
        except WebSocketDisconnect as refused:
            return refused.code
    return None


@pytest.mark.parametrize(
    ("origin", "configured", "refused"),
    [
        pytest.param(APP_ORIGIN, APP_ORIGIN, False, id="listed"),
        pytest.param(APP_ORIGIN, f"https://app.example.org,{APP_ORIGIN}", False, id="in-a-list"),
        pytest.param(OTHER_ORIGIN, APP_ORIGIN, True, id="not-listed"),
        pytest.param(APP_ORIGIN, "", True, id="no-list"),
        pytest.param("http://testserver", "", False, id="same-origin"),
        pytest.param(None, "", False, id="no-origin"),
    ],
)
def test_websocket_origins_follow_the_list(
    origin: str | None, configured: str, refused: bool
) -> None:
    code = ws_handshake(origin, configured)
    assert code == (1008 if refused else None)


# --------------------------------------------------------------------------------------------
# The explorer page
# --------------------------------------------------------------------------------------------


async def explorer(http: httpx.AsyncClient, explore: str | None = None) -> httpx.Response:
    url = "/graphql" + (f"?explore={quote(explore)}" if explore is not None else "")
    return await http.get(url, headers={"Accept": "text/html"})


def linked_query(page: str) -> object:
    match = re.search(r"var linkedQuery = (.*?) \|\| undefined;", page)
    assert match, "the page no longer sets linkedQuery"
    return json.loads(match.group(1))


async def test_explorer_security_headers(offline_app: Any) -> None:
    response = await explorer(offline_app())
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'none'"
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"])
    assert nonce, directives["script-src"]
    assert "unsafe-inline" not in directives["script-src"]
    # The page's one inline script carries the nonce; the others are this server's files.
    scripts = re.findall(r"<script([^>]*)>", response.text)
    inline = [attributes for attributes in scripts if "src=" not in attributes]
    assert inline == [f' nonce="{nonce.group(1)}"']
    assert response.headers["x-content-type-options"] == "nosniff"
    # A fresh nonce each time.
    again = await explorer(offline_app())
    assert again.headers["content-security-policy"] != policy


@pytest.mark.parametrize(
    ("explore", "prefilled"),
    [
        pytest.param('{ node(id: "Q2VudGVyOjE") { id } }', True, id="query"),
        pytest.param('query Subject { node(id: "Q2VudGVyOjE") { id } }', True, id="named-query"),
        pytest.param(
            'mutation { archiveGoal(input: {id: "R29hbDox"}) { goal { id } } }',
            False,
            id="mutation",
        ),
        pytest.param(
            '{ network { name } } mutation Sneaky { archiveGoal(input: {id: "R29hbDox"}) { goal { id } } }',  # noqa: E501
            False,
            id="mutation-beside-a-query",
        ),
        pytest.param("subscription { notificationAdded { id } }", False, id="subscription"),
        pytest.param("{ not closed", False, id="unparsable"),
        pytest.param("</script><script>alert(1)</script>", False, id="markup"),
    ],
)
async def test_explore_links_never_prefill_a_mutation(
    offline_app: Any, explore: str, prefilled: bool
) -> None:
    page = (await explorer(offline_app(), explore)).text
    assert linked_query(page) == (explore if prefilled else None)
    assert "<script>alert(1)" not in page


async def test_explore_with_a_script_in_a_query_stays_inert(offline_app: Any) -> None:
    explore = '{ node(id: "</script><script>alert(1)</script>") { id } }'
    page = (await explorer(offline_app(), explore)).text
    assert linked_query(page) == explore  # prefilled as text...
    assert "</script><script>alert(1)" not in page  # ...that cannot close the script block


async def test_the_explorer_can_be_turned_off(offline_app: Any) -> None:
    http = offline_app(graphiql=False)
    response = await explorer(http)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "explorer is turned off" in error["message"]
    assert "<html" not in response.text
    assert (await http.get("/graphiql-assets/graphiql.min.js")).status_code == 404
    # Queries still work, over GET too.
    answered = await http.get("/graphql", params={"query": "{ network { name } }"})
    assert answered.json()["data"] == {"network": {"name": "Test Network"}}
    # And by default the explorer is there.
    assert (await explorer(offline_app())).status_code == 200


# --------------------------------------------------------------------------------------------
# Introspection
# --------------------------------------------------------------------------------------------


def app_with(
    db: Database, plugin_host: PluginHost, settings: Settings, **overrides: Any
) -> Starlette:
    changed = settings.model_copy(update=overrides)
    return create_app(changed, db=db, plugins=plugin_host)


@pytest.fixture
async def closed_client(
    db: Database, plugin_host: PluginHost, settings: Settings
) -> AsyncIterator[GraphQLClient]:
    """A client of an app with ``ICN_INTROSPECTION=false``."""
    app = app_with(db, plugin_host, settings, introspection=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http, app)


async def test_anonymous_introspection_can_be_turned_off(
    db: Database, closed_client: GraphQLClient, client: GraphQLClient
) -> None:
    body = await closed_client.execute(INTROSPECTION)
    assert body["data"] is None
    assert {error["extensions"]["code"] for error in body["errors"]} == {
        "GRAPHQL_VALIDATION_FAILED"
    }
    assert "introspection has been disabled" in body["errors"][0]["message"]
    assert body["extensions"]["cost"]["requested"] == 0
    # __typename is not introspection; ordinary queries answer.
    assert await closed_client.data("{ __typename network { name } }") == {
        "__typename": "Query",
        "network": {"name": "Test Network"},
    }
    # A signed-in client (a code generator, the explorer with a token) may still introspect.
    token = await make_staff_token(db)
    data = await closed_client.data(INTROSPECTION, token=token)
    assert data == {"__schema": {"queryType": {"name": "Query"}}}
    # By default anyone may.
    assert await client.data(INTROSPECTION) == data


@pytest.mark.parametrize(
    ("document", "variables", "message"),
    [
        pytest.param(
            "{ netwrk { name } }", None, "Cannot query field 'netwrk' on type 'Query'.", id="field"
        ),
        pytest.param(
            "{ centers(frist: 5) { totalCount } }",
            None,
            "Unknown argument 'frist' on field 'Query.centers'.",
            id="argument",
        ),
        pytest.param(
            "query($o: CenterOrdr) { centers(orderBy: $o) { totalCount } }",
            None,
            "Unknown type 'CenterOrdr'.",
            id="type",
        ),
        pytest.param(
            "{ centers(orderBy: {field: NAMEE}) { totalCount } }",
            None,
            "Value 'NAMEE' does not exist in 'CenterOrderField' enum.",
            id="enum-value",
        ),
        pytest.param(
            "query($o: CenterOrder) { centers(orderBy: $o) { totalCount } }",
            {"o": {"feild": "NAME"}},
            "Variable '$o' has invalid value: Expected value of type 'CenterOrder' not to include"
            " unknown field 'feild'. Found: {'feild': 'NAME'}.",
            id="variable-input-field",
        ),
    ],
)
async def test_errors_suggest_no_names_to_those_who_may_not_introspect(
    db: Database,
    closed_client: GraphQLClient,
    client: GraphQLClient,
    document: str,
    variables: dict[str, Any] | None,
    message: str,
) -> None:
    body = await closed_client.execute(document, variables)
    assert body["data"] is None
    messages = [error["message"] for error in body["errors"]]
    assert message in messages
    assert not [text for text in messages if "Did you mean" in text]
    # Whoever may introspect gets the suggestion: signed in, or anyone when introspection is on.
    token = await make_staff_token(db)
    for answered in (
        await closed_client.execute(document, variables, token=token),
        await client.execute(document, variables),
    ):
        suggestions = [
            text
            for error in answered["errors"]
            if (text := error["message"]) != message
            and re.sub(r" Did you mean [^?]*\?", "", text) == message
        ]
        assert suggestions, answered["errors"]


def test_errors_over_a_websocket_suggest_no_names_either() -> None:
    typos = {
        "1": "subscription { notificationAded { id } }",
        "2": "{ netwrk { name } }",
    }
    with (
        TestClient(create_app(settings_with(introspection=False))) as client,
        client.websocket_connect("/graphql", subprotocols=[TRANSPORT_WS]) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json() == {"type": "connection_ack"}
        answers = {}
        for operation_id, query in typos.items():
            ws.send_json({"id": operation_id, "type": "subscribe", "payload": {"query": query}})
            answers[operation_id] = ws.receive_json()
    assert [answers[key]["payload"][0]["message"] for key in typos] == [
        "Cannot query field 'notificationAded' on type 'Subscription'.",
        "Cannot query field 'netwrk' on type 'Query'.",
    ]


# --------------------------------------------------------------------------------------------
# Compression
# --------------------------------------------------------------------------------------------


async def test_large_responses_are_compressed(offline_app: Any) -> None:
    http = offline_app()
    big = await http.post(
        "/graphql",
        json={"query": "{ __schema { types { name description } } }"},
        headers={"Accept-Encoding": "gzip"},
    )
    assert big.headers["content-encoding"] == "gzip"
    assert int(big.headers["content-length"]) < len(big.content)  # httpx decoded it
    assert big.json()["data"]["__schema"]["types"]

    small = await http.post(
        "/graphql", json={"query": "{ network { name } }"}, headers={"Accept-Encoding": "gzip"}
    )
    assert "content-encoding" not in small.headers
    assert len(small.content) < 1024

    # The threshold is a setting.
    raw = offline_app(gzip_min_bytes=10)
    tiny = await raw.post(
        "/graphql", json={"query": "{ network { name } }"}, headers={"Accept-Encoding": "gzip"}
    )
    assert tiny.headers["content-encoding"] == "gzip"
    assert tiny.json()["data"] == {"network": {"name": "Test Network"}}
