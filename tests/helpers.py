"""Test helpers: a GraphQL client over the ASGI app, a SQL statement counter, and factories."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from icn_graph.db.database import Database
from icn_graph.models import (
    ApiToken,
    Center,
    CenterRole,
    CenterStatus,
    Membership,
    NetworkRole,
    Person,
    PersonKind,
)
from icn_graph.services.tokens import hash_token, new_secret


@dataclass
class GraphQLClient:
    http: httpx.AsyncClient

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload: dict[str, Any] = {"query": query, "variables": variables or {}}
        return await self.http.post("/graphql", json=payload, headers=headers)

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The response body; the HTTP status must be 200 (never a 500)."""
        response = await self.post(query, variables, token=token)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The ``data`` of a response that must have no errors."""
        body = await self.execute(query, variables, token=token)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code", "") for error in body.get("errors", [])]


@dataclass
class StatementCounter:
    statements: list[str] = field(default_factory=list)

    def record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    def reset(self) -> None:
        self.statements.clear()

    @property
    def count(self) -> int:
        return len(self.statements)


_sequence = iter(range(1, 1_000_000))


async def make_center(db: Database, **fields: Any) -> Center:
    n = next(_sequence)
    values: dict[str, Any] = {
        "name": f"Center {n:04d}",
        "short_code": f"C{n:04d}",
        "city": "Cincinnati",
        "region": "Midwest",
        "country": "US",
        "joined_on": date(2010, 1, 1),
        "status": CenterStatus.ACTIVE,
    } | fields
    center = Center(**values)
    async with db.transaction() as session:
        session.add(center)
    return center


async def make_person(
    db: Database,
    kind: PersonKind = PersonKind.CLINICIAN,
    *,
    network_role: NetworkRole = NetworkRole.MEMBER,
    center: Center | None = None,
    role: CenterRole | None = None,
    **fields: Any,
) -> Person:
    n = next(_sequence)
    email = fields.pop("email", f"person{n}@example.org")
    person = Person(
        display_name=fields.pop("display_name", f"Person {n:04d}"),
        email=email,
        email_key=email.lower(),
        kind=kind,
        network_role=network_role,
        timezone=fields.pop("timezone", "America/New_York"),
        **fields,
    )
    async with db.transaction() as session:
        session.add(person)
        await session.flush()
        if center is not None:
            session.add(
                Membership(
                    person_id=person.id,
                    center_id=center.id,
                    role=role or CenterRole(kind.value),
                    since=date(2015, 1, 1),
                )
            )
    return person


async def token_for(db: Database, person: Person) -> str:
    secret = new_secret()
    async with db.transaction() as session:
        session.add(ApiToken(person_id=person.id, token_hash=hash_token(secret), label="test"))
    return secret
