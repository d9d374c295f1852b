"""A floor for the HTTP center page benches: a bare Strawberry app (parser and validation
caches on, as ours has) serving the center page's JSON from memory, with no database, auth,
limits or loaders. What it costs is what Strawberry and uvicorn alone cost for this page; ours
minus it is what our own layers cost.

    .venv/bin/python bench/strawberry_center_app.py PORT PAGE_JSON

``PAGE_JSON`` holds the answer of ``http_center_page.QUERY`` (``{"data": {"node": ...}}``);
the app builds the page's objects from it on every request and answers the same query with the
same JSON (enums as plain strings). Where ours resolves through a loader (the node, the team, each
member's person, the goals, each goal's key results) the floor's resolver is async too, and it
encodes with orjson, as ours does.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

import orjson
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache


@strawberry.type
class Person:
    display_name: str
    kind: str


@strawberry.type
class Membership:
    role: str
    member: strawberry.Private[Person]

    @strawberry.field
    async def person(self) -> Person:
        return self.member


@strawberry.type
class KeyResult:
    title: str
    unit: str | None
    start_value: float | None
    target_value: float | None


@strawberry.type
class Goal:
    title: str
    status: str
    confidence: int | None
    starts_on: datetime.date | None
    due_on: datetime.date | None
    results: strawberry.Private[list[KeyResult]]

    @strawberry.field
    async def key_results(self) -> list[KeyResult]:
        return self.results


@strawberry.type
class GoalEdge:
    node: Goal


@strawberry.type
class GoalConnection:
    edges: list[GoalEdge]


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class Center(Node):
    name: str
    short_code: str
    city: str | None
    region: str | None
    country: str | None
    status: str
    team: strawberry.Private[list[Membership]]
    goal_page: strawberry.Private[GoalConnection]

    @strawberry.field
    async def members(self) -> list[Membership]:
        return self.team

    @strawberry.field
    async def goals(self, first: int = 20) -> GoalConnection:
        return GoalConnection(edges=self.goal_page.edges[:first])


def a_date(value: str | None) -> datetime.date | None:
    return None if value is None else datetime.date.fromisoformat(value)


def goal(node: dict[str, Any]) -> Goal:
    return Goal(
        title=node["title"],
        status=node["status"],
        confidence=node["confidence"],
        starts_on=a_date(node["startsOn"]),
        due_on=a_date(node["dueOn"]),
        results=[
            KeyResult(
                title=key_result["title"],
                unit=key_result["unit"],
                start_value=key_result["startValue"],
                target_value=key_result["targetValue"],
            )
            for key_result in node["keyResults"]
        ],
    )


def center(page: dict[str, Any], global_id: str) -> Center:
    return Center(
        id=strawberry.ID(global_id),
        name=page["name"],
        short_code=page["shortCode"],
        city=page["city"],
        region=page["region"],
        country=page["country"],
        status=page["status"],
        team=[
            Membership(
                role=member["role"],
                member=Person(
                    display_name=member["person"]["displayName"], kind=member["person"]["kind"]
                ),
            )
            for member in page["members"]
        ],
        goal_page=GoalConnection(
            edges=[GoalEdge(node=goal(edge["node"])) for edge in page["goals"]["edges"]]
        ),
    )


class OrjsonGraphQL(GraphQL[None, None]):
    """Answers encoded with orjson, as ours are."""

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def create_app(page: dict[str, Any]) -> Starlette:
    @strawberry.type
    class Query:
        @strawberry.field
        async def node(self, id: strawberry.ID) -> Node | None:
            return center(page, id)

    schema = strawberry.Schema(
        query=Query,
        types=[Center],
        extensions=[lambda: ParserCache(maxsize=64), lambda: ValidationCache(maxsize=64)],
    )

    async def ready(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route("/graphql", OrjsonGraphQL(schema, graphql_ide=None)), Route("/readyz", ready)]
    )


if __name__ == "__main__":
    import uvicorn

    port, page_file = int(sys.argv[1]), Path(sys.argv[2])
    page = orjson.loads(page_file.read_bytes())["data"]["node"]
    uvicorn.run(create_app(page), host="127.0.0.1", port=port, log_level="warning")
