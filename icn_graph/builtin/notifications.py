"""The notification engine: following, fan-out, mail, live updates, one-click unsubscribe and
the "manage your email" page."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import BaseRoute, Route

from icn_graph.config import Settings
from icn_graph.events.consumers import EventConsumer
from icn_graph.notifications import manage_page, unsubscribe_page
from icn_graph.notifications.consumers import notification_consumers
from icn_graph.notifications.mail.render import TEMPLATES
from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.schema.root import NotificationMutations, NotificationsQuery
from icn_graph.schema.subscriptions import Subscription

if TYPE_CHECKING:
    from icn_graph.demo.context import DemoContext


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(
        query=NotificationsQuery, mutation=NotificationMutations, subscription=Subscription
    )


@hookimpl
def register_routes() -> Sequence[BaseRoute]:
    return [
        Route(
            unsubscribe_page.PATH,
            unsubscribe_page.unsubscribe_endpoint,
            methods=unsubscribe_page.METHODS,
        ),
        Route(manage_page.PATH, manage_page.manage_email_endpoint, methods=manage_page.METHODS),
    ]


@hookimpl
def register_mail_templates() -> Path:
    return TEMPLATES / "events"


@hookimpl
def register_event_consumers(settings: Settings) -> Sequence[EventConsumer]:
    return notification_consumers(settings)


@hookimpl
async def load_demo_data(session: AsyncSession, context: DemoContext) -> None:
    """After the goals and sessions it follows (registration order); then the network's last
    weeks through the notification engine."""
    from icn_graph.demo import follows, recent_activity

    await follows.contribute(session, context)
    await recent_activity.contribute(session, context)
