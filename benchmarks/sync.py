"""Benchmark (not a test): a full eMAG sync against the fake at eMAG's documented limits.

    .venv/bin/python benchmarks/sync.py [--sizes 10000 100000] [--database-url URL]

For each size N the fake eMAG runs in a process of its own (`python -m tests.fake_emag`,
so its catalogue is not counted in stockbot's memory) with N offers on MAIN and N on FBE
plus 30 days of orders, enforcing eMAG's budgets (3 requests/s and 180/min per account for
offers, 12/s and 720/min for orders). In the same run it measures:
  - the floor: the least time the documented limits allow for the offer reads (the count,
    the pages and the empty page that ends them) with both accounts in parallel, and a
    bare client doing only those reads at the limit (httpx and the same limiter, nothing
    else);
  - stockbot: `sync_accounts` (read both accounts, store, history) in a fresh process,
    with its peak RSS;
  - the 429 answers either of them got.
Target (issue 18): stockbot <= 1.10x the floor, peak RSS <= 150 MiB, zero 429s.
Takes about 2.5 min at 2 x 10k and 15 min at 2 x 100k (two full reads at 3 requests/s,
the minute the fake needs to forget the first one, and building the fake's catalogue).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from anywhere

import httpx  # noqa: E402

from bot.emag.client import PAGE_SIZE, EmagClient  # noqa: E402
from bot.emag.ratelimit import OFFERS_LIMITS, SlidingWindowLimiter  # noqa: E402
from tests.fake_emag import ACCOUNTS  # noqa: E402

# What random_orders makes: per_day orders a day on average, 1.25 lines each, 31 days.
LINES_PER_ORDER_DAY = 31 * 1.25
FORGET_SECONDS = 61.0  # the fake's longest window, so the second run starts afresh


class Counting(httpx.HTTPTransport):
    """An HTTP transport that counts the 429 answers it passes on."""

    throttled: list[str] = []  # the paths answered 429
    _lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if response.status_code == 429:
            with Counting._lock:
                Counting.throttled.append(request.url.path.rsplit("/", 2)[-2])
        return response


def offer_requests(n: int) -> int:
    """`product_offer/count`, the full pages, then a short or an empty one."""
    return 1 + n // PAGE_SIZE + 1


def limits_floor(requests: int) -> float:
    """Seconds the offers' windows need for `requests` calls started as early as allowed."""
    seconds = 0.0
    for window in OFFERS_LIMITS:
        seconds = max(seconds, (requests - 1) // window.limit * window.seconds)
    return seconds


def start_fake(size: int, orders_per_day: float) -> tuple[subprocess.Popen, dict[str, str]]:
    command = [sys.executable, "-m", "tests.fake_emag", "--port", "0", "--products", str(size)]
    command += ["--orders-per-day", str(orders_per_day)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    env: dict[str, str] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Ctrl-C"):
            return process, env
        if line.startswith("EMAG_"):
            key, _, value = line.strip().partition("=")
            env[key] = value
    raise SystemExit("the fake eMAG did not start")


def bare_read(env: dict[str, str], account: str, seconds: dict[str, float]) -> None:
    """Only the offer reads, at the limit: what any client must spend."""
    limiter = SlidingWindowLimiter(OFFERS_LIMITS)
    auth = (env[f"EMAG_{account.upper()}_USERNAME"], env[f"EMAG_{account.upper()}_PASSWORD"])
    base = env["EMAG_API_URL"].rstrip("/")
    started = time.perf_counter()

    def post(http: httpx.Client, path: str, body: dict) -> httpx.Response:
        # As stockbot's transport: counted from its answer (SlidingWindowLimiter); a 429
        # is retried a second later (and counted by Counting).
        while True:
            limiter.acquire()
            answer = http.post(f"{base}/{path}", json=body)
            limiter.answered()
            if answer.status_code != 429:
                return answer.raise_for_status()
            time.sleep(1.0)

    with httpx.Client(auth=auth, transport=Counting(), timeout=30) as http:
        post(http, "product_offer/count", {})
        for page in range(1, 10**9):
            answer = post(http, "product_offer/read", {"currentPage": page, "itemsPerPage": 100})
            if not answer.json()["results"]:
                break
    seconds[account] = time.perf_counter() - started


def bare_floor(env: dict[str, str]) -> float:
    seconds: dict[str, float] = {}
    threads = [threading.Thread(target=bare_read, args=(env, a, seconds)) for a in ACCOUNTS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return max(seconds.values())


def stockbot_sync(url: str | None) -> None:
    """In a fresh process (`--child`): the sync, then one JSON line of what it took."""
    from bot.emag.progress import EmagProgress
    from bot.emag.sync import sync_accounts
    from bot.runtime import build_runtime
    from bot.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        runtime = build_runtime(Settings(database_url=url or f"sqlite:///{folder}/sync.db"))
        clients = [
            EmagClient(
                account,
                os.environ["EMAG_API_URL"],
                os.environ[f"EMAG_{account.upper()}_USERNAME"],
                os.environ[f"EMAG_{account.upper()}_PASSWORD"],
                transport=Counting(),
            )
            for account in ACCOUNTS
        ]
        started = time.perf_counter()
        read_done: dict[str, float] = {}

        class Phases(EmagProgress):
            def storing(self, account: str) -> None:
                read_done[account] = time.perf_counter() - started

        report = sync_accounts(runtime, clients, datetime.now(UTC), Phases())
        wall = time.perf_counter() - started
        runtime.engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    accounts = [
        f"{r.account.upper()} {r.status} {r.offers} offers read in "
        f"{read_done.get(r.account, 0):.1f} s, stored by {r.seconds:.1f} s"
        + (f" ({r.error})" if r.error else "")
        for r in report.accounts
    ]
    print(
        json.dumps(
            {"wall": wall, "rss": peak, "throttled": Counting.throttled, "accounts": accounts}
        )
    )


def bench(size: int, url: str | None, order_lines: int) -> None:
    fake, env = start_fake(size, order_lines / LINES_PER_ORDER_DAY)
    try:
        floor = bare_floor(env)
        bare_throttled = len(Counting.throttled)
        time.sleep(FORGET_SECONDS)
        child = [sys.executable, __file__, "--child"]
        child += ["--database-url", url] if url else []
        done = subprocess.run(
            child, env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(f"the sync failed:\n{done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        fake.terminate()
        fake.wait()
    limits = limits_floor(offer_requests(size))
    print(f"== 2 x {size:,} offers, {order_lines:,} order lines per account")
    print("  " + "; ".join(result["accounts"]))
    print(
        f"  stockbot {result['wall']:.1f} s | floor: limits {limits:.1f} s, bare client "
        f"{floor:.1f} s | ratio {result['wall'] / limits:.3f}x the limits, "
        f"{result['wall'] / floor:.3f}x the bare client"
    )
    print(
        f"  peak RSS {result['rss']:.0f} MiB | 429s: stockbot {len(result['throttled'])} "
        f"{sorted(set(result['throttled']))}, "
        f"bare client {bare_throttled}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--order-lines", type=int, default=20_000, help="per account, 30 days")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR, format="%(name)s %(message)s")
    if args.child:
        stockbot_sync(args.database_url)
        return
    for size in args.sizes:
        bench(size, args.database_url, args.order_lines)


if __name__ == "__main__":
    main()
