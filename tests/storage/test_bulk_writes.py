"""The bulk path of the import and the seed (plain rows written by the driver) leaves the
database exactly as the pydantic path (`upsert_snapshots`) leaves it: products, offers,
paces, classification, runs and history, batch after batch, over days of stock history.

The catalogue's version is only said to have moved: the bulk path classifies once per
transaction where the pydantic path does per batch, and no reader sees a version from
within a transaction."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.engine.models import Rules
from bot.intake import seed
from bot.intake.csv_dialect import CsvDialect
from bot.intake.csv_import import OfferStream
from bot.intake.demo_data import emg331, generated_catalogue
from storage.db import make_engine, make_session_factory, upgrade
from storage.models import (
    AlertRecord,
    CatalogueState,
    DailyStats,
    Offer,
    Product,
    ProductStatus,
    SnapshotRun,
    StockDay,
)
from storage.plain_rows import snapshots
from tests.conftest import NOW, _fresh_pg_database

RULES = Rules()
TABLES = (Product, Offer, ProductStatus, SnapshotRun, AlertRecord, DailyStats, StockDay)
HEADER = "sku,account,stock,number_of_offers,buy_button_rank,pnk,ean,name,category,"
HEADER += "sale_price,status,offer_id,last_sent_at,sales_30d\n"


def _value(value: object) -> object:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def dump(sessions: sessionmaker[Session]) -> dict[str, list[tuple]]:
    """Every row of the snapshot and history tables, as the models read them."""
    found = {}
    with sessions() as session:
        for model in TABLES:
            columns = model.__table__.columns
            if model is AlertRecord:
                # PostgreSQL numbers the records of one INSERT ... SELECT in its plan's order.
                columns = [column for column in columns if column.name != "id"]
            rows = session.execute(select(*columns))
            found[model.__tablename__] = sorted(
                (tuple(_value(v) for v in row) for row in rows), key=repr
            )
    return found


def version(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(CatalogueState.version)) or 0


@pytest.fixture
def reference(db_url: str, tmp_path: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A second empty database on the same backend, for the pydantic path."""
    drop = None
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'reference.db'}"
    else:
        url, drop = _fresh_pg_database(request.getfixturevalue("pg_server_url"))
    engine = make_engine(url)
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()
    if drop:
        drop()


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seed, "WRITE_BATCH", 64)


def _csv(day: int) -> str:
    """Rows of demo SKUs (other case, other spacing) and new ones; a SKU's two rows
    far apart (other batches); a few values only the full checks read."""
    lines = [HEADER]
    for index in range(150):
        sku = f"emg{1000 + index * 3}" if index % 2 else f"NEW{index}"
        stock = (index * 7 + day) % 40 if day != 1 else 0
        rank = "" if index % 3 else str(index % 4 + 1)
        price = f"{19 + index}.{index % 100:02d}" if index % 5 else f" {index}.123456 "
        sold = "" if index % 7 == 0 else str(index % 25)
        category = "Audio" if index % 4 == 0 else ""
        sent = "" if index % 6 == 0 else f"2026-11-{10 + index % 15}T09:00:00+00:00"
        for account in ("main", "FBE") if index % 10 else ("fbe",):
            lines.append(
                f"{sku},{account},{stock},{index % 5},{rank},pnk{index},59400{index},"
                f"Name {index},{category},{price},{index % 3},{index + 1},{sent},{sold}\n"
            )
    lines.append("LATE1,main, 12 ,2\n")  # short: fewer columns given
    lines.insert(40, "NEW0,main,3,2,,,,,,,,,,\n")
    return "".join(lines)


def _import(sessions: sessionmaker[Session], text: str, day: int, bulk: bool) -> None:
    now = NOW + timedelta(days=day)
    with OfferStream(io.StringIO(text, newline=""), now, CsvDialect()) as stream:
        batches = stream.batches(50)
        if not bulk:
            batches = (snapshots(batch) for batch in batches)  # type: ignore[assignment]
        seed.store_batches(sessions, batches, "csv", now, RULES, before_commit=stream.check)


def test_seed_and_imports_leave_what_the_pydantic_path_leaves(sessions, reference, small_batches):  # type: ignore[no-untyped-def]
    seed.seed_demo(sessions, NOW, RULES, 300)
    catalogue = itertools.chain([emg331(NOW)], generated_catalogue(300, NOW))
    seed.store_snapshots(reference, catalogue, "demo", NOW, RULES)
    assert dump(sessions) == dump(reference)
    for day in range(4):
        text = _csv(day)
        versions = version(sessions), version(reference)
        _import(sessions, text, day, bulk=True)
        _import(reference, text, day, bulk=False)
        assert dump(sessions) == dump(reference), day
        assert version(sessions) > versions[0] and version(reference) > versions[1]
    with sessions() as session:
        paces = session.scalars(select(Offer.sales_velocity).where(Offer.sales_velocity > 0))
        assert len(paces.all()) > 100


def test_seeding_twice_with_bulk_rows_changes_nothing(sessions, small_batches):  # type: ignore[no-untyped-def]
    seed.seed_demo(sessions, NOW, RULES, 200)
    before, first = dump(sessions), version(sessions)
    seed.seed_demo(sessions, NOW, RULES, 200)
    after = dump(sessions)
    assert after.pop("snapshot_runs") != before.pop("snapshot_runs")
    assert version(sessions) > first
    assert after == before
