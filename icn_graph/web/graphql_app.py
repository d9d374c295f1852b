"""The ``/graphql`` endpoint: POST for operations, GET for queries or the explorer, websockets."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from icn_graph.config import Settings
from icn_graph.db.busy import BUSY, POOL_ADVICE, UNAVAILABLE, no_connection_free
from icn_graph.db.connection_errors import connection_dropped, connection_lost
from icn_graph.db.database import Database, current_read_unit, forgetting_on_write
from icn_graph.db.types import Clock, utcnow
from icn_graph.notifications.realtime.broadcaster import Broadcaster
from icn_graph.notifications.realtime.revocations import TOPIC_PREFIX, register_cache
from icn_graph.notifications.sign_in_mail import SignInMail
from icn_graph.plugins.dispatch import EventDispatcher
from icn_graph.plugins.manager import PluginHost
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.schema.context import Context
from icn_graph.schema.limits.budget import CostBudget
from icn_graph.schema.live_notifications import LiveDelivery
from icn_graph.schema.loaders import Loaders
from icn_graph.services.sign_in.rate_limits import SignInLimits
from icn_graph.services.viewer import Viewer
from icn_graph.web.auth import token_use
from icn_graph.web.get_caching import get_cache_headers
from icn_graph.web.graphiql import explorer_response
from icn_graph.web.http_errors import error_entry
from icn_graph.web.json_encoding import encode_json
from icn_graph.web.persisted_queries import (
    HASH_MISMATCH,
    PersistedQueries,
    not_found,
    persisted_hash,
    sha256_hex,
)
from icn_graph.web.viewer_cache import ViewerCache
from icn_graph.web.websocket_auth import RevocableTransportWS

log = logging.getLogger(__name__)

# RFC 6455 close code 1013, "Try Again Later": the websocket twin of HTTP 503.
TRY_AGAIN_LATER = 1013


def place_files(operations: Any, files_map: dict[str, list[str]], form: Mapping[str, Any]) -> None:
    """Put each file where ``map`` says (``variables.files.0``: into a list, by index)."""
    for name, paths in files_map.items():
        for path in paths:
            *parents, last = path.split(".")
            try:
                target = operations
                for key in parents:
                    target = target[int(key)] if isinstance(target, list) else target[key]
                if isinstance(target, list):
                    target[int(last)] = form[name]
                elif isinstance(target, dict):
                    target[last] = form[name]
                else:
                    raise TypeError(path)
            except (KeyError, IndexError, TypeError, ValueError) as error:
                raise HTTPException(
                    400, f"`map` puts `{name}` at `{path}`, which is not a place in `operations`."
                ) from error


# What a 405 says is allowed: /graphql's methods, or the file endpoints' (calendars, reports,
# data views), which read only.
GRAPHQL_METHODS = "GET, POST"
READ_METHODS = "GET, HEAD"

# What each method may run over HTTP: subscriptions need the websocket (nothing streams over
# HTTP here), and GET changes nothing.
HTTP_OPERATIONS = {
    "GET": frozenset({OperationType.QUERY}),
    "POST": frozenset({OperationType.QUERY, OperationType.MUTATION}),
}
SUBSCRIPTIONS_NEED_THE_WEBSOCKET = (
    "Subscriptions run over the websocket at /graphql (the graphql-transport-ws protocol), not "
    "over HTTP: open one and send the subscription in a `subscribe` message."
)


def request_error(status_code: int, message: str, *, allow: str | None = None) -> JSONResponse:
    """A request-level problem in GraphQL's JSON shape; a 405 names the methods in ``allow``."""
    body = {"errors": [error_entry(status_code, message)]}
    # Never kept by a cache: a refusal is about this request (a CDN keeps some errors a while).
    headers = {"Cache-Control": "no-store", "Vary": "Authorization"}
    if allow is not None:
        headers["Allow"] = allow
    return JSONResponse(body, status_code=status_code, headers=headers)


class GraphQLApp(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = RevocableTransportWS

    def __init__(
        self,
        db: Database,
        settings: Settings,
        schema: BaseSchema,
        *,
        plugins: PluginHost | None = None,
        dispatcher: EventDispatcher | None = None,
        broadcaster: Broadcaster | None = None,
        measures: MeasureRegistry | None = None,
        sign_in_mail: SignInMail | None = None,
        sign_in_limits: SignInLimits | None = None,
        clock: Clock = utcnow,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql",
            allow_queries_via_get=True,
            # File uploads (importVisits): bearer-token requests only, see parse_multipart.
            multipart_uploads_enabled=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # Pages on these origins may open websockets (same-origin and non-browser clients
            # always may); the CORS middleware lets them make HTTP requests.
            allowed_origins=settings.cors_origin_list,
        )
        self.db = db
        self.settings = settings
        self.plugins = plugins
        self.dispatcher = dispatcher
        self.broadcaster = broadcaster
        self.sign_in_mail = sign_in_mail
        self.sign_in_limits = sign_in_limits
        self.clock = clock
        self.budget = CostBudget(settings.cost_budget, settings.cost_restore_rate)
        self.persisted_queries = PersistedQueries()
        self.viewers = ViewerCache(settings.viewer_cache_seconds, hearing=lambda: False)
        # A change made in this process is forgotten here at once, before its NOTIFY returns.
        register_cache(db, self.viewers)
        if broadcaster is not None:
            # Nothing is cached unless revocations from every process reach this one.
            self.viewers.hearing = broadcaster.hearing
            # Revocations and role changes, from any process: forget the person's viewers.
            broadcaster.topics.watch(TOPIC_PREFIX, self.viewers.heard)
            # notificationAdded over websockets: rendered once per payload shape per event.
            broadcaster.live.deliver = LiveDelivery(schema).deliver
        self.measures = measures or (
            MeasureRegistry.load(plugins) if plugins is not None else core_registry()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._serve_websocket(WebSocket(scope, receive=receive, send=send))
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # The request's reads (the token's viewer, every resolver and loader) share one
        # connection and one read-only transaction, handed back before the answer is sent.
        async with self.db.read_unit():
            try:
                response = await self.run(Request(scope, receive=receive))
            except HTTPException as problem:
                # Request-level problems answer in GraphQL's JSON shape, never as bare text.
                allow = GRAPHQL_METHODS if problem.status_code == 405 else None
                response = request_error(problem.status_code, problem.reason, allow=allow)
        await response(scope, receive, send)

    async def _serve_websocket(self, websocket: WebSocket) -> None:
        try:
            await self.run(websocket)
        except HTTPException as problem:
            # get_context refused (the database is down): close cleanly instead of letting the
            # exception escape the ASGI app, which the server would log as a crash.
            if websocket.application_state is WebSocketState.CONNECTING:
                await websocket.close(code=1008)  # before the handshake: an HTTP 403
            elif websocket.application_state is WebSocketState.CONNECTED:
                await websocket.close(code=TRY_AGAIN_LATER, reason=problem.reason[:120])

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Runs a query (or, over POST, a mutation); anything else is a 400 saying why."""
        try:
            result = await self._execute_single(request_adapter, context, root_value, request_data)
        finally:
            context.loaders.release()
        if request_adapter.method == "GET":
            sub_response.headers.update(
                get_cache_headers(
                    context.viewer, bool(result.errors), self.settings.public_cache_seconds
                )
            )
        return result

    async def _execute_single(
        self,
        request_adapter: AsyncHTTPRequestAdapter,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        method = request_adapter.method
        query = request_data.query
        digest = persisted_hash(request_data.extensions)
        if digest is not None:
            if query is None:
                query = self.persisted_queries.get(digest)
                if query is None:
                    return not_found()
            elif sha256_hex(query) != digest:
                raise HTTPException(400, HASH_MISMATCH)
            elif len(query) <= self.settings.max_query_length:
                self.persisted_queries.put(digest, query)
        unit = current_read_unit()
        try:
            for attempt in range(2):
                if unit is not None:
                    unit.lost = unit.wrote = False
                with forgetting_on_write(context.forget_loaded):
                    result = await self.schema.execute(
                        query,
                        root_value=root_value,
                        variable_values=request_data.variables,
                        context_value=context,
                        operation_name=request_data.operation_name,
                        allowed_operation_types=HTTP_OPERATIONS.get(method, frozenset()),
                        operation_extensions=request_data.extensions,
                    )
                # A read lost its connection (killed, or dead in the pool: there is no
                # pre-ping): run the operation again, once, on a fresh one, if it wrote nothing.
                if unit is None or not unit.may_run_again or attempt:
                    return result
                log.warning("a read lost its database connection; running the query again")
                context.loaders.release()
                context.loaders = Loaders(self.db)
            return result
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise HTTPException(400, SUBSCRIPTIONS_NEED_THE_WEBSOCKET) from error
            raise HTTPException(400, error.as_http_error_reason(method)) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error

    def encode_json(self, data: object) -> str:
        # Text, not bytes: over a websocket, bytes would go out as binary frames.
        return encode_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        """Anything but a JSON object (or a batch list) is a client error, never a crash."""
        try:
            parsed = self.decode_json(data)
        except (ValueError, RecursionError) as error:
            # ValueError: bad JSON, or bytes json sniffs as UTF-16/32 that do not decode;
            # RecursionError: absurdly deep nesting.
            raise HTTPException(400, "Unable to parse request body as JSON") from error
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object with a `query`.")
        return parsed

    async def parse_multipart(self, request: Any) -> dict[str, Any]:
        """Multipart requests need ``Authorization: Bearer``: a browser can post a multipart form
        to any site without a preflight (CSRF), but cannot add that header without one.

        The form is the GraphQL multipart request spec's: ``operations`` and ``map`` are text
        fields holding JSON, and ``map`` puts file fields at paths in ``operations``
        (``{"0": ["variables.file"]}``). Anything else is a 400 in the API's error shape.
        """
        if not request.headers.get("authorization", "").strip():
            raise HTTPException(
                401, "Multipart requests (file uploads) need Authorization: Bearer <token>."
            )
        try:
            form = (await request.get_form_data()).form
        except (ValueError, MultiPartException, StarletteHTTPException) as error:
            # Starlette's refusals (a text field over 1 MB, too many fields) carry a detail.
            detail = getattr(error, "detail", None) or getattr(error, "message", None)
            raise HTTPException(
                400, f"Unable to parse the multipart body{f': {detail}' if detail else ''}"
            ) from error
        operations = self._form_json(form, "operations")
        if not isinstance(operations, dict | list):
            raise HTTPException(400, "`operations` must be a JSON object with a `query`.")
        files_map = self._form_json(form, "map")
        if not (
            isinstance(files_map, dict)
            and all(
                isinstance(paths, list) and all(isinstance(path, str) for path in paths)
                for paths in files_map.values()
            )
        ):
            raise HTTPException(
                400,
                '`map` must be a JSON object of file fields to lists of paths, such as {"0": '
                '["variables.file"]}.',
            )
        for name in files_map:
            upload = form.get(name)
            if upload is None:
                raise HTTPException(400, f"File(s) missing in form data: `map` names `{name}`.")
            if not isinstance(upload, UploadFile):
                raise HTTPException(400, f"`{name}` is not a file: `map` names file fields only.")
        place_files(operations, files_map, form)
        return cast("dict[str, Any]", operations)

    def _form_json(self, form: Mapping[str, Any], field: str) -> Any:
        value = form.get(field, "{}")
        if not isinstance(value, str):
            raise HTTPException(400, f"`{field}` must be a text field of the form, not a file.")
        try:
            return self.decode_json(value)
        except (ValueError, RecursionError) as error:
            raise HTTPException(400, f"`{field}` is not JSON.") from error

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Browsers cannot set headers on a websocket: accept the token in ``connection_init``.

        ``{"type": "connection_init", "payload": {"Authorization": "Bearer icn_..."}}``
        """
        params = context.connection_params or {}
        header = params.get("Authorization", params.get("authorization"))
        if header is None:
            return cast("UnsetType", UNSET)
        if not isinstance(header, str):
            raise ConnectionRejectionError({"message": "Authorization must be a string."})
        headers = {"authorization": header}
        viewer = await self._viewer(headers)
        if viewer.rejected_token:
            raise ConnectionRejectionError({"message": "The API token is invalid or revoked."})
        context.viewer = viewer
        context.reauthenticate = lambda: self._viewer(headers)
        return cast("UnsetType", UNSET)

    async def _viewer(self, headers: Mapping[str, str]) -> Viewer:
        for attempt in range(2):
            try:
                return await self.viewers.viewer(
                    self.db, headers, token_use(self.settings), now=self.clock()
                )
            except BaseException as error:
                # Raw driver errors and stray cancellations too: a connection killed
                # mid-lookup. A lost connection is retried once, on a fresh one.
                lost = connection_lost(error)
                if not attempt and connection_dropped(error):
                    continue
                if not (lost or isinstance(error, SQLAlchemyError)):
                    raise
                if no_connection_free(error):
                    log.warning("cannot authenticate the request: %s; %s", error, POOL_ADVICE)
                    raise HTTPException(503, BUSY) from error
                log.error("cannot authenticate the request: database unavailable: %s", error)
                raise HTTPException(503, UNAVAILABLE) from error
        raise AssertionError("unreachable")

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        headers = request.headers
        viewer = await self._viewer(headers)
        return Context(
            db=self.db,
            viewer=viewer,
            settings=self.settings,
            request=request,
            response=response,
            plugins=self.plugins,
            dispatcher=self.dispatcher,
            broadcaster=self.broadcaster,
            measures=self.measures,
            reauthenticate=lambda: self._viewer(headers),
            sign_in_mail=self.sign_in_mail,
            sign_in_limits=self.sign_in_limits,
            clock=self.clock,
            budget=self.budget,
        )

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET naming a persisted query by its hash runs it, whatever the Accept header says.
        return super().should_render_graphql_ide(request) and (
            "extensions" not in request.query_params
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        if not self.settings.graphiql:
            raise HTTPException(
                400,
                "No GraphQL query in the request: send `query` (the GraphiQL explorer is turned "
                "off on this server).",
            )
        return explorer_response(
            self.settings.network_name,
            request.query_params.get("explore"),
            self.settings.max_query_length,
        )
