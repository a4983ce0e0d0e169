"""The real Slack surface over HTTP: the web app (create_app + create_web_app) served by
uvicorn on 127.0.0.1 in this process, the Slack stand-in, and a signed-request sender."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
import uvicorn

from bot import formats
from bot.app import create_app
from bot.intake.seed import seed_demo
from bot.runtime import Runtime
from bot.service import StockService
from bot.settings import load_settings
from bot.slack_standin import SlackStandin
from bot.slack_standin.requests import SlackSender
from bot.web.app import create_web_app
from storage.db import make_engine, make_session_factory
from tests.conftest import MANIFEST_SCOPES, NOW
from tests.databases import migrated_sqlite
from tests.fake_emag import FakeEmag

TOKEN = "xoxb-slack-tests"
SECRET = "signing-secret-for-tests"
ADMIN = "UADMIN"
PACE = 20  # posts a second, for the stand-in and the bot alike
T = TypeVar("T")


def wait_for(probe: Callable[[], T], timeout: float = 20.0) -> T:
    """Poll `probe` until it returns something truthy (the listener runs after the ack).

    The timeout only bounds a failure: on two loaded cores an answer that reads and
    writes eMAG took over 5 s to start (the ack deadline is asserted where it is meant)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            assert value, "timed out waiting for Slack traffic"
            return value
        time.sleep(0.02)


@dataclass
class Clock:
    now: Any

    def __call__(self) -> Any:
        return self.now


class ServedApp:
    def __init__(self, web: Any) -> None:
        config = uvicorn.Config(web, host="127.0.0.1", port=0, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        wait_for(lambda: self.server.started, timeout=10)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


@dataclass
class Bot:
    runtime: Runtime
    slack: SlackStandin
    sender: SlackSender
    url: str
    clock: Clock


def _bot(tmp_path: Any, settings_extra: dict[str, str], url: str | None = None) -> Iterator[Bot]:
    """The served app on `url` (a migrated database; a new SQLite file in tmp_path by
    default), demo-seeded."""
    url = url or migrated_sqlite(tmp_path / "slack.db")
    with SlackStandin(token=TOKEN, post_rate=PACE, scopes=MANIFEST_SCOPES) as slack:
        settings = load_settings(
            DATABASE_URL=url,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            STOCKBOT_ALERT_CHANNEL="CDIGEST",
            STOCKBOT_SLACK_POSTS_PER_SECOND=str(PACE),
            **settings_extra,
        )
        formats.activate(settings.language, settings.zone)
        engine = make_engine(url, settings.sqlite_busy_timeout_ms)
        sessions = make_session_factory(engine)
        clock = Clock(NOW)
        runtime = Runtime(
            settings, engine, sessions, StockService(sessions, settings.rules(), clock)
        )
        seed_demo(sessions, NOW, runtime.service.rules, 40)
        web = create_web_app(runtime, create_app(settings, runtime=runtime))
        with ServedApp(web) as app_url:
            sender = SlackSender(app_url, SECRET, slack)
            yield Bot(runtime, slack, sender, app_url, clock)
            sender.close()
        engine.dispose()


@pytest.fixture
def bot(tmp_path: Any) -> Iterator[Bot]:
    yield from _bot(tmp_path, {})


@pytest.fixture
def admin_bot(tmp_path: Any) -> Iterator[Bot]:
    yield from _bot(tmp_path, {"STOCKBOT_ADMINS": ADMIN})


@pytest.fixture
def romanian_bot(tmp_path: Any) -> Iterator[Bot]:
    yield from _bot(tmp_path, {"STOCKBOT_LANGUAGE": "ro"})


@pytest.fixture
def channel_bot(tmp_path: Any) -> Iterator[Bot]:
    yield from _bot(tmp_path, {"STOCKBOT_ALLOWED_CHANNELS": "CSTOCK,COPS"})


@pytest.fixture
def fake_emag() -> Iterator[FakeEmag]:
    with FakeEmag() as server:
        server.populate(20)
        yield server


@pytest.fixture
def emag_admin_bot(tmp_path: Any, fake_emag: FakeEmag) -> Iterator[Bot]:
    """Admins set and eMAG configured: marking a transfer done also writes MAIN stock."""
    settings: dict[str, str] = {"STOCKBOT_ADMINS": ADMIN, "EMAG_API_URL": fake_emag.url}
    for account in ("main", "fbe"):
        user, password = fake_emag.credentials(account)
        settings[f"EMAG_{account.upper()}_USERNAME"] = user
        settings[f"EMAG_{account.upper()}_PASSWORD"] = password
    yield from _bot(tmp_path, settings)
