"""A first load into an empty catalogue makes its indexes again at the end (SQLite drops
them for the load): after it they are all there, and a load that fails leaves them,
and the empty catalogue, as they were."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from bot.engine.models import Rules
from bot.intake import seed
from storage.models import Product, ProductStatus
from tests.conftest import NOW

TABLES = ("products", "offers", "product_status", "plan_entries", "alert_records")


def indexes(sessions: sessionmaker[Session]) -> dict[str, list[str]]:
    found = inspect(sessions.kw["bind"])
    return {table: sorted(index["name"] for index in found.get_indexes(table)) for table in TABLES}


class Refused(Exception):
    pass


def test_a_failed_first_load_leaves_the_indexes_and_nothing_else(sessions) -> None:  # type: ignore[no-untyped-def]
    before = indexes(sessions)
    assert before["product_status"], before

    def refuse() -> None:
        raise Refused

    batches = seed.demo_batches(NOW, 50)
    with pytest.raises(Refused):
        seed.store_batches(sessions, batches, "demo", NOW, Rules(), before_commit=refuse)
    assert indexes(sessions) == before
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Product)) == 0


def test_a_first_load_ends_with_every_index_and_row(sessions) -> None:  # type: ignore[no-untyped-def]
    before = indexes(sessions)
    seed.seed_demo(sessions, NOW, Rules(), 50)
    assert indexes(sessions) == before
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProductStatus)) == 51
