"""``create_app(settings)``: the Starlette application.

Its lifespan owns the database engine, runs plugins' ``startup``/``shutdown`` hooks, starts and
stops the plugin engine's event-loop watchdog and waits for events in flight before closing.
Plugins are loaded (and the schema merged) once, here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from icn_graph.config import Settings, get_settings
from icn_graph.db.database import Database
from icn_graph.db.types import Clock, utcnow
from icn_graph.host import install_registries, load_plugins, served_schema
from icn_graph.notifications.realtime.broadcaster import Broadcaster
from icn_graph.notifications.sign_in_mail import SignInMail
from icn_graph.plugins.manager import PluginHost
from icn_graph.plugins.outbox import outbox_dispatcher, plugin_event_dispatcher
from icn_graph.reports.measures import MeasureRegistry
from icn_graph.services.sign_in.rate_limits import SignInLimits
from icn_graph.web import email_change_page, invitation_page, sign_in_page
from icn_graph.web.body_limit import BodyLimit
from icn_graph.web.browsers import ApiCors
from icn_graph.web.graphiql import ASSETS_PATH, explorer_assets
from icn_graph.web.graphql_app import GraphQLApp
from icn_graph.web.health import Readiness, healthz, readyz
from icn_graph.web.method_not_allowed import method_not_allowed
from icn_graph.web.nosniff import NoSniff
from icn_graph.web.not_found import not_found
from icn_graph.web.route_reads import RouteReads
from icn_graph.web.serving import InFlight
from icn_graph.web.unexpected_errors import UnexpectedErrors


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    plugins: PluginHost | None = None,
    clock: Clock = utcnow,
) -> Starlette:
    """The ASGI app.

    Pass ``db`` to share an engine (tests); otherwise the lifespan makes and closes one. Pass
    ``plugins`` to choose them (tests); otherwise they are discovered from entry points. Pass
    ``clock`` to simulate time (tests of expiry); otherwise it is the wall clock.
    """
    settings = settings or get_settings()
    database = db or Database.from_settings(settings)
    owns_database = db is None
    if plugins is not None:
        install_registries(plugins)  # load_plugins installs those of the host it makes
    host = plugins or load_plugins(settings)
    # Loaded once, at start-up: a measure key defined twice stops it, naming both owners.
    measures = MeasureRegistry.load(host)
    plugin_events = plugin_event_dispatcher(host, database, settings)
    dispatcher = outbox_dispatcher(host, database, settings, plugin_events=plugin_events)
    database.event_sink = dispatcher.submit
    broadcaster = Broadcaster(database.engine.url)
    sign_in_mail = SignInMail(settings)
    readiness = Readiness(
        database,
        host,
        listener=broadcaster.listener,
        listener_grace_seconds=settings.listener_grace_seconds,
    )
    sign_in_limits = SignInLimits(
        settings.sign_in_rate_per_email,
        settings.sign_in_rate_per_address,
        invitations_per_inviter=settings.invitation_rate_per_inviter,
        invitations_per_email=settings.invitation_rate_per_email,
    )
    graphql = GraphQLApp(
        database,
        settings,
        served_schema(host),
        plugins=host,
        dispatcher=plugin_events,
        broadcaster=broadcaster,
        measures=measures,
        sign_in_mail=sign_in_mail,
        sign_in_limits=sign_in_limits,
        clock=clock,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await host.startup(app)
        await broadcaster.start()
        await dispatcher.start()
        try:
            yield
        finally:
            try:
                await broadcaster.stop()
                await sign_in_mail.drain()
                # Events still queued reach plugins while what their startup made is open.
                await dispatcher.close()
                await host.shutdown(app)
            finally:
                if owns_database:
                    await database.dispose()

    core_routes: list[BaseRoute] = [
        Route("/", lambda request: RedirectResponse("/graphql")),
        Route("/graphql", graphql),  # every method: unsupported ones get a JSON 405
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route(sign_in_page.PATH, sign_in_page.sign_in_endpoint, methods=sign_in_page.METHODS),
        Route(
            invitation_page.PATH,
            invitation_page.invitation_endpoint,
            methods=invitation_page.METHODS,
        ),
        Route(
            email_change_page.PATH,
            email_change_page.confirm_email_endpoint,
            methods=email_change_page.METHODS,
        ),
    ]
    if settings.graphiql:
        core_routes.append(Mount(ASSETS_PATH, app=explorer_assets(), name="graphiql-assets"))
    middleware = [
        # Counts requests in flight, for a shutdown that lets them finish (web/serving.py).
        Middleware(InFlight, readiness=readiness),
        Middleware(NoSniff),
        # Outer, so that every answer (errors included) carries the CORS headers it may.
        Middleware(ApiCors, origins=settings.cors_origin_list),
        # Anything escaping a route (a killed database connection): JSON, never a plain-text 500.
        Middleware(UnexpectedErrors),
        Middleware(GZipMiddleware, minimum_size=settings.gzip_min_bytes),
        Middleware(
            BodyLimit,
            max_bytes=settings.max_body_bytes,
            max_upload_bytes=settings.max_upload_bytes,
        ),
        # Routes' GETs: one connection, one read-only transaction, a dead one retried once.
        Middleware(RouteReads, db=database, own_units=frozenset({"/graphql"})),
    ]
    app = Starlette(
        routes=[*core_routes, *host.routes()],
        middleware=middleware,
        lifespan=lifespan,
        # A method a route does not take: JSON, as /graphql and the file endpoints answer it.
        exception_handlers={404: not_found, 405: method_not_allowed},
    )
    # `/graphql/` is not `/graphql`: no redirect to an address made from the Host header.
    app.router.redirect_slashes = False
    app.state.db = database
    app.state.settings = settings
    app.state.plugins = host
    app.state.measures = measures
    app.state.dispatcher = dispatcher
    app.state.plugin_events = plugin_events
    app.state.broadcaster = broadcaster
    app.state.viewers = graphql.viewers  # the token -> viewer cache (web/viewer_cache.py)
    app.state.sign_in_mail = sign_in_mail
    app.state.sign_in_limits = sign_in_limits
    app.state.readiness = readiness
    app.state.clock = clock
    return app
