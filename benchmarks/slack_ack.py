"""Benchmark (not a test): how fast `stockbot serve` acks `/stock analyze` and answers.

    .venv/bin/python benchmarks/slack_ack.py [--products 100000] [--requests 500] [--concurrency 20]

Seeds N demo products into a temp SQLite file, starts `stockbot serve` as a real process
against the Slack stand-in, then sends signed `/stock analyze SKU` requests over loopback,
`--concurrency` at a time. Reports the ack latency (HTTP response to the slash command)
and the full-answer latency (until the analysis reaches the response_url), p50 and p99.
Targets (issue 4): ack p99 under 100 ms, answer p99 under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx

from bot.engine.models import Rules
from bot.intake.seed import seed_demo
from bot.slack_standin import SlackStandin
from bot.slack_standin.requests import SlackSender
from storage.db import make_engine, make_session_factory, upgrade

TOKEN = "xoxb-bench"
SECRET = "bench-signing-secret"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="`stockbot serve --workers`")
    args = parser.parse_args()

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
            [
                *(sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"),
                *("--port", str(port), "--workers", str(args.workers)),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        app_url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(f"{app_url}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            run(app_url, slack, args)
        finally:
            server.terminate()
            server.wait(timeout=10)


def run(app_url: str, slack: SlackStandin, args: argparse.Namespace) -> None:
    sender = SlackSender(app_url, SECRET, slack)
    rng = random.Random(331)
    skus = ["EMG331"] + [f"EMG{1000 + rng.randrange(args.products)}" for _ in range(999)]
    sent: dict[str, float] = {}
    acks: list[float] = []
    failures = 0

    def one(index: int) -> None:
        nonlocal failures
        fields = sender.command_fields(f"analyze {skus[index % len(skus)]}", "UBENCH", "CBENCH")
        key = fields["response_url"].rsplit("/", 1)[1]
        body = urlencode(fields)
        began = time.time()
        response = sender.post(body, "application/x-www-form-urlencoded")
        acks.append(time.time() - began)
        sent[key] = began
        if response.status_code != 200:
            failures += 1

    for index in range(100):  # warm-up: every worker's connections, caches, SQLite pages
        one(index)
    acks.clear()
    sent.clear()
    wall = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(one, range(args.requests)))
    deadline = time.time() + 60

    def answered() -> int:
        return sum(1 for record in slack.requests("response_url") if record["key"] in sent)

    while answered() < args.requests and time.time() < deadline:
        time.sleep(0.05)
    wall = time.perf_counter() - wall
    answers = [
        record["at"] - sent[record["key"]]
        for record in slack.requests("response_url")
        if record["key"] in sent
    ]
    sender.close()
    ms = 1000
    print(
        f"{args.requests} requests, {args.concurrency} at a time, {wall:.1f} s wall, "
        f"{failures} non-200, {len(answers)} answers"
    )
    print(
        f"ack     p50 {statistics.median(acks) * ms:6.1f} ms   "
        f"p99 {percentile(acks, 0.99) * ms:6.1f} ms   (target p99 < 100 ms)"
    )
    print(
        f"answer  p50 {statistics.median(answers) * ms:6.1f} ms   "
        f"p99 {percentile(answers, 0.99) * ms:6.1f} ms   (target p99 < 300 ms)"
    )


if __name__ == "__main__":
    main()
