"""Benchmark (not a test): `analyze` by SKU, PNK and EAN against the bare SQL of its lookup.

    .venv/bin/python benchmarks/analyze.py [--products 100000] [--database-url URL] [--lookups 2000]

Seeds `--products` demo products into a temp SQLite file (or uses `--database-url`, seeded
with them first when it has no products yet), then, for `--lookups` products picked at
random and each kind of key, reports the p50 (and p90) of:
  - StockService.analyze(key), what `/stock analyze`, the API and the CLI call;
  - its lookup alone, StockService.snapshot(key);
  - the floor: the same SQL statement on the raw DB-API cursor, rows fetched, no
    SQLAlchemy, no session, no models, in the same run;
and the ratio of analyze to the floor.
Target (issue 18): analyze p50 at most 0.3 ms at 1M products.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from bot.engine.models import Rules
from bot.intake.seed import seed_demo
from bot.service import StockService
from storage.db import make_engine, make_session_factory, upgrade
from storage.models import Product
from storage.snapshot_rows import BY_KEY


def percentiles(action: Callable[[str], object], keys: list[str]) -> tuple[float, float]:
    """p50 and p90 of `action(key)` over the keys, in milliseconds."""
    timings = []
    for key in keys:
        started = time.perf_counter()
        action(key)
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=10)
    return statistics.median(timings), cuts[8]


def bare_lookup(engine: Engine) -> Callable[[str], object]:
    """The lookup's own SQL, compiled once, run on a DB-API cursor held open."""
    compiled = BY_KEY.compile(dialect=engine.dialect)
    sql = compiled.string
    raw = engine.raw_connection()  # held here: the pool must not take it back
    cursor = raw.cursor()

    def run(key: str) -> object:
        values = compiled.construct_params({"key": key})
        params: Any = (
            tuple(values[name] for name in compiled.positiontup or ())
            if compiled.positional
            else values
        )
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        raw.rollback()  # as a connection's close does
        return rows

    return run


def keys_of(engine: Engine, count: int) -> dict[str, list[str]]:
    """SKUs, PNKs and EANs of `count` products picked at random (one seed, every run)."""
    with engine.connect() as connection:
        top = connection.scalar(select(func.max(Product.id))) or 0
        picked = random.Random(18).sample(range(1, top + 1), min(count, top))
        rows = connection.execute(
            select(Product.sku, Product.pnk, Product.ean).where(Product.id.in_(picked))
        ).all()
    return {
        "sku": [row.sku for row in rows],
        "pnk": [row.pnk for row in rows if row.pnk],
        "ean": [row.ean for row in rows if row.ean],
    }


def bench(url: str, products: int, lookups: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    now = datetime.now(UTC)
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(Product)) or 0
    seeded = 0.0
    if stored == 0:
        started = time.perf_counter()
        stored = seed_demo(sessions, now, Rules(), products=products)["products"]
        seeded = time.perf_counter() - started
    service = StockService(sessions, Rules(), clock=lambda: now)
    floor = bare_lookup(engine)
    by_kind = keys_of(engine, lookups)
    for keys in by_kind.values():  # warm the caches and the pages once
        for key in keys[:200]:
            service.analyze(key)
            floor(key)
    print(f"{engine.dialect.name} N={stored} (seeded in {seeded:.1f} s), {lookups} lookups")
    for kind, keys in by_kind.items():
        analyze = percentiles(service.analyze, keys)
        lookup = percentiles(service.snapshot, keys)
        bare = percentiles(floor, keys)
        print(
            f"  analyze by {kind:3}  p50 {analyze[0]:6.3f} ms (p90 {analyze[1]:6.3f})  "
            f"lookup p50 {lookup[0]:6.3f} ms  floor p50 {bare[0]:6.3f} ms (p90 {bare[1]:6.3f})"
            f"  ratio {analyze[0] / bare[0]:5.1f}x"
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a temp SQLite file, seeded here")
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        bench(url, args.products, args.lookups)


if __name__ == "__main__":
    main()
