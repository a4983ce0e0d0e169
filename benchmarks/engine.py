"""Benchmark (not a test): alerts + summary over large catalogues vs bare SQL floors.

    .venv/bin/python benchmarks/engine.py [--sizes 10000 100000] [--database-url URL]

For each size N it seeds N demo products into a fresh database (a temp SQLite file by
default; a `--database-url` that already holds products is used as it is), then reports
the median of several runs of:
  - alerts(50) + summary(), the whole-catalogue reads behind `/stock alerts` and the
    dashboard, from a fresh service each run (nothing cached, the classification checked);
  - the floor: the same answer in bare SQL on one connection (checked to be the same):
    the counts in one scan of the stored classification, the page in index order, the
    50 products with their offers, the newest runs; no analysis, no check;
  - its own SQL: the statements one alerts+summary run sent, replayed on a bare DB-API
    cursor (what is left is SQLAlchemy, the engine's analysis of the 50 and the models);
  - the join floor (before issue 18's PostgreSQL work): a `GROUP BY` of the products
    joined to their offers, a different question, kept for comparison;
  - bulk() of 1000 SKUs, with the number of SQL statements it issued;
and the peak Python memory (tracemalloc) of one alerts+summary call. The timings
(all four) are taken in turn, run by run, so the machine's load weighs on each alike.
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
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, bindparam, event, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.engine.models import Rules
from bot.intake.seed import seed_demo
from bot.service import StockService
from storage.classifier import epoch_of
from storage.db import make_engine, make_session_factory, transaction, upgrade
from storage.models import Offer, Product, TransferRecord
from storage.queries import skus_by_ids
from storage.transits import refresh_totals

# Before issue 18's second half: a GROUP BY over the products joined to their offers, a
# different (and dearer) question than the answer's; still printed, for comparison.
JOIN_FLOOR_SQL = text(
    "SELECT o.account, COUNT(*), SUM(o.stock) FROM products p "
    "JOIN offers o ON o.product_id = p.id GROUP BY o.account"
)
# The floor: the same answer as alerts(50) + summary from the same tables, by hand. The
# counts in one scan of the stored classification, the page as four walks of its index,
# the 50 products with their offers and snoozes, the newest runs: what alerts+summary
# must at least do (it also checks that the classification is current; this trusts it).
FLOOR_COUNTS = text(
    "SELECT count(*), count(*) FILTER (WHERE stock_rank = 3), "
    "count(*) FILTER (WHERE stock_rank = 2), count(*) FILTER (WHERE stock_rank = 1 OR "
    "(stock_rank = 0 AND (oldest_due <= :now OR sellers_until > :now))), "
    "count(*) FILTER (WHERE zero = 1), count(*) FILTER (WHERE oldest_due <= :now), "
    "sum(lost_sales), count(*) FILTER (WHERE listed_main = 1), "
    "count(*) FILTER (WHERE listed_main = 1 AND due_main > :now), "
    "count(*) FILTER (WHERE listed_fbe = 1), "
    "count(*) FILTER (WHERE listed_fbe = 1 AND due_fbe > :now), "
    "max(read_main), max(read_fbe) FROM product_status"
)
_RANK_WALK = (
    "SELECT * FROM (SELECT product_id, {priority} AS priority, lost_sales, sku "
    "FROM product_status WHERE stock_rank = {rank}{due} "
    "ORDER BY lost_sales DESC, sku LIMIT :n) AS r{rank}"
)
FLOOR_PAGE = text(
    "SELECT product_id FROM ("
    + " UNION ALL ".join(
        _RANK_WALK.format(
            priority=rank or 1,
            rank=rank,
            due=" AND (oldest_due <= :now OR sellers_until > :now)" if rank == 0 else "",
        )
        for rank in (3, 2, 1, 0)
    )
    + ") AS page ORDER BY priority DESC, lost_sales DESC, sku LIMIT :n"
)
FLOOR_PRODUCTS = text(
    "SELECT p.*, m.*, f.*, s.until, s.created_by FROM products p "
    "LEFT JOIN offers m ON m.product_id = p.id AND m.account = 'main' "
    "LEFT JOIN offers f ON f.product_id = p.id AND f.account = 'fbe' "
    "LEFT JOIN snoozes s ON s.product_id = p.id WHERE p.id IN :ids"
).bindparams(bindparam("ids", expanding=True))
FLOOR_RUNS = text(
    "SELECT * FROM snapshot_runs WHERE id IN (SELECT max(id) FROM snapshot_runs GROUP BY account)"
)


def median_seconds(*actions: Callable[[], object], runs: int) -> list[float]:
    """Each action's median time, the actions taken in turn each run (so a load that
    comes and goes on the machine weighs on all of them alike)."""
    timings: list[list[float]] = [[] for _ in actions]
    for _ in range(runs):
        for action, taken in zip(actions, timings, strict=True):
            started = time.perf_counter()
            action()
            taken.append(time.perf_counter() - started)
    return [statistics.median(taken) for taken in timings]


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


def same_answer(service: StockService, floor: list[Any]) -> None:
    """The floor's counts and page are alerts(50)'s and summary()'s, or it is no floor."""
    (products, high, medium, low, zero, due, lost, *accounts), ids = floor
    summary, report = service.summary(), service.alerts(50)
    listed = [summary.accounts[a] for a in ("main", "fbe")]
    ours = [summary.products_tracked, summary.high, summary.medium, summary.low]
    ours += [summary.zero_stock_with_competition, summary.needs_weekly_update]
    wanted = [products, high, medium, low, zero, due]
    ours += [a.listed_offers for a in listed] + [a.offers_sent_within_week for a in listed]
    wanted += [accounts[0], accounts[2], accounts[1], accounts[3]]
    assert ours == wanted, (ours, wanted)
    assert round(Decimal(lost), 2) == summary.estimated_lost_sales_per_day
    with service.sessions() as session:
        skus = skus_by_ids(session, ids)
    assert [alert.sku for alert in report.alerts] == [skus[i] for i in ids]


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

        def floor() -> list[Any]:
            values = {"now": epoch_of(now), "n": 50}
            with engine.connect() as connection:
                counts = connection.execute(FLOOR_COUNTS, values).one()
                ids = list(connection.execute(FLOOR_PAGE, values).scalars())
                connection.execute(FLOOR_PRODUCTS, {"ids": ids}).all()
                connection.execute(FLOOR_RUNS).all()
            return [counts, ids]

        def join_floor() -> None:
            with engine.connect() as connection:
                connection.execute(JOIN_FLOOR_SQL).all()

        both()  # warm caches once, as a running process would be
        same_answer(service, floor())
        own_sql = recorded_sql(engine, both)
        reads, floor_time, own_time, join_time = median_seconds(
            both, floor, own_sql, join_floor, runs=runs
        )
        tracemalloc.start()
        both()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        skus = [f"EMG{1000 + i}" for i in range(0, size, max(size // 1000, 1))][:1000]
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        (bulk_time,) = median_seconds(lambda: service.bulk(skus), runs=1)
        print(
            f"{engine.dialect.name:10} N={size:>7}  seed {seeded:6.1f} s  "
            f"alerts+summary {reads * 1000:7.1f} ms  floor {floor_time * 1000:6.1f} ms  "
            f"ratio {reads / floor_time:4.2f}x  its own SQL {own_time * 1000:6.1f} ms "
            f"({reads / own_time:4.2f}x)  join floor {join_time * 1000:6.1f} ms "
            f"({reads / join_time:4.2f}x)  peak {peak / 2**20:5.1f} MiB  "
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
