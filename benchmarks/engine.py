"""Benchmark (not a test): alerts + summary over large catalogues vs a bare SQL floor.

    .venv/bin/python benchmarks/engine.py [--sizes 10000 100000] [--database-url URL]

For each size N it seeds N demo products into a fresh database (a temp SQLite file by
default), then reports the median of several runs of:
  - alerts(50) + summary(), the whole-catalogue reads behind `/stock alerts` and the digest;
  - the floor: a bare `GROUP BY`/`COUNT` over the same tables (products joined to offers);
  - bulk() of 1000 SKUs, with the number of SQL statements it issued;
and the peak Python memory (tracemalloc) of one alerts+summary call.
The demo catalogue carries sales per day for most products; `--transit-share` of them
(2% by default) also get a transfer marked done towards their first account, in transit.
Targets (issue 15): alerts+summary at 100k products with sales and in-transit data at most
1.5x the floor in the same run; bulk of 1000 SKUs in one query.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.engine.models import Rules
from bot.intake.seed import seed_demo
from bot.service import StockService
from storage.db import make_engine, make_session_factory, transaction, upgrade
from storage.models import Offer, TransferRecord
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


def bench(size: int, url: str | None, runs: int, transit_share: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(url or f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        sessions = make_session_factory(engine)
        now = datetime.now(UTC)
        service = StockService(sessions, Rules(), clock=lambda: now)
        started = time.perf_counter()
        seed_demo(sessions, now, service.rules, products=size)
        seeded = time.perf_counter() - started
        in_transit = mark_transits(sessions, now, service.rules, transit_share)

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
        reads = median_seconds(both, runs)
        floor_time = median_seconds(floor, runs)
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
            f"ratio {reads / floor_time:4.2f}x  peak {peak / 2**20:5.1f} MiB  "
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
