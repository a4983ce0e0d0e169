"""The Slack Web API clients stockbot posts with, and the pace it posts at."""

from __future__ import annotations

import threading
import time

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import ConfigError, Settings

# A 429 means Slack did not post: waiting it out (Retry-After) and sending again is safe.
RATE_LIMIT_RETRIES = 5


def make_web_client(settings: Settings, retries: int = 2, resend: bool = True) -> WebClient:
    """A WebClient on SLACK_API_URL that waits out 429s (Retry-After) and, with `resend`,
    retries 5xx and dropped connections `retries` times each.

    Without `resend` a 5xx or a lost answer is the caller's to settle: Slack may have
    posted the message anyway, and sending it again would post it twice."""
    if settings.slack_bot_token is None:
        raise ConfigError("SLACK_BOT_TOKEN is not set")
    handlers: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)]
    if resend:
        handlers += [
            ConnectionErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ]
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=handlers,
    )


class Pacer:
    """At most `rate` calls a second, however many threads ask: `wait()` before each.

    slack.md: chat.postMessage allows about one message a second per channel; keeping
    to it proactively means Slack's 429s (still honoured by the client) stay rare."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)
