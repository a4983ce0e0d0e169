"""The served stockbot for the end-to-end tests: `stockbot serve` as a real process on a
free port, against the Slack stand-in, on a demo-seeded SQLite file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.slack_standin import SlackStandin
from tests.handlers.conftest import wait_for

TOKEN = "xoxb-e2e"
SECRET = "e2e-signing-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stockbot(env: dict[str, str], *args: str, **options) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **options,
    )


@pytest.fixture
def slack() -> Iterator[SlackStandin]:
    with SlackStandin(token=TOKEN) as standin:
        yield standin


@pytest.fixture
def env(tmp_path: Path, slack: SlackStandin) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
    }


def start_serve(env: dict[str, str], log_path: Path, *args: str) -> tuple[str, subprocess.Popen]:
    """`stockbot serve [args]` on a free port of loopback (the default bind), its stdout
    and stderr to `log_path`, once /healthz answers 200."""
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), *args],
            env=env,
            stdout=log,
            stderr=log,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            assert process.poll() is None, log_path.read_text()
            return False

    wait_for(healthy, timeout=30)
    return url, process


@pytest.fixture
def served(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`stockbot serve` over 40 demo products; its log in tmp_path/serve.log."""
    assert stockbot(env, "seed-demo", "--products", "40").returncode == 0
    url, process = start_serve(env, tmp_path / "serve.log")
    yield url, process
    process.terminate()
    process.wait(timeout=10)
