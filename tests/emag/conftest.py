"""Fixtures for the eMAG client tests: a fake eMAG on 127.0.0.1:0 and clients pointed at it."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest

from bot.emag.client import EmagClient
from bot.emag.ratelimit import FAMILY_LIMITS, AccountLimiters, Window
from bot.emag.retry import RetryPolicy
from tests.fake_emag import FakeEmag

MakeClient = Callable[..., EmagClient]


def fast_retry(attempts: int = 4) -> RetryPolicy:
    """The real backoff schedule, scaled down so a retry run lasts milliseconds."""
    return RetryPolicy(attempts=attempts, base=0.02, cap=0.2, rng=random.Random(0))


def unlimited() -> AccountLimiters:
    """For tests not about rate limits: eMAG's real budget would make them slow."""
    return AccountLimiters({family: (Window(10_000, 1.0),) for family in FAMILY_LIMITS})


@pytest.fixture
def fake() -> Iterator[FakeEmag]:
    with FakeEmag() as server:
        yield server


@pytest.fixture
def limited_fake() -> Iterator[FakeEmag]:
    """A fake enforcing eMAG's rate limits (3/s and 180/min for offers)."""
    with FakeEmag(rate_limits=True) as server:
        yield server


@pytest.fixture
def make_client(fake: FakeEmag) -> Iterator[MakeClient]:
    """Build clients for `fake` (or `server=`), closed at the end of the test."""
    clients: list[EmagClient] = []

    def make(account: str = "main", *, server: FakeEmag | None = None, **options) -> EmagClient:
        server = server or fake
        username, password = options.pop("credentials", server.credentials(account))
        options.setdefault("retry", fast_retry())
        options.setdefault("limiters", unlimited())
        client = EmagClient(account, server.url, username, password, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
