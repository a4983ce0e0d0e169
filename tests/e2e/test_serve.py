"""`stockbot serve` as a real process: signed Slack requests over loopback, answers at
the Slack stand-in, and settings checked at start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.slack_standin import SlackStandin
from bot.slack_standin.requests import SlackSender
from tests.e2e.conftest import SECRET, TOKEN, free_port, start_serve, stockbot
from tests.handlers.conftest import wait_for
from tests.streaming import stream_post


def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])


def test_four_100_mb_unsigned_posts_get_413_without_growing_the_server_or_its_log(
    served: tuple[str, subprocess.Popen], tmp_path: Path
) -> None:
    url, process = served
    log = tmp_path / "serve.log"
    rss_before, log_before = _rss_kib(process.pid), log.stat().st_size
    for chunked in (False, True, False, True):
        status, _ = stream_post(url, "/slack/events", 100 * 2**20, chunked)
        assert status == 413
    wait_for(lambda: log.read_text().count("status=413") == 4)
    # The body is cut off at 1 MB: the process holds at most that much of it at a time.
    assert _rss_kib(process.pid) - rss_before < 20 * 1024
    assert log.stat().st_size - log_before < 1024
    assert "aaaa" not in log.read_text()


def test_serve_answers_analyze_and_validates_in_place(
    served: tuple[str, subprocess.Popen], slack: SlackStandin
) -> None:
    url, _ = served
    sender = SlackSender(url, SECRET, slack)
    started = time.monotonic()
    response = sender.command("analyze EMG331")
    assert response.status_code == 200
    assert time.monotonic() - started < 3  # Slack's ack deadline
    [message] = wait_for(lambda: slack.messages("C1"), timeout=10)
    blocks = json.dumps(message["blocks"])
    assert "Priority: HIGH" in blocks and "move 10 FBE -&gt; MAIN" in blocks
    [actions] = [b for b in message["blocks"] if b.get("block_id") == "rec:0"]
    button = actions["elements"][0]
    assert button["action_id"] == "validate_transfer"

    sender.click(message, "validate_transfer", "rec:0", button["value"])
    [updated] = wait_for(
        lambda: [m for m in slack.messages("C1") if "Validated by" in json.dumps(m)], 10
    )
    text = json.dumps(updated["blocks"])
    assert "Proposed: FBE 16 / MAIN 10" in text and "Recommendation: Proceed" in text

    sender.click(message, "validate_transfer", "rec:0", button["value"])
    wait_for(lambda: slack.ephemerals("C1"), timeout=10)
    assert slack.messages("C1") == [updated]

    assert sender.command("analyze EMG331", secret="wrong").status_code == 401
    sender.close()


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        (("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"), "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"),
        (("SLACK_SIGNING_SECRET",), "SLACK_SIGNING_SECRET"),
    ],
)
def test_serve_without_slack_serves_the_api_and_dashboard_and_says_slack_is_off(
    env: dict[str, str], tmp_path: Path, unset: tuple[str, ...], named: str
) -> None:
    environment = {k: v for k, v in env.items() if k not in unset}
    environment["STOCKBOT_API_TOKENS"] = "t0ken-for-the-api"
    assert stockbot(environment, "seed-demo", "--products", "5").returncode == 0
    url, process = start_serve(environment, tmp_path / "off.log")
    try:
        auth = {"Authorization": "Bearer t0ken-for-the-api"}
        assert httpx.get(f"{url}/api/v1/stock-sync/analyze/EMG331", headers=auth).status_code == 200
        assert httpx.get(f"{url}/dashboard", headers=auth).status_code == 200
        off = httpx.post(f"{url}/slack/events", content=b"x")
        assert off.status_code == 503 and named in off.json()["error"]
    finally:
        process.terminate()
        process.wait(timeout=10)
    said = (tmp_path / "off.log").read_text()
    assert said.count("the Slack endpoint is off") == 1 and "Traceback" not in said


def test_serve_socket_mode_needs_the_app_token(env: dict[str, str]) -> None:
    result = stockbot(env, "serve", "--socket")
    assert result.returncode == 1
    assert "SLACK_APP_TOKEN" in result.stderr


def test_serve_with_a_bad_bot_token_fails_at_start(env: dict[str, str]) -> None:
    result = stockbot({**env, "SLACK_BOT_TOKEN": "xoxb-wrong"}, "serve", "--port", "0")
    assert result.returncode == 1
    assert "SLACK_BOT_TOKEN was refused by Slack: invalid_auth" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "xoxb-wrong" not in result.stderr


def test_socket_mode_answers_a_slash_command_delivered_over_the_websocket(
    tmp_path: Path,
) -> None:
    with SlackStandin(token=TOKEN, app_token="xapp-e2e") as slack:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'socket.db'}",
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_APP_TOKEN": "xapp-e2e",
            "SLACK_API_URL": slack.api_url,
        }
        env.pop("SLACK_SIGNING_SECRET", None)
        assert stockbot(env, "seed-demo", "--products", "20").returncode == 0
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--socket"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            slack.socket_mode.wait_connected(timeout=30)
            fields = SlackSender("http://unused", SECRET, slack).command_fields(
                "analyze EMG331", "U1", "C1"
            )
            envelope = slack.socket_mode.send("slash_commands", fields)
            assert slack.socket_mode.wait_ack(envelope)["envelope_id"] == envelope
            [message] = wait_for(lambda: slack.messages("C1"), timeout=10)
            assert "Priority: HIGH" in json.dumps(message["blocks"])
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_serve_with_worker_runs_the_scheduler_in_the_same_process(
    env: dict[str, str], tmp_path: Path
) -> None:
    log_path = tmp_path / "one-process.log"
    env = {**env, "STOCKBOT_ALERT_CHANNEL": "CDIGEST"}
    _, process = start_serve(env, log_path, "--with-worker")
    try:
        text = log_path.read_text()
        assert "with the worker's scheduler" in text
        assert "stock-digest: cron[" in text
        assert "stock-plan: cron[" in text and "day_of_week='mon'" in text
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_with_worker_refuses_several_web_workers(env: dict[str, str]) -> None:
    result = stockbot(
        {**env, "STOCKBOT_ALERT_CHANNEL": "CDIGEST"},
        *("serve", "--with-worker", "--workers", "2", "--port", str(free_port())),
    )
    assert result.returncode == 1
    assert result.stderr == (
        "stockbot: error: --with-worker runs the scheduler once: use it with --workers 1\n"
    )
