"""``X-Content-Type-Options: nosniff`` on every HTTP answer: a browser takes a JSON error that
quotes the client's input (a path, an operation name) as JSON, never as a page or a script."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_HEADER = (b"x-content-type-options", b"nosniff")


class NoSniff:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == _HEADER[0] for name, _ in headers):
                    headers.append(_HEADER)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)
