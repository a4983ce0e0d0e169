"""Every expected failure of the real `stockbot` process is one line on stderr, no
traceback, and a non-zero exit; `--debug` shows the traceback of an unexpected one."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.slack_standin import SlackStandin


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "EMAG_"))}
    return {**keep, "DATABASE_URL": f"sqlite:///{tmp_path / 'f.db'}", **extra}


def _run(env: dict[str, str], *argv: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess, says: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.count("\n") == 1, result.stderr
    assert says in result.stderr


def test_an_unreachable_database(tmp_path: Path) -> None:
    env = _env(tmp_path, DATABASE_URL="postgresql://nobody@127.0.0.1:1/nothing")
    _one_line(_run(env, "alerts"), "database")


def test_a_database_of_a_newer_stockbot(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert _run(env, "seed-demo", "--products", "0").returncode == 0
    with sqlite3.connect(tmp_path / "f.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    _one_line(_run(env, "alerts"), "newer stockbot")


def test_emag_unreachable(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        EMAG_API_URL="http://127.0.0.1:1/api-3",
        EMAG_MAIN_USERNAME="m",
        EMAG_MAIN_PASSWORD="p",
        EMAG_FBE_USERNAME="f",
        EMAG_FBE_PASSWORD="p",
        EMAG_TIMEOUT_S="0.5",
    )
    _one_line(_run(env, "sync"), "MAIN")


def test_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(_env(tmp_path), "serve", "--port", str(port))
    _one_line(result, f"cannot listen on 127.0.0.1:{port}")


def test_a_bad_app_token_in_socket_mode(tmp_path: Path) -> None:
    with SlackStandin(token="xoxb-f", app_token="xapp-right") as slack:
        env = _env(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-f",
            SLACK_APP_TOKEN="xapp-wrong",
            SLACK_API_URL=slack.api_url,
        )
        result = _run(env, "serve", "--socket", timeout=60)
    _one_line(result, "SLACK_APP_TOKEN was refused by Slack")


def test_ctrl_c_in_the_worker(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        EMAG_MAIN_USERNAME="m",
        EMAG_MAIN_PASSWORD="p",
        EMAG_FBE_USERNAME="f",
        EMAG_FBE_PASSWORD="p",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    log = ""
    assert worker.stderr is not None
    while "emag-sync" not in log and time.monotonic() < deadline:
        log += worker.stderr.readline()
    worker.send_signal(signal.SIGINT)
    _out, err = worker.communicate(timeout=30)
    assert worker.returncode == 130
    assert "Traceback" not in err and err.strip().endswith("stockbot: interrupted")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_failure_is_one_line_unless_debug(tmp_path: Path, debug: bool) -> None:
    # A file that is not a database at all: not a case stockbot knows, so its generic line.
    (tmp_path / "f.db").write_bytes(b"this is not SQLite" * 100)
    argv = ["--debug"] if debug else []
    result = _run(_env(tmp_path), *argv, "alerts")
    assert result.returncode == 1
    assert ("Traceback" in result.stderr) == debug
    if not debug:
        _one_line(result, "run with --debug for the traceback")
