"""Plugins publish hooks of their own (``register_hookspecs``) that other plugins implement,
and call them through ``PluginHost.call_hook`` / ``acall_hook``."""

from __future__ import annotations

import re

import pytest
import strawberry

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.plugins import SchemaContribution, hookimpl, hookspec
from icn_graph.plugins.manager import PluginHost, PluginStartupError
from icn_graph.schema.context import Info
from icn_graph.testing import GraphQLClient, make_person, token_for


class AHooks:
    """What plugin A lets other plugins do."""

    @staticmethod
    @hookspec
    def icn_a_extend(thing: str) -> str | None:
        """Add to A's list of things."""

    @staticmethod
    @hookspec
    async def icn_a_score(thing: str) -> int | None:
        """Score a thing (async)."""


@strawberry.type
class AQuery:
    @strawberry.field
    def a_things(self, info: Info) -> list[str]:
        assert info.context.plugins is not None
        return ["base", *info.context.plugins.call_hook(AHooks.icn_a_extend, thing="base")]


class PluginA:
    @staticmethod
    @hookimpl
    def register_hookspecs() -> type:
        return AHooks

    @staticmethod
    @hookimpl
    def register_schema() -> SchemaContribution:
        return SchemaContribution(query=AQuery)


class PluginB:
    @staticmethod
    @hookimpl
    def icn_a_extend(thing: str) -> str:
        return f"{thing} extended by B"

    @staticmethod
    @hookimpl
    async def icn_a_score(thing: str) -> int:
        return len(thing)


class PluginC:
    @staticmethod
    @hookimpl
    def icn_a_extend(thing: str) -> str | None:
        return None if thing == "quiet" else f"{thing} by C"

    @staticmethod
    @hookimpl
    def icn_a_score() -> int:  # a plain function and fewer arguments: both fine
        return 100


def host(*plugins: tuple[str, object]) -> PluginHost:
    return load_plugins(
        Settings(_env_file=None),  # type: ignore[call-arg]
        extra=plugins,
        discover=False,
    )


# -- over HTTP --------------------------------------------------------------------------------


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    # B registers before A publishes: its implementation is checked when A's specs arrive.
    return [("plugin-b", PluginB), ("plugin-a", PluginA)]


async def test_a_calls_the_hook_b_implements_from_a_resolver(
    db: Database, client: GraphQLClient
) -> None:
    token = await token_for(db, await make_person(db))
    data = await client.data("{ aThings }", token=token)
    assert data == {"aThings": ["base", "base extended by B"]}


# -- the facade -------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["publisher first", "implementer first"])
def test_call_hook_returns_each_implementations_result(order: str) -> None:
    plugins = [("plugin-a", PluginA), ("plugin-b", PluginB), ("plugin-c", PluginC)]
    if order == "implementer first":
        plugins.reverse()
    loaded = host(*plugins)

    assert sorted(loaded.call_hook(AHooks.icn_a_extend, thing="x")) == ["x by C", "x extended by B"]
    assert loaded.call_hook(AHooks.icn_a_extend, thing="quiet") == ["quiet extended by B"]
    assert loaded.published == {"icn_a_extend": "plugin-a", "icn_a_score": "plugin-a"}
    hooks = {info.name: info.hooks for info in loaded.describe()}
    assert set(hooks["plugin-b"]) == {"icn_a_extend", "icn_a_score"}
    assert set(hooks["plugin-a"]) == {"register_hookspecs", "register_schema"}


async def test_acall_hook_awaits_async_implementations() -> None:
    loaded = host(("plugin-a", PluginA), ("plugin-b", PluginB), ("plugin-c", PluginC))
    assert sorted(await loaded.acall_hook(AHooks.icn_a_score, thing="four")) == [4, 100]


def test_positional_arguments_are_refused() -> None:
    loaded = host(("plugin-a", PluginA))
    with pytest.raises(TypeError, match="pass the hook's arguments by name"):
        loaded.call_hook(AHooks.icn_a_extend, "x")


# -- start-up checks --------------------------------------------------------------------------


class Strict:
    @staticmethod
    @hookimpl
    def icn_a_extend(thing: str) -> str:
        return thing


class Optional:
    @staticmethod
    @hookimpl(optionalhook=True)
    def icn_a_extend(thing: str) -> str:
        return thing


def test_implementing_an_unpublished_hook_stops_start_up() -> None:
    with pytest.raises(
        PluginStartupError, match="plugin 'strict' implements unknown hook 'icn_a_extend'"
    ):
        host(("strict", Strict))


def test_an_optional_implementation_starts_without_its_publisher() -> None:
    loaded = host(("optional", Optional))
    assert [info.hooks for info in loaded.describe() if info.name == "optional"] == [()]


def test_a_hook_nobody_published_cannot_be_called() -> None:
    loaded = host(("optional", Optional))
    with pytest.raises(LookupError, match="the hook 'icn_a_extend' is not published"):
        loaded.call_hook(AHooks.icn_a_extend, thing="x")


class Twin:
    @staticmethod
    @hookimpl
    def register_hookspecs() -> type:
        return AHooks


def test_two_plugins_publishing_one_hook_name_stop_start_up_naming_both() -> None:
    with pytest.raises(
        PluginStartupError,
        match=re.escape("the hook 'icn_a_extend' is published by both 'plugin-a' and 'twin'"),
    ):
        host(("plugin-a", PluginA), ("twin", Twin))


class CoreNames:
    @staticmethod
    @hookspec
    def register_schema() -> None:
        """Shadowing core's hook."""


class Shadower:
    @staticmethod
    @hookimpl
    def register_hookspecs() -> type:
        return CoreNames


def test_publishing_a_core_hook_name_stops_start_up() -> None:
    with pytest.raises(
        PluginStartupError,
        match=re.escape("plugin 'shadow' publishes the hook 'register_schema', which core"),
    ):
        host(("shadow", Shadower))


class WrongArguments:
    @staticmethod
    @hookimpl
    def icn_a_extend(thing: str, colour: str) -> str:
        return thing + colour


def test_an_implementation_with_arguments_the_hook_lacks_names_both_plugins() -> None:
    with pytest.raises(
        PluginStartupError,
        match=re.escape("plugin 'wrong' implements a hook that 'plugin-a' publishes"),
    ):
        host(("wrong", WrongArguments), ("plugin-a", PluginA))


class NotSpecs:
    @staticmethod
    @hookimpl
    def register_hookspecs() -> object:
        return "icn_a_extend"


def test_register_hookspecs_must_return_a_module_or_class() -> None:
    with pytest.raises(
        PluginStartupError, match="plugin 'odd': register_hookspecs must return a module"
    ):
        host(("odd", NotSpecs))
