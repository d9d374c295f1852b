"""The public mutations (``requestSignIn``, ``signIn``, ``acceptInvitation``,
``confirmEmailChange``) act as nobody: they work whatever token is sent, read-only, revoked or
unknown, while every other field keeps refusing such a token."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from icn_graph.db.database import Database
from icn_graph.models import ApiToken, NetworkRole, PersonKind, TokenKind
from icn_graph.testing import GraphQLClient, SmtpServer, make_person, snapshot, token_for
from tests.helpers import error_codes
from tests.sign_in.helpers import (
    REQUEST_SIGN_IN,
    SIGN_IN,
    link_tokens,
)

CREATE_PAT = (
    "mutation($input: CreatePersonalAccessTokenInput!) { createPersonalAccessToken(input: $input)"
    " { token userErrors { field code } } }"
)
ACCEPT_INVITATION = (
    "mutation($token: String!) { acceptInvitation(input: {token: $token}) {"
    " token userErrors { field code } } }"
)
CONFIRM_EMAIL_CHANGE = (
    "mutation($token: String!) { confirmEmailChange(input: {token: $token}) {"
    " person { id } userErrors { field code } } }"
)


async def read_only_token(db: Database, client: GraphQLClient) -> str:
    staff = await make_person(
        db, PersonKind.STAFF, network_role=NetworkRole.STAFF, email="staff@example.org"
    )
    made = await client.data(
        CREATE_PAT,
        {"input": {"name": "dashboards", "readOnly": True}},
        token=await token_for(db, staff),
    )
    secret: str = made["createPersonalAccessToken"]["token"]
    return secret


async def revoke_personal_tokens(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(ApiToken)
            .where(ApiToken.kind == TokenKind.PERSONAL)
            .values(revoked_at=datetime.now(UTC))
        )


async def sign_in_with(client: GraphQLClient, smtp: SmtpServer, sent: str) -> None:
    """The whole sign-in, ``sent`` as the bearer token of both mutations."""
    asked = await client.execute(REQUEST_SIGN_IN, {"email": "staff@example.org"}, token=sent)
    assert "errors" not in asked, asked
    assert asked["data"]["requestSignIn"]["userErrors"] == []
    signed = await client.execute(SIGN_IN, {"token": link_tokens(smtp)[-1]}, token=sent)
    assert "errors" not in signed, signed
    assert signed["data"]["signIn"]["token"].startswith("icn_")
    # The links' mutations give their own refusal for a made-up link, not the token's.
    for mutation, key in (
        (ACCEPT_INVITATION, "acceptInvitation"),
        (CONFIRM_EMAIL_CHANGE, "confirmEmailChange"),
    ):
        body = await client.execute(mutation, {"token": "icnlink_made_up"}, token=sent)
        assert "errors" not in body, body
        assert body["data"][key]["userErrors"] == [{"field": "token", "code": "INVALID"}]


async def test_a_read_only_token_does_not_stop_the_public_mutations(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    secret = await read_only_token(db, client)
    await sign_in_with(client, smtp, secret)


async def test_a_read_only_token_still_cannot_mix_a_public_mutation_with_another(
    db: Database, client: GraphQLClient
) -> None:
    secret = await read_only_token(db, client)
    await client.data("{ viewer { person { id } } }", token=secret)  # its first use is noted
    before = await snapshot(db)
    for mutation in (
        'mutation { requestSignIn(input: {email: "a@example.org"}) { message }'
        ' createPersonalAccessToken(input: {name: "more"}) { token } }',
        'mutation { requestSignIn(input: {email: "a@example.org"}) { message } ...More }'
        ' fragment More on Mutation { createPersonalAccessToken(input: {name: "more"}) { token } }',
        "mutation { __typename }",
    ):
        body = await client.execute(mutation, token=secret)
        assert body["data"] is None, mutation
        assert error_codes(body) == ["FORBIDDEN"], mutation
    assert await snapshot(db) == before


@pytest.mark.parametrize("sent", ["revoked", "unknown"])
async def test_a_revoked_or_unknown_token_does_not_stop_the_public_mutations(
    db: Database, client: GraphQLClient, smtp: SmtpServer, sent: str
) -> None:
    secret = await read_only_token(db, client)
    await revoke_personal_tokens(db)
    token = secret if sent == "revoked" else "icn_" + "x" * 43
    await sign_in_with(client, smtp, token)
    # Everything else still refuses that token, viewer included.
    body = await client.execute("{ viewer { person { id } } }", token=token)
    assert error_codes(body) == ["UNAUTHENTICATED"]
