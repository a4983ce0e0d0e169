"""Benchmark (not a test): the daily digest of a catalogue where every product alerts.

    .venv/bin/python benchmarks/digest.py [--alerting 3000] [--database-url URL] [--pace 50]

Stores `--alerting` alerting products (high and medium, with names and lost sales) in a
fresh database (a temp SQLite file by default), then runs the digest against the Slack
stand-in held to `--pace` posts a second (Slack's is 1; the benchmark runs faster and
reports the pacing apart). Reports the time to claim, build and store the plan (until
the first post leaves: the target is under 2 s), the number of posts (one channel
message, the rest in its thread), their sizes against the limits, and how long the
posting takes at Slack's one post a second.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal

from bot.engine.models import OfferSnapshot, ProductSnapshot
from bot.intake.seed import store_snapshots
from bot.jobs.digest import run_digest
from bot.runtime import build_runtime
from bot.settings import load_settings
from bot.slack_client import make_web_client
from bot.slack_standin import SlackStandin
from handlers.blocks.size import json_length, text_length
from storage.db import make_engine, upgrade

TOKEN = "xoxb-bench"
CHANNEL = "CBENCHDIGEST"
NAMES = ("Wireless mouse", "USB-C cable 2m", "Mechanical keyboard & keycaps", "Laptop stand")


def alerting(count: int, now: datetime) -> list[ProductSnapshot]:
    """Half high (MAIN at 0 with a competitor, FBE can give), half medium (FBE low)."""
    found = []
    for index in range(count):
        high = index % 2 == 0
        price = Decimal(20 + index % 180)

        def offer(account: str, stock: int, price: Decimal = price) -> OfferSnapshot:
            return OfferSnapshot(
                account=account,  # type: ignore[arg-type]
                stock=stock,
                number_of_offers=3,
                sale_price=price,
                sales_velocity=Decimal("1.5"),
                status=1,
                last_read_at=now,
                last_sent_at=now,
            )

        found.append(
            ProductSnapshot(
                sku=f"DIG{index:05d}",
                pnk=f"PNK{index:06d}",
                name=f"{NAMES[index % len(NAMES)]} {index}",
                main=offer("main", 0 if high else 30),
                fbe=offer("fbe", 40 if high else 2),
            )
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerting", type=int, default=3000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--pace", type=float, default=50.0, help="posts a second (Slack: 1)")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as folder,
        SlackStandin(token=TOKEN, post_rate=args.pace, post_burst=3) as slack,
    ):
        url = args.database_url or f"sqlite:///{folder}/digest.db"
        upgrade(make_engine(url))
        settings = load_settings(
            DATABASE_URL=url,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_API_URL=slack.api_url,
            STOCKBOT_ALERT_CHANNEL=CHANNEL,
            STOCKBOT_SLACK_POSTS_PER_SECOND=args.pace,
        )
        runtime = build_runtime(settings)
        now = datetime.now(UTC)
        started = time.perf_counter()
        store_snapshots(
            runtime.sessions, alerting(args.alerting, now), "csv", now, runtime.service.rules
        )
        print(f"stored {args.alerting} alerting products in {time.perf_counter() - started:.1f} s")

        began = time.time()
        outcome = run_digest(runtime, make_web_client(settings, resend=False), now)
        ended = time.time()
        posts = slack.requests("chat.postMessage")
        planned = posts[0]["at"] - began
        refused = [p for p in posts if p["status"] != 200 or p["error"]]
        messages = slack.messages(CHANNEL)
        [head] = slack.top_level(CHANNEL)
        texts = [text_length(m["blocks"]) for m in messages]
        sizes = [json_length(m["blocks"]) for m in messages]
        print(f"digest {outcome.status}: {outcome.detail}")
        print(f"plan built and stored in {planned:.2f} s (target < 2 s, excluding pacing)")
        print(
            f"{len(posts)} posts: 1 channel message + {len(slack.replies(CHANNEL, head['ts']))} "
            f"in its thread, {len(refused)} refused; largest {max(texts)} characters of "
            f"text (limit 10,000), {max(sizes)} of blocks JSON (limit 15,000)"
        )
        print(
            f"posting took {ended - began - planned:.1f} s at {args.pace:g}/s; at Slack's "
            f"1/s it takes about {len(posts) - 1:.0f} s"
        )
        runtime.engine.dispose()


if __name__ == "__main__":
    main()
