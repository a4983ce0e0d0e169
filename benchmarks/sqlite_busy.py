"""Benchmark (not a test): `/stock snooze` on SQLite while the worker stores a 100k-offer
sync (issue 17: "the snooze succeeds or says in one line that the database is busy").

    .venv/bin/python benchmarks/sqlite_busy.py [--products 100000] [--one-transaction]

Seeds N demo products into a temp SQLite file, starts `stockbot serve` against the Slack
stand-in, then starts a second process that stores a completed read of N MAIN offers the
way the worker's sync does (`bot.emag.sync._apply`: on SQLite one transaction per 1,000
offers). While it runs, `/stock snooze SKU 3d` is sent every 0.3 s; each answer is
counted as snoozed, busy (the one line) or anything else, with its latency.
`--one-transaction` stores the read in a single transaction instead, as before issue 17.
"""

from __future__ import annotations

import argparse
import os
import pickle
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal

import httpx

from bot.engine.models import Rules
from bot.intake.seed import seed_demo
from bot.slack_standin import SlackStandin
from bot.slack_standin.requests import SlackSender
from storage.db import make_engine, make_session_factory, upgrade

TOKEN = "xoxb-bench"
SECRET = "bench-signing-secret"


def _skus(products: int) -> list[str]:
    return ["EMG331"] + [f"EMG{1000 + n}" for n in range(products)]


def store_as_worker(url: str, products: int, one_transaction: bool) -> None:
    """The second process: a completed read of every MAIN offer, stored as the sync does."""
    from bot.emag import sync
    from bot.emag.reading import AccountRead, spooled
    from bot.runtime import build_runtime
    from bot.settings import load_settings
    from storage.db import transaction
    from storage.sync_writes import (
        SyncedOffer,
        mark_account_unread,
        remove_unread_offers,
        upsert_account_chunk,
    )

    runtime = build_runtime(load_settings(DATABASE_URL=url))
    read = AccountRead("main")
    offers = [
        SyncedOffer(sku, None, None, None, n + 1, 7, 7, 7, 2, None, Decimal("10"), None, 1)
        for n, sku in enumerate(_skus(products))
    ]
    for start in range(0, len(offers), 100):
        pickle.dump(offers[start : start + 100], read.spool)
    read.offers = len(offers)
    now = datetime.now(UTC)
    print("storing", flush=True)
    began = time.perf_counter()
    if one_transaction:
        with transaction(runtime.sessions) as session:
            mark_account_unread(session, "main")
            for chunk in spooled(read.spool):
                upsert_account_chunk(session, "main", chunk, now, runtime.service.rules)
            remove_unread_offers(session, "main", runtime.service.rules)
    else:
        sync._apply(runtime, read, now, time.monotonic())
    print(f"stored {len(offers)} offers in {time.perf_counter() - began:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--one-transaction", action="store_true")
    parser.add_argument("--worker-store", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_store:
        store_as_worker(args.worker_store, args.products, args.one_transaction)
        return

    with tempfile.TemporaryDirectory() as folder, SlackStandin(token=TOKEN) as slack:
        url = f"sqlite:///{folder}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        seed_demo(make_session_factory(engine), datetime.now(UTC), Rules(), args.products)
        engine.dispose()
        print(f"seeded {args.products} products in {time.perf_counter() - started:.1f} s")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        app_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 120
            while True:
                try:
                    if httpx.get(f"{app_url}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.time() > deadline:
                    raise SystemExit("stockbot serve did not start")
                time.sleep(0.2)
            run(app_url, slack, url, args)
        finally:
            server.terminate()
            server.wait(timeout=10)


def run(app_url: str, slack: SlackStandin, url: str, args: argparse.Namespace) -> None:
    sender = SlackSender(app_url, SECRET, slack)
    worker = subprocess.Popen(
        [
            *(sys.executable, __file__, "--worker-store", url),
            *("--products", str(args.products)),
            *(["--one-transaction"] if args.one_transaction else []),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "storing"
    sent: list[tuple[str, float]] = []
    skus = _skus(args.products)
    while worker.poll() is None and len(sent) < 200:
        fields = sender.command_fields(f"snooze {skus[len(sent) * 7]} 3d", "UBENCH", "CBENCH")
        sent.append((fields["response_url"].rsplit("/", 1)[1], time.time()))
        sender._form(fields)
        time.sleep(0.3)
    print(worker.stdout.read().strip())
    deadline = time.time() + 30
    keys = {key for key, _ in sent}
    while time.time() < deadline:
        answered = [r for r in slack.requests("response_url") if r["key"] in keys]
        if len(answered) == len(sent):
            break
        time.sleep(0.1)
    by_key = {r["key"]: r for r in slack.requests("response_url") if r["key"] in keys}
    outcome = {"snoozed": 0, "busy": 0, "other": 0, "unanswered": 0}
    latency = []
    for key, began in sent:
        record = by_key.get(key)
        if record is None:
            outcome["unanswered"] += 1
            continue
        text = record["body"].get("text", "")
        kind = "snoozed" if "is snoozed until" in text else "busy" if "busy" in text else "other"
        outcome[kind] += 1
        if kind == "other":
            print(f"  other answer: {text!r}")
        latency.append(record["at"] - began)
    sender.close()
    mode = "one transaction" if args.one_transaction else "chunks of 1,000 (SQLite)"
    print(f"{len(sent)} snoozes during the store ({mode}): {outcome}")
    if latency:
        print(f"answer latency p50 {statistics.median(latency):.2f} s, max {max(latency):.2f} s")


if __name__ == "__main__":
    main()
