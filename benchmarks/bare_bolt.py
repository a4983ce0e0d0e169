"""Benchmark helper (not a test): the bare Bolt app benchmarks/slack_ack.py --bare compares
`stockbot serve`'s acks with.

    SLACK_BOT_TOKEN=... SLACK_API_URL=... .venv/bin/python benchmarks/bare_bolt.py PORT SECRET

A slack_bolt App with the signing secret and a `/stock` listener that only acks, served
as `stockbot serve` serves Bolt: uvicorn (same options), one process, a Starlette app
whose route hands the body to Bolt through Bolt's own Starlette adapter. Bolt acks in
the request's thread (process_before_response, as stockbot's app does), so no listener
thread and no polling for the ack stand between the request and its response.
"""

from __future__ import annotations

import os
import sys

import uvicorn
from slack_bolt import Ack, App
from slack_bolt.adapter.starlette import SlackRequestHandler
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route


def bare_app(secret: str, client: WebClient) -> Starlette:
    """The ASGI app: POST /slack/events to Bolt, GET /healthz for the start-up probe.
    `client` is for Bolt's one auth.test (at the first request), as stockbot's is."""
    bolt = App(
        client=client,
        signing_secret=secret,
        token_verification_enabled=False,
        process_before_response=True,
    )

    @bolt.command("/stock")
    def stock(ack: Ack) -> None:
        ack()

    handler = SlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def main() -> None:
    port, secret = int(sys.argv[1]), sys.argv[2]
    client = WebClient(os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    uvicorn.run(bare_app(secret, client), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
