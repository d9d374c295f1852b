"""GraphQL answers are encoded with orjson, and mean what ``json.dumps`` would have written."""

from __future__ import annotations

import json

import httpx
import pytest

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.web.json_encoding import encode_json


@pytest.mark.parametrize(
    "data",
    [
        {"data": {"name": "Zoë — 🩺", "n": 3, "x": 0.5, "ok": True, "none": None, "list": [1]}},
        # What orjson refuses falls back to json: a lone surrogate, an integer past 64 bits.
        {"data": {"name": "\ud800"}},
        {"data": {"n": 2**70}},
    ],
)
def test_answers_mean_what_json_would_write(data: dict[str, object]) -> None:
    encoded = encode_json(data)
    assert isinstance(encoded, str)
    assert json.loads(encoded) == json.loads(json.dumps(data)) == data


async def test_non_ascii_answers_are_utf_8_over_http(
    db: Database, plugin_host: PluginHost, settings: Settings
) -> None:
    name = "Réseau de Zoë 🩺"
    app = create_app(settings.model_copy(update={"network_name": name}), db=db, plugins=plugin_host)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.post("/graphql", json={"query": "{ network { name } }"})
    assert response.headers["content-type"] == "application/json"
    assert name.encode() in response.content
    assert response.json()["data"] == {"network": {"name": name}}
