"""A person has at most 50 live personal access tokens: the 51st is a userError naming the cap,
and a revoked or expired one frees its place."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from icn_graph.db.database import Database
from icn_graph.models import ApiToken, NetworkRole, Person, PersonKind, TokenKind
from icn_graph.services.sign_in.tokens_of import MAX_LIVE_PERSONAL_TOKENS
from icn_graph.services.tokens import hash_token
from icn_graph.testing import GraphQLClient, make_person, token_for

CREATE_PAT = (
    "mutation($name: String!) { createPersonalAccessToken(input: {name: $name})"
    " { token userErrors { field message code } } }"
)
COUNT = "{ viewer { personalAccessTokens { id } } }"


async def add_tokens(db: Database, person: Person, count: int, expires_at: datetime | None) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as session:
        session.add_all(
            ApiToken(
                person_id=person.id,
                token_hash=hash_token(secrets.token_urlsafe(16)),
                label=f"script {number}",
                kind=TokenKind.PERSONAL,
                created_at=now,
                last_used_at=None,
                expires_at=expires_at,
            )
            for number in range(count)
        )


async def test_the_51st_live_token_is_refused_until_one_goes(
    db: Database, client: GraphQLClient
) -> None:
    assert MAX_LIVE_PERSONAL_TOKENS == 50
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    # Expired ones do not count.
    await add_tokens(db, staff, 5, datetime.now(UTC) - timedelta(days=1))
    await add_tokens(db, staff, 49, None)

    made = await client.data(CREATE_PAT, {"name": "the fiftieth"}, token=token)
    assert made["createPersonalAccessToken"]["userErrors"] == []
    refused = (await client.data(CREATE_PAT, {"name": "one more"}, token=token))[
        "createPersonalAccessToken"
    ]
    assert refused["token"] is None
    [error] = refused["userErrors"]
    assert (error["field"], error["code"]) == ("name", "CONFLICT")
    assert "50 live personal access tokens" in error["message"]
    assert len((await client.data(COUNT, token=token))["viewer"]["personalAccessTokens"]) == 50

    async with db.transaction() as session:
        oldest = (
            await session.scalars(
                select(ApiToken.id)
                .where(ApiToken.kind == TokenKind.PERSONAL, ApiToken.expires_at.is_(None))
                .order_by(ApiToken.id)
            )
        ).first()
        await session.execute(
            update(ApiToken).where(ApiToken.id == oldest).values(revoked_at=datetime.now(UTC))
        )
    again = await client.data(CREATE_PAT, {"name": "one more"}, token=token)
    assert again["createPersonalAccessToken"]["userErrors"] == []
