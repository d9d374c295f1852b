"""The ``Subscription`` root: core's ``notificationAdded``, and plugins adding their own fields."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import pytest
import strawberry

from icn_graph.host import core_host, core_schema
from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.schema import SchemaConflict, build_schema


@strawberry.type
class KudosSubscription:
    @strawberry.subscription
    async def kudos_received(self) -> AsyncGenerator[int, None]:
        yield 1


@strawberry.type
class ClashingSubscription:
    @strawberry.subscription
    async def notification_added(self) -> AsyncGenerator[int, None]:
        yield 1


def subscription_fields(schema: strawberry.Schema) -> set[str]:
    root = schema._schema.subscription_type
    assert root is not None
    return set(root.fields)


def test_core_subscribes_to_notifications() -> None:
    assert subscription_fields(core_schema()) == {"notificationAdded"}


def test_a_plugin_adds_a_subscription_beside_core() -> None:
    plugin = ("icn-kudos", SchemaContribution(subscription=KudosSubscription))
    schema = build_schema([*core_host().schema_contributions(), plugin])
    assert subscription_fields(schema) == {"notificationAdded", "kudosReceived"}


def test_a_plugin_cannot_take_over_a_core_subscription() -> None:
    plugin = ("icn-clash", SchemaContribution(subscription=ClashingSubscription))
    with pytest.raises(SchemaConflict, match=r"'core\.notifications' and 'icn-clash'"):
        build_schema([*core_host().schema_contributions(), plugin])
