"""GraphQL documents and readers shared by the account tests."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.events.models import OutboxEvent
from icn_graph.testing import GraphQLClient, SmtpServer
from tests.sign_in.helpers import LINK, REQUEST_SIGN_IN

PERSON_FIELDS = "id displayName pronouns timezone locale email kind networkRole deactivatedAt"
ERRORS = "userErrors { field message code }"

UPDATE_VIEWER = (
    "mutation($input: UpdateViewerInput!) { updateViewer(input: $input) {"
    f" person {{ {PERSON_FIELDS} }} pendingEmail {ERRORS} }} }}"
)
CONFIRM_EMAIL_CHANGE = (
    "mutation($token: String!) { confirmEmailChange(input: {token: $token}) {"
    f" person {{ id email }} {ERRORS} }} }}"
)
UPDATE_PERSON = (
    "mutation($input: UpdatePersonInput!) { updatePerson(input: $input) {"
    f" person {{ {PERSON_FIELDS} }} {ERRORS} }} }}"
)
DEACTIVATE = (
    "mutation($input: DeactivatePersonInput!) { deactivatePerson(input: $input) {"
    f" person {{ id displayName deactivatedAt }} {ERRORS} }} }}"
)
REACTIVATE = (
    "mutation($id: ID!) { reactivatePerson(input: {id: $id}) {"
    f" person {{ id displayName deactivatedAt }} {ERRORS} }} }}"
)
ME = f"{{ viewer {{ pendingEmail person {{ {PERSON_FIELDS} }} }} }}"

CONFIRM_LINK = re.compile(r"https://icn\.example\.org/confirm-email/(icnemail_[A-Za-z0-9_-]+)")


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def confirm_tokens(message: EmailMessage) -> set[str]:
    return set(CONFIRM_LINK.findall(text_of(message))) | set(CONFIRM_LINK.findall(html_of(message)))


def mail_to(smtp: SmtpServer, address: str) -> list[EmailMessage]:
    return [message for message in smtp.messages if address in str(message["To"])]


async def update_viewer(client: GraphQLClient, token: str, **fields: Any) -> dict[str, Any]:
    body = await client.data(UPDATE_VIEWER, {"input": fields}, token=token)
    payload: dict[str, Any] = body["updateViewer"]
    await client.settle()
    return payload


async def events_of(db: Database, event_type: str) -> list[OutboxEvent]:
    async with db.session() as session:
        statement = select(OutboxEvent).where(OutboxEvent.type == event_type)
        return list(await session.scalars(statement.order_by(OutboxEvent.id)))


async def sign_in_link(client: GraphQLClient, smtp: SmtpServer, email: str) -> str | None:
    """Ask for a sign-in link for ``email``: the link mailed, or None if no mail came."""
    before = len(smtp.messages)
    payload = (await client.data(REQUEST_SIGN_IN, {"email": email}))["requestSignIn"]
    assert payload["userErrors"] == []
    await client.settle()
    if len(smtp.messages) == before:
        return None
    [message] = smtp.messages[before:]
    [link] = set(LINK.findall(text_of(message)))
    return str(link)
