"""``Notification.kind``, ``data``, ``url`` and ``appPath`` over HTTP: what a front-end renders a
notification from, without parsing ``summary``; never more than the subject shows the reader, the
same link as the mail, and no SQL of their own."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest
from starlette.applications import Starlette

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.events import DomainEvent, SubjectRef, event_type
from icn_graph.ids import to_global_id
from icn_graph.models import Person, PersonKind
from icn_graph.notifications.subject_types import SubjectDescription, SubjectType
from icn_graph.plugins import hookimpl
from icn_graph.plugins.manager import PluginHost
from icn_graph.services.viewer import Viewer
from icn_graph.testing import GraphQLClient, StatementCounter, make_center, make_person, token_for
from tests.goal_helpers import make_center_goal
from tests.notification_factories import add_notification
from tests.notifications.session_mail import (
    FOLLOW,
    PREFERENCES,
    mail_everything_due,
    ok,
    smtp_mail_settings,
    text_of,
)
from tests.smtp_server import SmtpServer

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

PAGE = """
query Inbox($first: Int) {
  viewer { notifications(first: $first) { nodes { id kind type data url appPath summary } } }
}
"""

CHECK_IN = """
mutation CheckIn($input: CheckInGoalInput!) {
  checkInGoal(input: $input) { userErrors { field message } }
}
"""


# A plugin's subject type whose odd rows nobody may see, and its event type with one withheld field.
async def _vaults(session: object, pks: Sequence[int]) -> dict[int, SubjectDescription]:
    return {pk: SubjectDescription(f"Vault {pk}") for pk in pks}


async def _even(
    session: object, viewer: Viewer, described: Mapping[int, SubjectDescription]
) -> Collection[int]:
    return [pk for pk in described if pk % 2 == 0]


@event_type("vault.opened", subject="vault", withheld=["combination"])
class VaultOpened(DomainEvent):
    """Someone opened a vault (tests only)."""

    vault: SubjectRef
    title: str
    combination: str


class VaultPlugin:
    @hookimpl
    def register_event_types(self) -> Sequence[type[DomainEvent]]:
        return [VaultOpened]

    @hookimpl
    def register_subject_types(self) -> Sequence[SubjectType]:
        return [SubjectType("Vault", "vault", _vaults, _even, "/vaults/{id}")]


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [("icn-vault", VaultPlugin())]


async def nodes(client: GraphQLClient, token: str, first: int = 20) -> list[dict[str, object]]:
    data = await client.data(PAGE, {"first": first}, token=token)
    found: list[dict[str, object]] = data["viewer"]["notifications"]["nodes"]
    return found


async def test_a_check_in_reads_as_its_kind_and_data(
    db: Database, client: GraphQLClient, settings: Settings
) -> None:
    center = await make_center(db, name="Cincinnati Children's")
    dana = await make_person(db, PersonKind.CLINICIAN, center=center, display_name="Dana Reyes")
    maria = await make_person(db, PersonKind.PARENT_PARTNER, center=center)
    goal = await make_center_goal(db, center, dana, "Reduce steroid use")
    goal_id = to_global_id("Goal", goal.id)
    maria_token = await token_for(db, maria)
    await ok(client, FOLLOW, {"id": goal_id, "level": "NORMAL"}, maria_token)
    check_in = {"id": goal_id, "note": "Fewer courses", "status": "AT_RISK", "confidence": 4}
    data = await client.data(CHECK_IN, {"input": check_in}, token=await token_for(db, dana))
    assert data["checkInGoal"]["userErrors"] == []

    [notification] = await nodes(client, maria_token)
    assert notification["kind"] == "GOAL_CHECKED_IN"
    assert notification["type"] == "goal.checked_in"
    shown = notification["data"]
    assert isinstance(shown, dict)
    check_in_id = shown.pop("check_in")
    assert isinstance(check_in_id, str)
    assert check_in_id.startswith("Q2hlY2tJbj")  # "CheckIn:"
    assert shown == {
        "goal": goal_id,
        "title": "Reduce steroid use",
        "owner": to_global_id("Center", center.id),
        "status": "AT_RISK",
        "confidence": 4,
        "note": "Fewer courses",
    }
    # No ICN_APP_URL here: the explorer on the subject, and the app's path all the same.
    assert notification["url"] == (
        f"{settings.public_url}/graphql?explore="
        + quote(f'{{ node(id: "{goal_id}") {{ id __typename }} }}', safe="")
    )
    assert notification["appPath"] == f"/goals/{quote(goal_id, safe='')}"


async def test_an_event_type_no_longer_installed_is_unknown(
    db: Database, client: GraphQLClient
) -> None:
    """A plugin uninstalled: its notifications stay, of kind UNKNOWN, with no data."""
    center = await make_center(db)
    maria = await make_person(db, PersonKind.PARENT_PARTNER, center=center)
    await add_notification(
        db,
        maria,
        to_global_id("Center", center.id),
        created_at=START,
        event_type="panels.proposed",
        payload={"center": {"type": "Center", "pk": center.id}, "secret": "x"},
    )
    [notification] = await nodes(client, await token_for(db, maria))
    assert notification["kind"] == "UNKNOWN"
    assert notification["type"] == "panels.proposed"
    assert notification["data"] is None
    assert notification["summary"] == f"Someone: panels proposed on '{center.name}'"


async def test_a_subject_hidden_from_the_reader_shows_no_data_and_no_path(
    db: Database, client: GraphQLClient, settings: Settings
) -> None:
    maria = await make_person(db, PersonKind.PARENT_PARTNER)
    vault = SubjectRef("Vault", 7)  # odd: nobody may see it
    await add_notification(
        db,
        maria,
        vault.global_id,
        created_at=START,
        event_type="vault.opened",
        payload={"title": "The family vault", "combination": "1234"},
    )
    [notification] = await nodes(client, await token_for(db, maria))
    assert notification["kind"] == "VAULT_OPENED"
    assert notification["data"] is None
    assert notification["appPath"] is None
    assert notification["url"] == f"{settings.public_url}/graphql"  # mail's link for the removed
    assert "The family vault" not in str(notification["summary"])


async def test_a_withheld_field_stays_out_of_data_and_event_types_say_so(
    db: Database, client: GraphQLClient
) -> None:
    maria = await make_person(db, PersonKind.PARENT_PARTNER)
    vault = SubjectRef("Vault", 8)  # even: anyone may see it
    await add_notification(
        db,
        maria,
        vault.global_id,
        created_at=START,
        event_type="vault.opened",
        payload={"title": "The family vault", "combination": "1234"},
    )
    [notification] = await nodes(client, await token_for(db, maria))
    assert notification["data"] == {"vault": vault.global_id, "title": "The family vault"}
    assert notification["appPath"] == f"/vaults/{quote(vault.global_id, safe='')}"
    listed = await client.data("{ eventTypes { name fields { name inData } } }")
    [vault_type] = [t for t in listed["eventTypes"] if t["name"] == "vault.opened"]
    assert vault_type["fields"] == [
        {"name": "vault", "inData": True},
        {"name": "title", "inData": True},
        {"name": "combination", "inData": False},
    ]


# -- the same link as the mail -------------------------------------------------------------------


@pytest.fixture
async def app_client(
    db: Database, settings: Settings, plugin_host: PluginHost, smtp: SmtpServer
) -> AsyncIterator[tuple[GraphQLClient, Settings]]:
    """A client of an app whose links open in the front-end (ICN_APP_URL), mailing to ``smtp``."""
    linked = smtp_mail_settings(
        settings,
        smtp,
        app_url="https://app.example.org/",
        app_url_patterns={"Goal": "/plans/{id}/overview"},
    )
    app: Starlette = create_app(linked, db=db, plugins=plugin_host)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http, app), linked
    await app.state.dispatcher.drain()


async def test_the_url_is_the_link_the_mail_has(
    db: Database, app_client: tuple[GraphQLClient, Settings], smtp: SmtpServer
) -> None:
    client, linked = app_client
    center = await make_center(db)
    dana = await make_person(db, PersonKind.CLINICIAN, center=center, display_name="Dana Reyes")
    wendy = await make_person(db, PersonKind.CLINICIAN, display_name="Wendy Watcher")
    goal = await make_center_goal(db, center, dana, "Reduce steroid use")
    goal_id = to_global_id("Goal", goal.id)
    token = await token_for(db, wendy)
    await ok(client, FOLLOW, {"id": goal_id, "level": "NORMAL"}, token)
    immediate = {"delivery": "IMMEDIATE", "quietHoursStart": None, "quietHoursEnd": None}
    await ok(client, PREFERENCES, {"input": immediate}, token)
    check_in = {"id": goal_id, "note": "Better", "status": "ON_TRACK", "confidence": 8}
    await client.data(CHECK_IN, {"input": check_in}, token=await token_for(db, dana))

    [notification] = await nodes(client, token)
    await mail_everything_due(db, linked, wendy)
    [received] = smtp.received
    mailed = re.findall(r"https://app\.example\.org/\S+", text_of(received.message))
    expected = f"https://app.example.org/plans/{quote(goal_id, safe='')}/overview"
    assert notification["url"] == expected
    assert expected in mailed
    assert notification["appPath"] == f"/plans/{quote(goal_id, safe='')}/overview"


# -- SQL -----------------------------------------------------------------------------------------


async def _inbox_of(db: Database, size: int) -> tuple[Person, str]:
    center = await make_center(db)
    reader = await make_person(db, PersonKind.CLINICIAN, center=center)
    for index in range(size):
        actor = await make_person(db, PersonKind.PARENT_PARTNER, center=center)
        goal = await make_center_goal(db, center, actor, f"Goal {index}")
        subject = ("Goal", goal.id) if index % 2 else ("Center", center.id)
        await add_notification(
            db,
            reader,
            to_global_id(*subject),
            created_at=START + timedelta(minutes=index),
            actor=actor,
            payload={"status": "ON_TRACK", "confidence": 5},
        )
    return reader, await token_for(db, reader)


RENDERED = "{ viewer { notifications(first: 50) { nodes { id kind data url appPath } } } }"
FULL = (
    "{ viewer { notifications(first: 50) { nodes { id summary actor { displayName } "
    "subject { id } %s } } } }"
)


@pytest.mark.parametrize("size", [3, 12])
async def test_kind_data_and_links_cost_the_same_sql_for_any_page(
    db: Database, client: GraphQLClient, statements: StatementCounter, size: int
) -> None:
    _reader, token = await _inbox_of(db, size)
    statements.reset()
    data = await client.data(RENDERED, token=token)
    assert len(data["viewer"]["notifications"]["nodes"]) == size
    # token, page, events, subjects' titles (Goal and Center): the same for 3 or 12
    assert statements.count == 5, statements.count

    statements.reset()
    await client.data(FULL % "", token=token)
    without = statements.count
    statements.reset()
    await client.data(FULL % "kind data url appPath", token=token)
    assert statements.count == without  # they read what summary reads, in its batches
