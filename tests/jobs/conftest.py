"""Fixtures for digest runs: a runtime with a settable clock, and the Slack stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from bot.engine.models import ProductSnapshot
from bot.intake.seed import store_snapshots
from bot.runtime import Runtime
from bot.service import StockService
from bot.settings import load_settings
from bot.slack_client import make_web_client
from bot.slack_standin import SlackStandin
from storage.db import make_engine, make_session_factory
from tests.conftest import MANIFEST_SCOPES, NOW

CHANNEL = "C0DIGEST"
TOKEN = "xoxb-test-token"
# Tests post at 20 a second against a stand-in held to the same rate (Slack's is 1/s:
# tests/jobs/test_digest_pace.py checks that one).
PACE = 20


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def slack() -> Iterator[SlackStandin]:
    with SlackStandin(token=TOKEN, post_rate=PACE, scopes=MANIFEST_SCOPES) as standin:
        yield standin


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def runtime(db_url: str, slack: SlackStandin, clock: Clock) -> Iterator[Runtime]:
    settings = load_settings(
        DATABASE_URL=db_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=slack.api_url,
        STOCKBOT_ALERT_CHANNEL=CHANNEL,
        STOCKBOT_SLACK_POSTS_PER_SECOND=PACE,
    )
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    yield Runtime(settings, engine, sessions, StockService(sessions, settings.rules(), clock))
    engine.dispose()


@pytest.fixture
def client(runtime: Runtime):  # type: ignore[no-untyped-def]
    """The client the digest posts with: no blind resend of a lost post."""
    return make_web_client(runtime.settings, retries=1, resend=False)


def store(runtime: Runtime, products: list[ProductSnapshot], now: datetime) -> None:
    store_snapshots(runtime.sessions, products, "csv", now, runtime.service.rules)
