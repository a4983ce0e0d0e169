"""The API's token check stays on the API's paths: Slack's requests go straight through."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.middleware.base import BaseHTTPMiddleware

from bot.web.api import PREFIX, TokenGate
from bot.web.app import create_web_app
from tests.web.conftest import Served


def test_no_middleware_wraps_every_request_in_a_task_and_stream(served: Served) -> None:
    web = create_web_app(served.runtime)
    assert all(not issubclass(layer.cls, BaseHTTPMiddleware) for layer in web.user_middleware)
    assert any(layer.cls is TokenGate for layer in web.user_middleware)


def test_a_slack_request_reaches_the_app_with_its_own_receive_and_send() -> None:
    seen: list[tuple[Any, Any]] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append((receive, send))

    async def receive() -> dict:
        raise AssertionError("the gate must not read the body")

    async def send(message: Any) -> None:
        raise AssertionError("the gate must not answer")

    scope = {"type": "http", "path": "/slack/events", "headers": [], "method": "POST"}
    # On a thread of its own: an earlier test may leave this thread's event loop running.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, TokenGate(inner)(scope, receive, send)).result()
    assert seen == [(receive, send)]


def test_an_api_request_without_a_token_is_refused_before_the_app(served: Served) -> None:
    response = served.http.post(f"{PREFIX}/bulk-analyze", content=b"{not json")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["x-request-id"]
