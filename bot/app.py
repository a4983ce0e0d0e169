"""The Bolt app: `create_app(settings, client=None)` wires the Slack listeners to the
process's runtime and its pools. Nothing runs at import time.

Three kinds of threads serve Slack: the request's own (web/app.py's dispatch pool, or
Socket Mode's) verifies, parses and acks; Bolt's small I/O pool runs the lazy listeners'
quick front (opening a modal while its trigger_id is fresh, queueing the answer); the
answer pool, bounded to the cores, does the database and CPU work. With
`answer_process` (what `serve` runs), `/stock`'s answers are worked out in a process of
their own (handlers/command_process.py), so they never hold this one's interpreter."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime, build_runtime
from bot.settings import ConfigError, Settings
from bot.slack_client import make_web_client
from bot.slack_pools import AnswerPool
from handlers import register_handlers
from handlers.command_process import CommandProcess

log = logging.getLogger("stockbot.slack")
# Bolt's pool for the lazy listeners' fronts: Slack calls and queueing, no database work.
IO_THREADS = 8


class _QuietBolt(logging.Filter):
    """Bolt lines stockbot leaves out of its log.

    - "`token` will be unused": Bolt warns that SLACK_BOT_TOKEN in the environment is
      unused when it is given the client built from that same token; nothing is wrong.
    - "Invalid request signature detected (... body: ...)" and "Unhandled request (...)"
      print the request body, which may be anyone's 100 MB; the web edge logs each
      request's id, route, status and size instead (bot/web/edge.py).

    Bolt copies its base logger's filters onto the loggers of its parts, so this one
    filter reaches the request-verification middleware's logger too.
    """

    DROPPED = ("`token` will be unused", "Invalid request signature", "Unhandled request")

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not any(part in message for part in self.DROPPED)


log.addFilter(_QuietBolt())


def create_app(
    settings: Settings,
    client: WebClient | None = None,
    runtime: Runtime | None = None,
    socket_mode: bool = False,
    answer_process: bool = False,
) -> App:
    """A Bolt App for HTTP mode (signing secret required) or Socket Mode (app token).
    With `answer_process`, `/stock` is answered in a process of its own
    (handlers/command_process.py), built from `settings` rather than from `runtime`."""
    if socket_mode:
        if settings.slack_app_token is None:
            raise ConfigError("SLACK_APP_TOKEN is not set (Socket Mode needs it)")
    elif settings.slack_signing_secret is None:
        raise ConfigError("SLACK_SIGNING_SECRET is not set (HTTP mode needs it)")
    client = client or make_web_client(settings)
    runtime = runtime or build_runtime(settings)
    try:
        client.auth_test()
    except SlackApiError as exc:
        # A bad token fails at start, naming the setting and never its value.
        reason = exc.response.get("error", "refused")
        raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack: {reason}") from None
    except OSError as exc:
        raise ConfigError(f"SLACK_API_URL is unreachable: {type(exc).__name__}") from None
    app = _bolt_app(client, settings, socket_mode)
    answers = AnswerPool(settings.answer_threads, settings.busy_notice_seconds)

    app.use(_ProvideRuntime(runtime, answers))

    @app.error
    def report_error(error: Exception, body: dict[str, Any]) -> None:
        log.error(
            "listener failed: %s (%s)", type(error).__name__, body.get("type"), exc_info=error
        )

    register_handlers(app, CommandProcess(settings) if answer_process else None)
    return app


class _ProvideRuntime(Middleware):
    """Puts the runtime and the answer pool in every request's context. A Middleware
    object, which Bolt calls as it is, where a middleware function has its arguments
    worked out from its signature on every request (a sixth of an ack's time in Bolt)."""

    def __init__(self, runtime: Runtime, answers: AnswerPool) -> None:
        self._runtime, self._answers = runtime, answers

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        req.context["runtime"] = self._runtime
        req.context["answers"] = self._answers
        return next()


def _bolt_app(client: WebClient, settings: Settings, socket_mode: bool) -> App:
    secret = settings.slack_signing_secret
    return App(
        client=client,
        signing_secret=secret.get_secret_value() if secret else "",
        request_verification_enabled=not socket_mode,
        # create_app has checked the token; Bolt checks it again here, once, so that it
        # never calls auth.test while dispatching (a slash command is dispatched on the
        # web process's event loop, which must not wait on Slack).
        token_verification_enabled=True,
        raise_error_for_unhandled_request=False,
        # Ack in the request's own thread, then run the lazy work (handlers/__init__).
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(IO_THREADS, thread_name_prefix="slack-io"),
        logger=log,
    )
