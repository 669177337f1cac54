"""Request bodies are capped before they are read: 413 ``payload_too_large``.

A body announced by ``Content-Length`` over the cap is refused at once, before the app runs
(no routing, no database, not a byte of it read). A body without one (chunked) is counted as
it streams to the app and refused as soon as it passes the cap. Either way the refusal is
the app's own answer to an HTTP 413 (a page on customer paths, the envelope on the API) and
closes the connection, so the server reads no more of it.

The cap is ``Settings.max_body_bytes``; a route that takes more (CSV uploads) gets its own
cap through ``route_max_bytes``, keyed by its path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Refuse = Callable[[Request, HTTPException], Awaitable[Response]]


class BodyTooLarge(HTTPException):
    """Raised from ``receive``: the app's HTTP error handling answers it like any other 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


class BodyLimit:
    """Pure ASGI, so it sees the body chunk by chunk instead of buffering it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        refuse: Refuse,
        route_max_bytes: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.refuse = refuse
        self.route_max_bytes = dict(route_max_bytes or {})

    def limit_for(self, path: str) -> int:
        return self.route_max_bytes.get(path, self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        if _declared_length(scope) > limit:
            await self._refuse(scope, receive, send, limit)
            return

        received = 0
        tripped = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, tripped
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    tripped = True
                    raise BodyTooLarge(limit)
            return message

        async def closing_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if tripped:
                    # The rest of the body may still be on its way: hang up rather than
                    # read it all to keep the connection.
                    MutableHeaders(scope=message)["Connection"] = "close"
            await send(message)

        try:
            await self.app(scope, counting_receive, closing_send)
        except BodyTooLarge:
            # Escaped the app's own handling (a body read outside a route): answer it here.
            if started:
                raise
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = await self.refuse(Request(scope), BodyTooLarge(limit))
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _declared_length(scope: Scope) -> int:
    """The announced body size; 0 when none (the server itself refuses a malformed one)."""
    value = Headers(scope=scope).get("content-length", "")
    return int(value) if value.isascii() and value.isdigit() else 0
