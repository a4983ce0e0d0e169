"""Fixtures for the sync tests: a fake eMAG over real HTTP, a migrated database, a runtime
whose settings point at both, and fast clients (no rate limit, millisecond retries)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.cli.main import main
from bot.emag.client import EmagClient, EmagClients
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from tests.emag.conftest import fast_retry, unlimited
from tests.fake_emag import FakeEmag

MakeClients = Callable[..., EmagClients]


@pytest.fixture
def fake() -> Iterator[FakeEmag]:
    with FakeEmag() as server:
        yield server


def settings_for(fake: FakeEmag, db_url: str, **overrides: object) -> Settings:
    main_user, main_password = fake.credentials("main")
    fbe_user, fbe_password = fake.credentials("fbe")
    return Settings(
        database_url=db_url,
        emag_api_url=fake.url,
        emag_main_username=main_user,
        emag_main_password=main_password,
        emag_fbe_username=fbe_user,
        emag_fbe_password=fbe_password,
        **overrides,
    )


@pytest.fixture
def env(fake: FakeEmag, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings in the environment as a deployment has them, for `stockbot` commands."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("EMAG_API_URL", fake.url)
    for account in ("main", "fbe"):
        user, password = fake.credentials(account)
        monkeypatch.setenv(f"EMAG_{account.upper()}_USERNAME", user)
        monkeypatch.setenv(f"EMAG_{account.upper()}_PASSWORD", password)
    if db_url.startswith("postgresql"):
        assert main(["db", "upgrade"]) == 0


@pytest.fixture
def runtime(fake: FakeEmag, db_url: str) -> Iterator[Runtime]:
    built = build_runtime(settings_for(fake, db_url))
    yield built
    built.engine.dispose()


@pytest.fixture
def make_clients(fake: FakeEmag) -> Iterator[MakeClients]:
    """Both accounts' clients for `fake` (or `server=`); fast unless told otherwise."""
    made: list[EmagClient] = []

    def make(*, server: FakeEmag | None = None, **options: object) -> EmagClients:
        server = server or fake
        options.setdefault("retry", fast_retry())
        pair = []
        for account in ("main", "fbe"):
            per_account = dict(options)
            per_account.setdefault("limiters", unlimited())
            client = EmagClient(account, server.url, *server.credentials(account), **per_account)
            made.append(client)
            pair.append(client)
        return EmagClients(*pair)

    yield make
    for client in made:
        client.close()


@pytest.fixture
def clients(make_clients: MakeClients) -> EmagClients:
    return make_clients()
