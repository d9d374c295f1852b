"""The plugin engine: discovery and control, start-up checks, schema merging, isolation of
event hooks (errors, hangs, circuit breaker), plugin migrations, and what staff see."""

from __future__ import annotations

import asyncio
import re
import time
import types

import icn_kudos.plugin
import pytest
import strawberry
from icn_kudos.models import Kudos
from sqlalchemy import func, select
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db import migration_state, migrations
from icn_graph.db.database import Database
from icn_graph.events import Event
from icn_graph.host import load_plugins
from icn_graph.models import PersonKind
from icn_graph.plugins import SchemaContribution, hookimpl
from icn_graph.plugins.breaker import CircuitBreaker
from icn_graph.plugins.manager import PluginStartupError
from icn_graph.plugins.models import PluginError
from icn_graph.schema import SchemaConflict, build_schema
from icn_graph.testing import GraphQLClient, make_person, make_staff_token, token_for

CREATE_CENTER = """
mutation {
  createCenter(input: {name: "Lakeside Children's", shortCode: "LAKE", city: "Chicago",
                       region: "Midwest", country: "US", joinedOn: "2014-04-01"}) {
    center { name } userErrors { field }
  }
}
"""


def plugin(**hooks: object) -> types.SimpleNamespace:
    """A plugin object from hook functions (each already marked with ``@hookimpl``)."""
    return types.SimpleNamespace(**hooks)


def settings_with(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type,call-arg]


# -- what plugins record, to prove their effects --------------------------------------------

seen: list[tuple[str, str]] = []


@hookimpl(specname="on_event")
async def records(event: Event) -> None:
    seen.append(("recorder", event.type))


@hookimpl(specname="on_event")
async def raises(event: Event) -> None:
    raise RuntimeError(f"boom on {event.type}")


@hookimpl(specname="on_event")
async def hangs(event: Event) -> None:
    await asyncio.sleep(3600)


@hookimpl(specname="on_event")
def blocks(event: Event) -> None:
    time.sleep(0.5)  # a plain function that blocks: it must not block the server


@pytest.fixture(autouse=True)
def clear_seen() -> None:
    seen.clear()


# -- isolation -----------------------------------------------------------------------------


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [
        ("raiser", plugin(on_event=raises)),
        ("hanger", plugin(on_event=hangs)),
        ("blocker", plugin(on_event=blocks)),
        ("recorder", plugin(on_event=records)),
    ]


@pytest.fixture
def settings(migrated_url: str) -> Settings:
    return settings_with(
        database_url=migrated_url, plugin_event_timeout=0.2, plugin_failure_threshold=2
    )


async def test_failing_and_hanging_plugins_break_nothing(
    db: Database, client: GraphQLClient
) -> None:
    token = await make_staff_token(db)
    data = await client.data(CREATE_CENTER, token=token)
    assert data["createCenter"] == {"center": {"name": "Lakeside Children's"}, "userErrors": []}
    await client.settle()

    assert seen == [("recorder", "center.created")]
    async with db.session() as session:
        errors = (await session.scalars(select(PluginError).order_by(PluginError.plugin))).all()
    assert [(e.plugin, e.hook, e.event_type) for e in errors] == [
        ("blocker", "on_event", "center.created"),
        ("hanger", "on_event", "center.created"),
        ("raiser", "on_event", "center.created"),
    ]
    by_plugin = {error.plugin: error.error for error in errors}
    assert by_plugin["raiser"] == "RuntimeError: boom on center.created"
    assert by_plugin["hanger"] == "timed out after 0.2 s"


async def test_staff_see_plugins_with_recent_errors_and_pauses(
    db: Database, client: GraphQLClient
) -> None:
    token = await make_staff_token(db)
    for code in ("AAA", "BBB"):
        mutation = CREATE_CENTER.replace("LAKE", code).replace("Lakeside", f"Lake {code}")
        await client.data(mutation, token=token)
        await client.settle()
    data = await client.data(
        "{ plugins { name builtin state hooks recentErrors(limit: 1) { hook eventType error } } }",
        token=token,
    )
    by_name = {entry["name"]: entry for entry in data["plugins"]}
    assert by_name["core.goals"]["builtin"] is True
    assert by_name["core.goals"]["state"] == "ACTIVE"
    assert by_name["recorder"]["state"] == "ACTIVE"
    # Two failures in a row with a threshold of 2: paused.
    assert by_name["raiser"]["state"] == "PAUSED"
    assert by_name["raiser"]["hooks"] == ["on_event"]
    assert by_name["raiser"]["recentErrors"] == [
        {
            "hook": "on_event",
            "eventType": "center.created",
            "error": "RuntimeError: boom on center.created",
        }
    ]
    member = await make_person(db, PersonKind.NURSE)
    body = await client.execute("{ plugins { name } }", token=await token_for(db, member))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_circuit_breaker_pauses_then_resumes() -> None:
    now = [100.0]
    breaker = CircuitBreaker(threshold=3, cooldown_seconds=60, clock=lambda: now[0])
    breaker.failed()
    breaker.failed()
    assert breaker.allows()
    breaker.failed()
    assert breaker.paused
    now[0] += 59
    assert breaker.paused
    now[0] += 1
    assert breaker.allows()  # the cool-down is over: the next event is tried
    breaker.failed()  # and failing again pauses again at once
    assert breaker.paused
    now[0] += 60
    breaker.succeeded()
    assert breaker.allows()
    assert breaker.failures == 0


# -- start-up checks -----------------------------------------------------------------------


def test_an_unknown_hook_stops_start_up_naming_the_plugin() -> None:
    @hookimpl
    def register_shema() -> None:  # misspelled
        return None

    with pytest.raises(
        PluginStartupError,
        match=re.escape(
            "plugin 'typo' implements unknown hook 'register_shema'; "
            "did you mean 'register_schema'?"
        ),
    ):
        load_plugins(
            settings_with(), extra=[("typo", plugin(register_shema=register_shema))], discover=False
        )


def _contributing(field_name: str) -> object:
    extra = strawberry.type(
        type("Extra", (), {"__annotations__": {field_name: str}, field_name: "x"})
    )

    @hookimpl
    def register_schema() -> SchemaContribution:
        return SchemaContribution(query=extra)

    return plugin(register_schema=register_schema)


def test_two_plugins_defining_one_field_stop_start_up_naming_both() -> None:
    host = load_plugins(
        settings_with(),
        extra=[
            ("first-plugin", _contributing("shared")),
            ("second-plugin", _contributing("shared")),
        ],
        discover=False,
    )
    with pytest.raises(
        SchemaConflict,
        match=re.escape("Query.shared is defined by both 'first-plugin' and 'second-plugin'"),
    ):
        build_schema(host.schema_contributions())


def test_a_plugin_cannot_take_a_core_field() -> None:
    host = load_plugins(
        settings_with(), extra=[("greedy", _contributing("centers"))], discover=False
    )
    with pytest.raises(
        SchemaConflict,
        match=re.escape("Query.centers is defined by both 'core.directory' and 'greedy'"),
    ):
        build_schema(host.schema_contributions())


def test_a_hook_returning_the_wrong_thing_names_the_plugin() -> None:
    @hookimpl
    def register_schema() -> object:
        return "not a contribution"

    host = load_plugins(
        settings_with(), extra=[("sloppy", plugin(register_schema=register_schema))], discover=False
    )
    with pytest.raises(
        PluginStartupError, match="plugin 'sloppy': register_schema must return SchemaContribution"
    ):
        host.schema_contributions()


# -- discovery and control -----------------------------------------------------------------


def test_installed_plugins_are_discovered_and_can_be_blocked_or_allow_listed() -> None:
    def fields(settings: Settings) -> set[str]:
        schema = build_schema(load_plugins(settings).schema_contributions())
        return {field.name for field in schema.get_type_by_name("Query").fields}  # type: ignore[union-attr]

    assert {"kudos", "centers"} <= fields(settings_with())
    assert "kudos" not in fields(settings_with(disabled_plugins="icn-kudos"))
    assert "kudos" not in fields(settings_with(plugins="someone-else"))
    assert "kudos" in fields(settings_with(plugins="icn-kudos"))
    described = {
        info.name: info
        for info in load_plugins(settings_with(disabled_plugins="icn-kudos")).describe()
    }
    assert described["icn-kudos"].enabled is False
    assert described["icn-kudos"].version == "0.1.0"


def test_plugin_settings_come_from_the_environment_with_secrets_redacted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ICN_PLUGIN_ICN_KUDOS_MAX_LENGTH", "140")
    monkeypatch.setenv("ICN_PLUGIN_ICN_KUDOS_API_KEY", "s3cret")
    described = {info.name: info for info in load_plugins(settings_with()).describe()}
    assert described["icn-kudos"].settings == {"max_length": "140", "api_key": "**********"}


async def test_routes_and_lifespan_hooks(db: Database, settings: Settings) -> None:
    calls: list[str] = []

    @hookimpl
    def register_routes() -> list[Route]:
        return [Route("/hello", lambda request: PlainTextResponse("hello from a plugin"))]

    @hookimpl
    async def startup() -> None:
        calls.append("startup")

    @hookimpl
    async def shutdown() -> None:
        calls.append("shutdown")

    extra = plugin(register_routes=register_routes, startup=startup, shutdown=shutdown)
    host = load_plugins(settings, extra=[("hello", extra)], discover=False)
    app = create_app(settings, db=db, plugins=host)
    from starlette.testclient import TestClient

    def run() -> str:
        with TestClient(app) as http:
            text: str = http.get("/hello").text
            return text

    assert await asyncio.to_thread(run) == "hello from a plugin"
    assert calls == ["startup", "shutdown"]


# -- migrations ----------------------------------------------------------------------------


async def test_a_plugins_migrations_apply_and_revert_on_their_own(scratch_url: str) -> None:
    host = load_plugins(settings_with(), extra=[("icn-kudos", icn_kudos.plugin)], discover=False)
    kudos_track = migrations.track_named("icn-kudos", host)
    assert kudos_track.version_table == "alembic_version_icn_kudos"

    await asyncio.to_thread(migrations.upgrade_all, scratch_url, host)
    assert await migration_state.current_revisions_at(scratch_url, kudos_track) == {"kudos_0002"}
    await asyncio.to_thread(migrations.check, scratch_url, kudos_track)
    await asyncio.to_thread(migrations.check, scratch_url)  # core ignores the plugin's table

    await asyncio.to_thread(migrations.downgrade, scratch_url, "base", track=kudos_track)
    assert await migration_state.current_revisions_at(scratch_url, kudos_track) == set()
    core = await migration_state.current_revisions_at(scratch_url)
    assert core == migrations.head_revisions()  # core untouched

    await asyncio.to_thread(migrations.upgrade_all, scratch_url, host)
    database = Database.from_url(scratch_url)
    try:
        async with database.session() as session:
            count = await session.scalar(select(func.count()).select_from(Kudos))
        assert count == 0
    finally:
        await database.dispose()


def test_a_hook_with_an_argument_the_hook_lacks_names_the_plugin() -> None:
    @hookimpl
    async def on_event(event: Event, weather: str) -> None:
        return None

    with pytest.raises(PluginStartupError, match="plugin 'odd' cannot be registered"):
        load_plugins(settings_with(), extra=[("odd", plugin(on_event=on_event))], discover=False)


def test_routes_must_be_routes() -> None:
    @hookimpl
    def register_routes() -> str:
        return "/hello"

    host = load_plugins(
        settings_with(),
        extra=[("stringy", plugin(register_routes=register_routes))],
        discover=False,
    )
    with pytest.raises(PluginStartupError, match="plugin 'stringy': register_routes must return"):
        host.routes()


async def test_one_failing_shutdown_does_not_skip_the_others() -> None:
    calls: list[str] = []

    @hookimpl(specname="shutdown")
    async def fails() -> None:
        raise RuntimeError("no")

    @hookimpl(specname="shutdown")
    async def works() -> None:
        calls.append("works")

    host = load_plugins(
        settings_with(),
        extra=[("fails", plugin(shutdown=fails)), ("works", plugin(shutdown=works))],
        discover=False,
    )
    await host.shutdown(app=None)  # type: ignore[arg-type]
    assert calls == ["works"]


@pytest.mark.parametrize(
    ("key", "secret"),
    [("api_key", True), ("smtp_password", True), ("token", True), ("monkey_count", False)],
)
def test_secret_looking_settings_are_whole_words(key: str, secret: bool) -> None:
    from icn_graph.plugins.settings import is_secret

    assert is_secret(key) is secret
