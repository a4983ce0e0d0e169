"""Benchmark (not a test): unsigned 100 MB POSTs to `stockbot serve` (issue 17: "413, server
RSS grows < 20 MB, the log grows < 1 KB").

    .venv/bin/python benchmarks/hostile_post.py [--posts 4] [--megabytes 100]

Starts `stockbot serve` (logging to a file) against the Slack stand-in, then streams
`--posts` bodies of `--megabytes` MB to /slack/events over raw sockets, alternately
declared (Content-Length) and chunked, and prints each answer, the bytes the client got to
send before the server cut it off, and the growth of the server's RSS and of its log.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bot.slack_standin import SlackStandin

# The raw-socket client the tests use (tests/ is not installed; the repository root is).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.streaming import stream_post


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=4)
    parser.add_argument("--megabytes", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, SlackStandin(token="xoxb-bench") as slack:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": "bench-secret",
            "SLACK_API_URL": slack.api_url,
        }
        log_path = Path(folder) / "serve.log"
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=log,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            rss_before, log_before = rss_kib(server.pid), log_path.stat().st_size
            peak = rss_before
            for number in range(args.posts):
                chunked = bool(number % 2)
                began = time.perf_counter()
                status, sent = stream_post(
                    url, "/slack/events", args.megabytes * 2**20, chunked=chunked
                )
                peak = max(peak, rss_kib(server.pid))
                print(
                    f"{'chunked' if chunked else 'declared'} {args.megabytes} MB: {status}, "
                    f"{sent / 2**20:.1f} MB sent before the cut-off, "
                    f"{(time.perf_counter() - began) * 1000:.0f} ms"
                )
            time.sleep(0.5)  # the access-log lines are written after the answers
            rss_after = rss_kib(server.pid)
            log_growth = log_path.stat().st_size - log_before
            print(
                f"server RSS {rss_before / 1024:.1f} -> {rss_after / 1024:.1f} MiB "
                f"(peak {peak / 1024:.1f}, growth {(rss_after - rss_before) / 1024:.1f} MiB, "
                "target < 20)"
            )
            print(f"log grew {log_growth} bytes over {args.posts} posts (target < 1024)")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
