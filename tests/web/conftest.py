"""The web app (REST API and dashboard) served by uvicorn on 127.0.0.1 over a seeded
SQLite database, with two API tokens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.intake.seed import seed_demo
from bot.runtime import Runtime
from bot.service import StockService
from bot.settings import load_settings
from bot.web.app import create_web_app
from storage.db import make_engine, make_session_factory
from tests.conftest import NOW
from tests.databases import migrated_sqlite
from tests.handlers.conftest import Clock, ServedApp

TOKENS = ("token-alpha", "token-beta")


@dataclass
class Served:
    url: str
    runtime: Runtime
    http: httpx.Client

    def auth(self, token: str = TOKENS[1]) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def serve(tmp_path: Any, products: int = 60, url: str | None = None) -> Iterator[Served]:
    """The web app without Slack on `url` (a migrated database; a new SQLite file in
    tmp_path by default)."""
    url = url or migrated_sqlite(tmp_path / "api.db")
    settings = load_settings(DATABASE_URL=url, STOCKBOT_API_TOKENS=",".join(TOKENS))
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    runtime = Runtime(
        settings, engine, sessions, StockService(sessions, settings.rules(), Clock(NOW))
    )
    seed_demo(sessions, NOW, runtime.service.rules, products)
    with (
        ServedApp(create_web_app(runtime)) as base,
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        yield Served(base, runtime, http)
    engine.dispose()


@pytest.fixture
def served(tmp_path: Any) -> Iterator[Served]:
    yield from serve(tmp_path)
