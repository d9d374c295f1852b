"""bench/strawberry_center_app.py, the HTTP center page bench's floor: it answers the page's
query with the page it was given, over real HTTP through its ASGI app, so the bench compares
ours with the same work."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"

PAGE: dict[str, Any] = {
    "name": "Northside Children's",
    "shortCode": "NSC",
    "city": "Cincinnati",
    "region": None,
    "country": "US",
    "status": "ACTIVE",
    "members": [{"role": "LEAD", "person": {"displayName": "Dr. Lee", "kind": "CLINICIAN"}}],
    "goals": {
        "edges": [
            {
                "node": {
                    "title": "Remission at 80%",
                    "status": "ON_TRACK",
                    "confidence": 7,
                    "startsOn": "2014-03-01",
                    "dueOn": None,
                    "keyResults": [
                        {"title": "Visits", "unit": "%", "startValue": 61.0, "targetValue": 80.0}
                    ],
                }
            }
        ]
    },
}


@pytest.fixture
def modules() -> Iterator[tuple[ModuleType, ModuleType]]:
    saved = list(sys.path)
    sys.path.insert(0, str(BENCH))
    try:
        yield (
            importlib.import_module("strawberry_center_app"),
            importlib.import_module("http_center_page"),
        )
    finally:
        sys.path[:] = saved


async def test_the_floor_answers_the_page_query_with_the_page(
    modules: tuple[ModuleType, ModuleType],
) -> None:
    floor, bench = modules
    transport = httpx.ASGITransport(app=floor.create_app(PAGE))
    async with httpx.AsyncClient(transport=transport, base_url="http://floor") as client:
        answer = await client.post(
            "/graphql", json={"query": bench.QUERY, "variables": {"id": "Q2VudGVyOjg="}}
        )
        assert answer.status_code == 200
        assert answer.json() == {"data": {"node": PAGE}}
        fewer = await client.post(
            "/graphql",
            json={"query": bench.QUERY.replace("first: 20", "first: 0"), "variables": {"id": "x"}},
        )
        assert fewer.json()["data"]["node"]["goals"] == {"edges": []}
