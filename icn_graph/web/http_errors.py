"""A request-level problem as one entry of GraphQL's ``errors``: its message and the code of
its HTTP status, the same over HTTP (web.graphql_app.request_error) and on a websocket."""

from __future__ import annotations

from graphql import GraphQLFormattedError

HTTP_ERROR_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


def error_entry(status_code: int, message: str) -> GraphQLFormattedError:
    """``{"message": ..., "extensions": {"code": "SERVICE_UNAVAILABLE"}}`` for a 503."""
    code = HTTP_ERROR_CODES.get(status_code, f"HTTP_{status_code}")
    # Messages can quote the client (an operation name): a lone surrogate in it would not
    # encode as UTF-8, so it is shown escaped ("\\ud800").
    shown = message.encode("utf-8", "backslashreplace").decode("utf-8")
    return {"message": shown, "extensions": {"code": code}}
