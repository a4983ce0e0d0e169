"""Run the fake eMAG API in the foreground: `python -m tests.fake_emag --products 10000`.

Prints the URL and credentials to put in the environment, so stockbot's sync can be tried
without an eMAG account.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import signal
import threading

from tests.fake_emag.server import ACCOUNTS, FakeEmag


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_emag", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--products", type=int, default=1000, help="products on both accounts")
    parser.add_argument("--orders-per-day", type=float, default=20, help="0 for no orders")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-rate-limits", action="store_true", help="do not enforce eMAG's budgets"
    )
    args = parser.parse_args(argv)

    fake = FakeEmag(host=args.host, port=args.port, rate_limits=not args.no_rate_limits)
    fake.populate(args.products, seed=args.seed)
    if args.orders_per_day:
        fake.populate_orders(days=30, per_day=args.orders_per_day, seed=args.seed)
    # Out of the collector's sight: its full passes over a big catalogue's objects would
    # pause every handler thread and move the arrival times the rate limits count.
    gc.freeze()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with fake:
        print(f"fake eMAG API with {args.products} products per account, serving at {fake.url}")
        print(f"EMAG_API_URL={fake.url}")
        for account in ACCOUNTS:
            username, password = fake.credentials(account)
            print(f"EMAG_{account.upper()}_USERNAME={username}")
            print(f"EMAG_{account.upper()}_PASSWORD={password}")
        print("Ctrl-C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
