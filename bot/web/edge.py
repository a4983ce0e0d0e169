"""The web process's edge: every HTTP request gets an id, a body limit enforced while the
body streams in, and one log line (id, method, route, status, size), never its body.

A pure ASGI middleware, so the limit holds before any route, parser or framework reads a
byte: a declared Content-Length over the limit is refused before reading, and a chunked
body is counted chunk by chunk and cut off the moment it passes the limit.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

log = logging.getLogger("stockbot.web")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Slack's requests (commands, interactions with a whole message, events) fit in 1 MB.
MAX_BODY_BYTES = 1024 * 1024
# A proxy's (or Heroku's) request id is kept when it looks like one, else we make one.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_UNPRINTABLE = re.compile(r"[^\x21-\x7e]")
_ROUTE_SHOWN = 120


def _printable(text: str) -> str:
    """A path as it can go in a log line: no spaces, newlines or control characters (a
    crafted path cannot forge a second line), and short."""
    clipped = text[:_ROUTE_SHOWN] + ("..." if len(text) > _ROUTE_SHOWN else "")
    return _UNPRINTABLE.sub("?", clipped)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def error_body(code: str, message: str) -> bytes:
    """The API's error shape, for answers given before any route runs."""
    return json.dumps({"status": "error", "error": {"code": code, "message": message}}).encode()


class _Exchange:
    """What one request did: bytes read, the status answered, whether we cut it off."""

    def __init__(self) -> None:
        self.received = 0
        self.status: int | None = None
        self.started = False
        self.cut_off = False


class RequestEdge:
    """Request ids, the body limit and the one-line access log, for every HTTP route."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id") or ""
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        exchange = _Exchange()
        started = time.monotonic()
        try:
            await self._serve(scope, receive, send, request_id, exchange)
        except Exception:
            exchange.status = exchange.status or 500  # the framework answers 500
            raise
        finally:
            log.info(
                "request id=%s %s %s status=%s length=%s read=%d ms=%d",
                request_id,
                _printable(scope.get("method", "?")),
                _printable(scope.get("path", "")),
                exchange.status or "-",
                _printable(_header(scope, b"content-length") or "-"),
                exchange.received,
                (time.monotonic() - started) * 1000,
            )

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, exchange: _Exchange
    ) -> None:
        async def answer(status: int, code: str, message: str) -> None:
            exchange.status, exchange.started = status, True
            headers = [
                (b"content-type", b"application/json"),
                (b"x-request-id", request_id.encode()),
                # The rest of the body is never read: the connection cannot be reused.
                (b"connection", b"close"),
            ]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": error_body(code, message)})

        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isascii() or not declared.strip().isdigit():
                await answer(400, "bad_request", "Content-Length is not a number")
                return
            if int(declared) > self.max_body:
                await answer(413, "too_large", f"the request body is over {self.max_body} bytes")
                return

        async def bounded_receive() -> Message:
            if exchange.cut_off:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                exchange.received += len(message.get("body", b""))
                if exchange.received > self.max_body:
                    exchange.cut_off = True
                    if not exchange.started:
                        await answer(
                            413, "too_large", f"the request body is over {self.max_body} bytes"
                        )
                    # To the route, the client went away: it stops reading.
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message: Message) -> None:
            if exchange.cut_off:
                return  # our 413 went out; whatever the route says after is dropped
            if message["type"] == "http.response.start":
                exchange.status, exchange.started = message["status"], True
                headers = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, bounded_receive, tracked_send)
        except Exception:
            # A route interrupted by the cut-off fails on its "disconnected" client; the
            # request has its answer, so that failure is expected and not news.
            if not exchange.cut_off:
                raise
