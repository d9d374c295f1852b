"""Per-request context: the database, who is asking, and this request's loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeAlias

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.db.types import Clock, utcnow
from icn_graph.notifications.realtime.broadcaster import Broadcaster
from icn_graph.notifications.sign_in_mail import SignInMail
from icn_graph.plugins.dispatch import EventDispatcher
from icn_graph.plugins.manager import PluginHost
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.schema.limits.budget import CostBudget
from icn_graph.schema.loaders import Loaders
from icn_graph.services.sign_in.rate_limits import SignInLimits
from icn_graph.services.viewer import Viewer


@dataclass
class Context:
    db: Database
    viewer: Viewer
    settings: Settings
    request: Request | WebSocket | None = None
    response: Response | WebSocket | None = None
    plugins: PluginHost | None = None
    dispatcher: EventDispatcher | None = None
    # This process's notification subscriptions (started by the app's lifespan).
    broadcaster: Broadcaster | None = None
    # The measures registry, loaded once when the app starts.
    measures: MeasureRegistry | None = None
    # Checks the request's token again: long-lived subscriptions stop when it is revoked.
    reauthenticate: Callable[[], Awaitable[Viewer]] | None = None
    # Set by strawberry from a websocket's ``connection_init`` payload.
    connection_params: dict[str, object] | None = None
    # Sign-in links go out through this (started by the app); None: no mail is sent.
    sign_in_mail: SignInMail | None = None
    # This process's sign-in rate limits; None: unlimited.
    sign_in_limits: SignInLimits | None = None
    # What "now" is: the wall clock, or a test's simulated time.
    clock: Clock = utcnow
    # The app's cost budgets (ICN_COST_BUDGET); None: operations are costed but not throttled.
    budget: CostBudget | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.db)

    def forget_loaded(self) -> None:
        """Forget what the loaders loaded (a write is starting, or a websocket's next operation:
        any of it may have changed), whichever loaders the context holds by then."""
        self.loaders.forget()

    @property
    def client_address(self) -> str:
        client = self.request.client if self.request is not None else None
        return client.host if client is not None else "unknown"

    @property
    def user_agent(self) -> str:
        return self.request.headers.get("user-agent", "") if self.request is not None else ""


Info: TypeAlias = StrawberryInfo[Context, None]
