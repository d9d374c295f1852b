"""A cap on request bodies, enforced while they are read.

A declared ``Content-Length`` over the cap is refused before a byte of the body is read; a body
sent without one (chunked) is counted as it arrives and refused as soon as it passes the cap, so
a client cannot make the server read (or parse) 100 MB to find out that it is too large.
Multipart requests (file uploads, which need a bearer token) have their own, larger cap.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icn_graph.web.graphql_app import request_error


class BodyTooLarge(Exception):
    """Raised from ``receive`` once the body passes its cap."""


class BodyLimit:
    """ASGI middleware: 413, in the API's JSON error shape, for bodies over the cap."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    def cap_for(self, headers: Headers) -> int:
        content_type = headers.get("content-type", "").lower()
        if content_type.startswith("multipart/form-data"):
            return max(self.max_bytes, self.max_upload_bytes)
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cap = self.cap_for(headers)
        declared = headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > cap:
            await too_large(cap)(scope, receive, send)
            return

        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if response_started:
                raise  # nothing sensible to send any more: the server drops the connection
            await too_large(cap)(scope, receive, send)


def too_large(cap: int) -> ASGIApp:
    response = request_error(
        413, f"The request body is larger than {cap:,} bytes; send a smaller request."
    )
    response.headers["Connection"] = "close"
    return response
