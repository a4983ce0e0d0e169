"""Benchmark (not a test): the daily digest of a large catalogue against its SQL floor.

    .venv/bin/python benchmarks/digest.py [--products 100000 1000000] [--alerting 0.2]
        [--runs 3] [--pace 50] [--cache /tmp/stockbot-bench-digest]

Seeds `--products` products (a share `--alerting` of them alerting, half high, half
medium; the rest normal) into a SQLite file cached under `--cache` (seeding a million
takes minutes; a cached file is reused), then, each run on a fresh copy of it so every
run is a first digest, in a process of its own (for its peak RSS):
- stockbot: `run_digest` against the Slack stand-in held to `--pace` posts a second; its
  time is the work before the first post leaves and after the last one returns (the
  posting window is Slack's pace, reported apart);
- floor: the bare SQL of the same data in one transaction on a DBAPI cursor: the counts
  aggregate, the shown alerts (`STOCKBOT_DIGEST_MAX_ITEMS`) with their products and
  offers, and those alerts written as the baseline (a first digest keeps no other: the
  alerts cut by the limit stay out of it, and none is unchanged).
Prints the min of `--runs` of each, their ratio (target <= 3) and peak RSS (<= 300 MiB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bot.settings import load_settings
from storage.db import make_engine, make_session_factory, transaction, upgrade
from storage.models import Offer, Product
from storage.status import refresh_status
from storage.writes import record_run

TOKEN = "xoxb-bench"
CHANNEL = "CBENCHDIGEST"
NAMES = ("Wireless mouse", "USB-C cable 2m", "Mechanical keyboard & keycaps", "Laptop stand")
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
BATCH = 50_000


def _offers(index: int, product_id: int, alerting: float, now: datetime) -> list[dict]:
    """Every 1/alerting-th product alerts: high (MAIN 0 with competition, FBE can give)
    or medium (FBE low); the others are stocked and sent this week."""
    step = max(1, round(1 / alerting)) if alerting else 0
    kind = "normal"
    if step and index % step == 0:
        kind = "high" if (index // step) % 2 == 0 else "medium"
    stock = {"high": (0, 40), "medium": (30, 2), "normal": (60, 60)}[kind]
    return [
        {
            "product_id": product_id,
            "account": account,
            "emag_offer_id": product_id * 2 + n,
            "stock": stock[n],
            "number_of_offers": 3,
            "sale_price": 20 + index % 180,
            "sales_velocity": 1.5,
            "status": 1,
            "last_read_at": now - timedelta(hours=1),
            "last_sent_at": now - timedelta(days=1),
        }
        for n, account in enumerate(("main", "fbe"))
    ]


def seed(path: Path, products: int, alerting: float) -> None:
    """A catalogue written set-based in batches (the app's own seed is slower at 1M)."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    rules = load_settings(DATABASE_URL=url).rules()
    with transaction(sessions) as session:
        for start in range(0, products, BATCH):
            indexes = range(start, min(products, start + BATCH))
            session.execute(
                insert(Product),
                [
                    {
                        "id": i + 1,
                        "sku": f"DIG{i:07d}",
                        "sku_key": f"DIG{i:07d}",
                        "pnk": f"PNK{i:07d}",
                        "name": f"{NAMES[i % len(NAMES)]} {i}",
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for i in indexes
                ],
            )
            offers = [row for i in indexes for row in _offers(i, i + 1, alerting, NOW)]
            session.execute(insert(Offer), offers)
        for account in ("main", "fbe"):
            record_run(session, account, "csv", NOW, NOW, products)
        refresh_status(session, rules)
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def _peak_mib() -> float:
    # VmHWM starts afresh at exec; ru_maxrss would carry the parent's peak.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_stockbot(url: str, pace: float) -> dict:
    from bot.jobs.digest import run_digest
    from bot.runtime import build_runtime
    from bot.slack_client import make_web_client
    from bot.slack_standin import SlackStandin
    from handlers.blocks.size import json_length, text_length

    with SlackStandin(token=TOKEN, post_rate=pace, post_burst=3) as slack:
        settings = load_settings(
            DATABASE_URL=url,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_API_URL=slack.api_url,
            STOCKBOT_ALERT_CHANNEL=CHANNEL,
            STOCKBOT_SLACK_POSTS_PER_SECOND=pace,
        )
        runtime = build_runtime(settings)
        runtime.service.clock = lambda: NOW
        began = time.time()
        outcome = run_digest(runtime, make_web_client(settings, resend=False), NOW)
        ended = time.time()
        posts = slack.requests("chat.postMessage")
        messages = slack.messages(CHANNEL)
        runtime.engine.dispose()
    first, last = posts[0]["at"], posts[-1]["at"]
    return {
        "seconds": (first - began) + (ended - last),
        "plan": first - began,
        "posting": last - first,
        "posts": len(posts),
        "refused": sum(1 for p in posts if p["status"] != 200 or p["error"]),
        "text": max(text_length(m["blocks"]) for m in messages),
        "json": max(json_length(m["blocks"]) for m in messages),
        "detail": outcome.detail,
        "rss": _peak_mib(),
    }


def measure_floor(url: str, shown: int) -> dict:
    """The digest's data by hand: counts, the shown alerts whole, written as its baseline."""
    import sqlite3

    epoch = int(NOW.timestamp())
    rank = (
        "CASE WHEN s.stock_rank > 0 THEN s.stock_rank"
        f" WHEN s.oldest_due <= {epoch} THEN 1 ELSE 0 END"
    )
    began = time.perf_counter()
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    cursor = connection.cursor()
    cursor.execute(
        f"SELECT count(*), sum({rank} = 3), sum({rank} = 2), sum({rank} = 1),"
        " sum(s.lost_sales), max(s.read_main), max(s.read_fbe) FROM product_status s"
    )
    cursor.fetchall()
    cursor.execute(
        f"SELECT s.product_id, {rank} AS r, s.lost_sales, s.zero, s.low, s.imbalanced,"
        " s.unsellable_main, s.unsellable_fbe, s.overdue_main, s.overdue_fbe, p.*, m.*, f.*"
        " FROM product_status s JOIN products p ON p.id = s.product_id"
        " LEFT JOIN offers m ON m.product_id = p.id AND m.account = 'main'"
        " LEFT JOIN offers f ON f.product_id = p.id AND f.account = 'fbe'"
        f" WHERE {rank} > 0 ORDER BY r DESC, s.lost_sales DESC, s.sku LIMIT {shown}"
    )
    rows = cursor.fetchall()
    cursor.execute(
        "INSERT INTO digests (channel, day, slot, status, claimed_by, claimed_at, attempts)"
        " VALUES ('floor', '2026-12-03', 'daily', 'claimed', 'floor', ?, 1)",
        (NOW.isoformat(),),
    )
    digest = cursor.lastrowid
    cursor.executemany(
        "INSERT INTO digest_items (digest_id, product_id, priority, issues, part)"
        " VALUES (?, ?, 'high', 'x', 1)",
        [(digest, row[0]) for row in rows],
    )
    connection.commit()
    connection.close()
    return {"seconds": time.perf_counter() - began, "rss": _peak_mib(), "shown": len(rows)}


def child(kind: str, source: Path, pace: float, shown: int) -> dict:
    """One measurement on a fresh copy of the seeded file, in its own process."""
    with tempfile.TemporaryDirectory(dir=source.parent) as folder:
        copy = Path(folder) / "digest.db"
        shutil.copyfile(source, copy)
        command = [sys.executable, __file__, "--child", kind, "--db", str(copy)]
        command += ["--pace", str(pace), "--shown", str(shown)]
        found = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(found.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--alerting", type=float, default=0.2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pace", type=float, default=50.0, help="posts a second (max 50)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/stockbot-bench-digest"))
    parser.add_argument("--child", choices=("stockbot", "floor"))
    parser.add_argument("--db", type=Path)
    parser.add_argument("--shown", type=int, default=5000)
    args = parser.parse_args()
    if args.child:
        url = f"sqlite:///{args.db}"
        if args.child == "stockbot":
            print(json.dumps(measure_stockbot(url, args.pace)))
        else:
            print(json.dumps(measure_floor(url, args.shown)))
        return

    shown = load_settings().digest_max_items
    args.cache.mkdir(parents=True, exist_ok=True)
    print("| N | alerting | stockbot | plan | floor | ratio | peak RSS stockbot / floor |")
    print("|---|---|---|---|---|---|---|")
    for products in args.products:
        source = args.cache / f"catalogue-{products}-{args.alerting:g}.db"
        if not source.exists():
            started = time.perf_counter()
            seed(source.with_suffix(".part"), products, args.alerting)
            source.with_suffix(".part").rename(source)
            took = time.perf_counter() - started
            print(f"seeded {products} products in {took:.0f} s", file=sys.stderr)
        ours = [child("stockbot", source, args.pace, shown) for _ in range(args.runs)]
        floor = [child("floor", source, args.pace, shown) for _ in range(args.runs)]
        best, bare = min(ours, key=lambda r: r["seconds"]), min(floor, key=lambda r: r["seconds"])
        print(
            f"| {products:,} | {int(products * args.alerting):,} | {best['seconds']:.2f} s "
            f"| {best['plan']:.2f} s | {bare['seconds']:.2f} s "
            f"| {best['seconds'] / bare['seconds']:.2f} "
            f"| {max(r['rss'] for r in ours):.0f} / {max(r['rss'] for r in floor):.0f} MiB |"
        )
        print(
            f"  {best['posts']} posts ({best['refused']} refused) in {best['posting']:.1f} s at "
            f"{args.pace:g}/s (not counted); largest {best['text']:,} characters of text "
            f"(limit 10,000), {best['json']:,} of blocks JSON (limit 15,000); {best['detail']}",
            file=sys.stderr,
        )


if __name__ == "__main__":
    os.environ.setdefault("STOCKBOT_LANGUAGE", "en")
    main()
