"""`/stock` answered in the answer process beside `stockbot serve`
(handlers/command_process.py): the busy notice counted from the ack, another process
started when it dies, and none left behind when the web process is killed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from bot.slack_standin import SlackStandin
from bot.slack_standin.requests import SlackSender
from handlers.answering import BUSY
from tests.e2e.conftest import SECRET
from tests.handlers.conftest import wait_for


def answer_processes(pid: int) -> list[int]:
    """The answer processes `pid` started (multiprocessing's resource tracker aside), by
    any of its threads."""
    pids = [
        int(each)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for each in (task / "children").read_text().split()
    ]
    return [each for each in pids if b"spawn_main" in Path(f"/proc/{each}/cmdline").read_bytes()]


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in state  # ended, waiting for a parent to collect it


def analysis_posted(slack: SlackStandin) -> list[dict]:
    return [m for m in slack.messages("C1") if "Priority: HIGH" in json.dumps(m["blocks"])]


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    """One answer thread, which says "busy" after 0.3 s."""
    return {**env, "STOCKBOT_ANSWER_THREADS": "1", "STOCKBOT_BUSY_NOTICE_SECONDS": "0.3"}


def test_a_command_waiting_in_the_answer_process_is_told_busy_then_answered(
    served: tuple[str, subprocess.Popen], slack: SlackStandin, env: dict[str, str]
) -> None:
    url, _ = served
    sender = SlackSender(url, SECRET, slack)
    writer = sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///"), timeout=0)
    # Another process holds SQLite's write lock: the snooze waits for it on the only thread.
    writer.execute("BEGIN IMMEDIATE")
    assert sender.command("snooze EMG331 3d").status_code == 200
    waiting = sender.command_fields("help", "U2", "C1")
    key = waiting["response_url"].rsplit("/", 1)[1]
    started = time.monotonic()
    assert sender._form(waiting).status_code == 200
    assert time.monotonic() - started < 0.5

    def told() -> list[dict]:
        return [r["body"] for r in slack.requests("response_url") if r["key"] == key]

    assert wait_for(told)[0]["text"] == BUSY
    writer.rollback()
    answered = wait_for(lambda: told()[1:])
    assert answered[0]["text"].startswith("*stockbot* keeps MAIN and FBE offers selling")
    wait_for(lambda: [m for m in slack.ephemerals() if "is snoozed until" in m["text"]])
    writer.close()
    sender.close()


def test_a_dead_answer_process_is_replaced_and_the_next_command_answered(
    served: tuple[str, subprocess.Popen], slack: SlackStandin, tmp_path: Path
) -> None:
    url, process = served
    sender = SlackSender(url, SECRET, slack)
    [first] = wait_for(lambda: answer_processes(process.pid))
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: gone(first))

    assert sender.command("analyze EMG331").status_code == 200
    assert len(wait_for(lambda: analysis_posted(slack), timeout=20)) == 1
    [second] = answer_processes(process.pid)
    assert second != first
    log = (tmp_path / "serve.log").read_text()
    assert "the answer process ended (exit code -9); starting another" in log
    sender.close()


def test_the_answer_process_ends_when_the_web_process_is_killed(
    served: tuple[str, subprocess.Popen], slack: SlackStandin
) -> None:
    url, process = served
    sender = SlackSender(url, SECRET, slack)
    assert sender.command("analyze EMG331").status_code == 200
    wait_for(lambda: analysis_posted(slack), timeout=20)
    [answers] = answer_processes(process.pid)
    process.kill()  # no exit hook runs: only the pipe's end tells the answer process
    process.wait(timeout=10)
    wait_for(lambda: gone(answers))
    sender.close()
