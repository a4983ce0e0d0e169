"""Shared fixtures: databases on SQLite and on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot import formats
from bot.engine.models import Rules
from bot.service import StockService
from storage.db import make_engine, make_session_factory
from tests.databases import migrate, migrated_sqlite
from tests.pgcluster import ClusterUnavailable, start_cluster

NOW = datetime(2026, 11, 25, 9, 7, 42, tzinfo=UTC)
MANIFEST = yaml.safe_load((Path(__file__).parent.parent / "manifest.yml").read_text())
# The bot token's scopes as the manifest asks for them: the stand-in refuses the rest.
MANIFEST_SCOPES = set(MANIFEST["oauth_config"]["scopes"]["bot"])


@pytest.fixture(autouse=True)
def _english_in_utc() -> Iterator[None]:
    # Every runtime a test builds sets the process's language and zone; the next test
    # starts from the defaults again.
    formats.activate("en", ZoneInfo("UTC"))
    yield
    formats.activate("en", ZoneInfo("UTC"))


def pytest_configure(config: pytest.Config) -> None:
    # The eMAG call log of every test run (and its subprocesses) goes to a temp folder,
    # never into the checkout.
    folder = tempfile.mkdtemp(prefix="stockbot-emag-calls-")
    os.environ.setdefault("EMAG_CALL_LOG", os.path.join(folder, "emag-calls.log"))


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A PostgreSQL server: STOCKBOT_TEST_PG_URL, else a cluster started for this run.

    In CI a server that cannot start fails the tests; elsewhere they are skipped.
    """
    given = os.environ.get("STOCKBOT_TEST_PG_URL")
    if given:
        yield given
        return
    try:
        cluster = start_cluster()
    except ClusterUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield cluster.url
    finally:
        cluster.stop()


def _fresh_pg_database(server_url: str, template: str | None = None) -> tuple[str, callable]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    copied = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    url = server_url.rsplit("/", 1)[0] + f"/{name}"

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


# Each PostgreSQL test database is a TEMPLATE copy of one migrated once per run (per
# xdist worker); SQLite files are copies too (tests/databases.py).
@pytest.fixture(scope="session")
def _pg_migrated(pg_server_url: str) -> Iterator[str]:
    url, drop = _fresh_pg_database(pg_server_url)
    migrate(url)
    yield url.rsplit("/", 1)[1]
    drop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty, migrated database: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = migrated_sqlite(tmp_path / "stockbot.db")
        drop = None
    else:
        template = request.getfixturevalue("_pg_migrated")
        url, drop = _fresh_pg_database(request.getfixturevalue("pg_server_url"), template)
    yield url
    if drop:
        drop()


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def service(sessions: sessionmaker[Session]) -> StockService:
    return StockService(sessions, Rules(), clock=lambda: NOW)


CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialing out of this closed
# network; --no-sandbox because CI runs as root.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required in CI (Debian package chromium)")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()
