"""Benchmark (not a test): a full eMAG sync against the fake enforcing eMAG's real limits.

    .venv/bin/python benchmarks/sync.py [--sizes 2000 10000] [--database-url URL]

For each size N the fake eMAG (in this process, on 127.0.0.1) holds N offers on MAIN and
N on FBE plus 30 days of orders (`--order-lines` lines per account), and enforces eMAG's
budgets (3 requests/s and 180/min per account for offers, 12/s and 720/min for orders).
The clients use their real rate limiters. It reports:
  - wall time of `sync_accounts` (read both accounts concurrently + store) against the
    floor the documented limits allow: per account the offer requests (the count, the
    pages, and the empty page that ends a catalogue of exactly k*100 offers) at 3/s, and
    at the same time the order pages (100 a page, then an empty one) at 12/s; the two
    accounts in parallel;
  - requests sent per account and family, and how many got a 429;
  - peak Python memory (tracemalloc), in a second pass without rate limits: of the read
    and store (should not grow with N), then of the catalogue-wide history update.
Target (issue 13): within 1.15x of the floor, zero 429s, memory flat in catalogue size.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from bot.emag.client import ORDERS_PAGE_SIZE, PAGE_SIZE, EmagClient
from bot.emag.ratelimit import FAMILY_LIMITS, AccountLimiters, Window
from bot.emag.sync import read_and_store, sync_accounts
from bot.runtime import build_runtime
from bot.settings import Settings
from storage.db import transaction
from storage.history import record_history
from tests.fake_emag import ACCOUNTS, FakeEmag
from tests.fake_emag.server import DEFAULT_LIMITS


def offer_requests(n: int) -> int:
    """`product_offer/count`, the full pages, then a short or an empty one."""
    return 1 + n // PAGE_SIZE + 1


def order_requests(orders: int) -> int:
    """Pages of 100 orders, then the empty page that ends the read."""
    return orders // ORDERS_PAGE_SIZE + 1


def _window_floor(requests: int, family: str) -> float:
    per_second, per_minute = (limit for limit, _ in DEFAULT_LIMITS[family])
    return max((requests - per_second) / per_second, (requests // per_minute) * 60.0, 0.0)


def floor_seconds(offers: int, orders: int) -> float:
    """The slower of the two families of one account (both accounts run in parallel)."""
    return max(
        _window_floor(offer_requests(offers), "offers"),
        _window_floor(order_requests(orders), "orders"),
    )


def _clients(fake: FakeEmag, limiters: object = None) -> list[EmagClient]:
    options = {} if limiters is None else {"limiters": limiters}
    return [
        EmagClient(account, fake.url, *fake.credentials(account), **options) for account in ACCOUNTS
    ]


def _unlimited() -> AccountLimiters:
    return AccountLimiters({family: (Window(1_000_000, 1.0),) for family in FAMILY_LIMITS})


def _orders(fake: FakeEmag) -> tuple[int, int]:
    """Orders and lines of the busier account."""
    counts = [fake.order_totals(account) for account in ACCOUNTS]
    return max(counts)


def timed(size: int, url: str | None, orders_per_day: float, folder: str) -> None:
    """Wall time, requests and 429s against the fake enforcing eMAG's limits."""
    with FakeEmag(rate_limits=True) as fake:
        fake.populate(size)
        fake.populate_orders(days=30, per_day=orders_per_day)
        orders, lines = _orders(fake)
        runtime = build_runtime(Settings(database_url=url or f"sqlite:///{folder}/timed.db"))
        clients = _clients(fake)  # the real limiters: 3/s and 180/min per account
        started = time.perf_counter()
        report = sync_accounts(runtime, clients, datetime.now(UTC))
        wall = time.perf_counter() - started
        for client in clients:
            client.close()
        runtime.engine.dispose()
        floor = floor_seconds(size, orders)
        requests = Counter((r.account, r.path.split("/")[0]) for r in fake.requests())
        throttled = sum(fake.throttled(account) for account in ACCOUNTS)
    print(
        f"== 2 x {size:,} offers and up to {orders:,} orders ({lines:,} lines) per account, "
        "fake eMAG enforcing eMAG's limits"
    )
    for result in report.accounts:
        print(
            f"  {result.account.upper()}: {result.status}, {result.offers:,} offers, "
            f"{result.pages} pages, read+stored in {result.seconds:.2f} s"
            + (f" - {result.error}" if result.error else "")
        )
    print(
        f"  wall {wall:.2f} s vs floor {floor:.2f} s ({offer_requests(size)} offer requests "
        f"at 3/s beside {order_requests(orders)} order pages at 12/s, accounts in parallel): "
        f"{wall / floor:.3f}x"
    )
    print(
        "  requests: "
        + ", ".join(f"{a.upper()} {family} {n}" for (a, family), n in sorted(requests.items()))
        + f"; total {sum(requests.values())}; 429s: {throttled}"
    )


def memory(size: int, url: str | None, orders_per_day: float, folder: str) -> None:
    """Peak Python memory of the read+store, then of the history update (no rate limit:
    memory does not depend on pacing, and tracemalloc slows everything down)."""
    with FakeEmag() as fake:
        fake.populate(size)
        fake.populate_orders(days=30, per_day=orders_per_day)
        runtime = build_runtime(Settings(database_url=url or f"sqlite:///{folder}/memory.db"))
        clients = _clients(fake, _unlimited())
        now = datetime.now(UTC)
        tracemalloc.start()
        read_and_store(runtime, clients, now)
        _, store_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with transaction(runtime.sessions) as session:
            record_history(session, now, runtime.service.rules)
        _, history_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        for client in clients:
            client.close()
        runtime.engine.dispose()
    print(
        f"  peak Python memory (2 x {size:,}): read+store {store_peak / 2**20:.1f} MiB, "
        f"then record_history {history_peak / 2**20:.1f} MiB"
    )


def bench(size: int, url: str | None, orders_per_day: float, with_memory: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        timed(size, url, orders_per_day, folder)
        if with_memory:
            memory(size, url, orders_per_day, folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument(
        "--order-lines", type=int, default=20_000, help="order lines per account over 30 days"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory pass")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(message)s")
    # random_orders makes per_day orders a day on average, 1.25 lines each, over 31 days.
    orders_per_day = args.order_lines / (31 * 1.25)
    for size in args.sizes:
        bench(size, args.database_url, orders_per_day, not args.no_memory)


if __name__ == "__main__":
    main()
