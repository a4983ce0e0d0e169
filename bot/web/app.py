"""The web process: Slack's endpoint, the health check, the REST API (api.py) and the
dashboard (dashboard.py).

One FastAPI app serves everything on one port (Procfile `web:`). Slack's requests are
dispatched on a pool of their own, so a burst of REST or dashboard calls (which run on
the bounded default pool, STOCKBOT_API_THREADS) can never hold an ack back.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from starlette.routing import Route

from bot.runtime import Runtime, configure_logging
from bot.settings import ConfigError, Settings
from bot.web.api import install_api
from bot.web.dashboard import install_dashboard
from bot.web.edge import RequestEdge
from bot.web.headers import SecurityHeaders
from bot.web.plan_page import install_plan_page
from bot.web.slack_edge import Refused, checked_request

# Acks are a few milliseconds of work each: a few threads keep up with a burst, and more
# only fight each other and the event loop for the interpreter (benchmarks/slack_ack.py
# --mixed: 4 threads held ack p99 near 0.5 s where 8 or 16 reached 1.5-3.3 s).
SLACK_DISPATCH_THREADS = 4


def slack_off_reason(settings: Settings) -> str | None:
    """Why the Slack endpoint cannot run (credentials not set), or None when it can."""
    missing = [
        name
        for name, value in (
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
        )
        if value is None or not value.get_secret_value()
    ]
    if not missing:
        return None
    return f"the Slack endpoint is off until {' and '.join(missing)} are set"


def create_web_app(
    runtime: Runtime, slack_app: App | None = None, slack_off: str | None = None
) -> FastAPI:
    """The ASGI app; `slack_app` adds POST /slack/events, which answers 503 saying
    `slack_off` when there is no app (Slack not configured yet)."""
    dispatch = ThreadPoolExecutor(SLACK_DISPATCH_THREADS, thread_name_prefix="slack-ack")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The REST API's and the dashboard's sync routes run on this (anyio's) pool.
        to_thread.current_default_thread_limiter().total_tokens = runtime.settings.api_threads
        yield
        dispatch.shutdown(wait=False)

    web = FastAPI(
        lifespan=lifespan,
        title="stockbot",
        version="1",
        description="MAIN/FBE stock analysis for eMAG sellers (the source's stock-sync API).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    web.state.runtime = runtime
    install_api(web)
    install_dashboard(web)
    install_plan_page(web)

    @web.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        try:
            with runtime.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # any database failure means "not healthy"
            return JSONResponse(
                {"status": "unavailable", "database": type(exc).__name__}, status_code=503
            )
        return JSONResponse({"status": "ok", "database": "ok"})

    if slack_app is not None:
        secret = runtime.settings.slack_signing_secret
        if secret is None:
            raise ConfigError("SLACK_SIGNING_SECRET is not set (HTTP mode needs it)")
        verifier = SignatureVerifier(secret.get_secret_value())

        async def slack_events(request: Request) -> Response:
            body = await request.body()  # at most RequestEdge's limit
            try:
                bolt_request = checked_request(
                    verifier, request.headers, request.query_params, body
                )
            except Refused as exc:
                return JSONResponse({"error": str(exc)}, status_code=exc.status)
            if bolt_request.body.get("command"):
                # A slash command's ack listener only queues its answer (handlers/), a
                # fraction of a millisecond with no I/O: less than the hop to a thread
                # and back, each way waiting for the interpreter behind the answers' work
                # (benchmarks/slack_ack.py --bare).
                return to_starlette_response(slack_app.dispatch(bolt_request))
            # Bolt's App is synchronous: the rest (a modal submission answers in its ack)
            # is dispatched in a thread of Slack's own pool, so neither the event loop nor
            # the API's threads hold up an ack.
            bolt_response = await asyncio.get_running_loop().run_in_executor(
                dispatch, slack_app.dispatch, bolt_request
            )
            return to_starlette_response(bolt_response)

        # A plain Starlette route, and the first: FastAPI's would have tried the API's
        # routes first and worked out the endpoint's dependencies on every request
        # (a quarter of the Python an ack ran; benchmarks/slack_ack.py --bare).
        web.router.routes.insert(
            0, Route("/slack/events", slack_events, methods=["POST"], include_in_schema=False)
        )

    elif slack_off is not None:

        @web.post("/slack/events", include_in_schema=False)
        def slack_events_off() -> JSONResponse:
            return JSONResponse({"error": slack_off}, status_code=503)

    web.add_middleware(SecurityHeaders)
    # Last added, so outermost: the body limit holds before any route or middleware.
    web.add_middleware(RequestEdge)
    return web


def tune_gc_for_serving() -> None:
    """Keep the collector off the long-lived objects and make it run less often.

    A request makes thousands of short-lived objects; with the default thresholds the
    collector runs every few requests and, now and then, walks everything the process
    holds (modules, the app, SQLAlchemy's caches) while every in-flight ack waits.
    Freezing what exists after start-up and raising the first threshold took the ack p99
    of benchmarks/slack_ack.py from ~130-155 ms to ~95-105 ms.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def app_from_environment() -> FastAPI:
    """The web app built from the environment: what each `serve --workers N` process runs."""
    from bot.app import create_app
    from bot.runtime import build_runtime
    from bot.settings import load_settings

    configure_logging()  # each worker process is new: `serve` set up only the first
    settings = load_settings()
    runtime = build_runtime(settings)
    off = slack_off_reason(settings)
    slack_app = None if off else create_app(settings, runtime=runtime, answer_process=True)
    web = create_web_app(runtime, slack_app, off)
    tune_gc_for_serving()
    return web
