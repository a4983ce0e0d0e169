"""Benchmark (not a test): alerts + summary over large catalogues vs bare SQL floors.

    .venv/bin/python benchmarks/engine.py [--sizes 10000 100000] [--database-url URL]

For each size N it seeds N demo products into a fresh database (a temp SQLite file by
default; a `--database-url` that already holds products is used as it is), then reports
the median of several runs of:
  - alerts(50) + summary(), the whole-catalogue reads behind `/stock alerts` and the
    dashboard, from a fresh service each run (nothing cached, the classification checked);
  - the floor: a bare `GROUP BY`/`COUNT` over the same tables (products joined to offers);
  - its own SQL: the statements one alerts+summary run sent, replayed on a bare DB-API
    cursor (what is left is SQLAlchemy, the engine's analysis of the 50 and the models);
  - bulk() of 1000 SKUs, with the number of SQL statements it issued;
and the peak Python memory (tracemalloc) of one alerts+summary call.
The demo catalogue carries sales per day for most products; `--transit-share` of them
(2% by default) also get a transfer marked done towards their first account, in transit.
Targets: issue 15, alerts+summary at 100k products with sales and in-transit data at most
1.5x the floor in the same run, bulk of 1000 SKUs in one query; issue 18, at most 1.3x the
floor at 100k and 1M, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.engine.models import Rules
from bot.intake.seed import seed_demo
from bot.service import StockService
from storage.db import make_engine, make_session_factory, transaction, upgrade
from storage.models import Offer, Product, TransferRecord
from storage.transits import refresh_totals

FLOOR_SQL = text(
    "SELECT o.account, COUNT(*), SUM(o.stock) FROM products p "
    "JOIN offers o ON o.product_id = p.id GROUP BY o.account"
)


def median_seconds(action: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def mark_transits(
    sessions: sessionmaker[Session], now: datetime, rules: Rules, share: float
) -> int:
    """Transfers marked done towards every 1/share-th product's MAIN offer, in one go."""
    with transaction(sessions) as session:
        ids = list(session.scalars(select(Offer.product_id).where(Offer.account == "main")))
        chosen = ids[:: max(1, round(1 / share))] if share > 0 else []
        session.execute(
            insert(TransferRecord),
            [
                {
                    "product_id": product_id,
                    "from_account": "fbe",
                    "to_account": "main",
                    "amount": 4,
                    "recorded_by": "bench",
                    "recorded_at": now,
                    "idempotency_key": f"bench:{product_id}",
                    "main_stock_written": False,
                    "stock_before": 0,
                    "status": "in_transit",
                }
                for product_id in chosen
            ],
        )
        refresh_totals(session, chosen, rules)
    return len(chosen)


def recorded_sql(engine: Engine, action: Callable[[], object]) -> Callable[[], None]:
    """The statements `action` sends, to replay on a bare DB-API cursor held open."""
    sent: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, *args):  # type: ignore[no-untyped-def]
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    raw = engine.raw_connection()  # held here: the pool must not take it back
    cursor = raw.cursor()

    def replay() -> None:
        for statement, parameters in sent:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        raw.rollback()  # as a connection's close does

    return replay


def bench(size: int, url: str | None, runs: int, transit_share: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(url or f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        sessions = make_session_factory(engine)
        now = datetime.now(UTC)
        service = StockService(sessions, Rules(), clock=lambda: now)
        with engine.connect() as connection:
            stored = connection.scalar(select(func.count()).select_from(Product)) or 0
        started = time.perf_counter()
        if stored:
            size, in_transit = stored, 0  # as it is: its transfers, if any, stay
        else:
            seed_demo(sessions, now, service.rules, products=size)
            in_transit = mark_transits(sessions, now, service.rules, transit_share)
        seeded = time.perf_counter() - started

        def both() -> None:
            # A fresh service each time: its cached counts must not carry over between
            # runs, only from the alerts to the summary of one run.
            fresh = StockService(sessions, service.rules, clock=lambda: now)
            fresh.alerts(50)
            fresh.summary()

        def floor() -> None:
            with engine.connect() as connection:
                connection.execute(FLOOR_SQL).all()

        both()  # warm caches once, as a running process would be
        own_sql = recorded_sql(engine, both)
        reads = median_seconds(both, runs)
        floor_time = median_seconds(floor, runs)
        own_time = median_seconds(own_sql, runs)
        tracemalloc.start()
        both()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        skus = [f"EMG{1000 + i}" for i in range(0, size, max(size // 1000, 1))][:1000]
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        bulk_time = median_seconds(lambda: service.bulk(skus), 1)
        print(
            f"{engine.dialect.name:10} N={size:>7}  seed {seeded:6.1f} s  "
            f"alerts+summary {reads * 1000:7.1f} ms  floor {floor_time * 1000:6.1f} ms  "
            f"ratio {reads / floor_time:4.2f}x  its own SQL {own_time * 1000:6.1f} ms "
            f"({reads / own_time:4.2f}x)  peak {peak / 2**20:5.1f} MiB  "
            f"bulk({len(skus)}) {bulk_time * 1000:6.1f} ms in {len(statements)} query; "
            f"{in_transit} products with units in transit"
        )
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database-url", help="an empty database (default: temp SQLite)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--transit-share", type=float, default=0.02)
    args = parser.parse_args()
    for size in args.sizes:
        bench(size, args.database_url, args.runs, args.transit_share)


if __name__ == "__main__":
    main()
