"""SQLite has one write lock per file: while another process holds it past the busy
timeout, a person is told in one line that the database is busy (an ephemeral in Slack,
stderr in the CLI) and nothing is written; once it is free, the same request works."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.cli.main import main
from bot.database_errors import BUSY
from storage.models import Snooze
from tests.handlers.conftest import Bot, _bot, wait_for


@pytest.fixture
def bot(tmp_path: Any) -> Iterator[Bot]:
    yield from _bot(tmp_path, {"STOCKBOT_SQLITE_BUSY_TIMEOUT_MS": "200"})


class WriteLock:
    """Another process's writer holding the file's write lock (BEGIN IMMEDIATE)."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)

    def __enter__(self) -> WriteLock:
        self.connection.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc: object) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def _path(bot: Bot) -> str:
    return str(bot.runtime.engine.url.database)


def _snoozes(bot: Bot) -> int:
    with bot.runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Snooze)) or 0


def test_snooze_while_another_process_writes_says_busy_in_one_line_then_works(bot: Bot) -> None:
    with WriteLock(_path(bot)):
        bot.sender.command("snooze EMG331 3d")
        [note] = wait_for(lambda: bot.slack.ephemerals("C1"), timeout=10)
    assert note["text"] == BUSY.capitalize() + "."
    assert "\n" not in note["text"]
    assert _snoozes(bot) == 0
    bot.sender.command("snooze EMG331 3d")
    later = wait_for(lambda: bot.slack.ephemerals("C1")[1:], timeout=10)
    assert "EMG331 is snoozed until" in later[0]["text"]
    assert _snoozes(bot) == 1


def test_the_snooze_button_while_locked_says_busy_too(bot: Bot) -> None:
    bot.sender.command("analyze EMG331")
    [message] = wait_for(lambda: bot.slack.messages("C1"))
    [(block_id, value)] = [
        (block.get("block_id"), element["value"])
        for block in message["blocks"]
        for element in [*block.get("elements", []), block.get("accessory") or {}]
        if element.get("action_id") == "snooze"
    ]
    with WriteLock(_path(bot)):
        bot.sender.click(message, "snooze", block_id, value)
        [note] = wait_for(lambda: bot.slack.ephemerals("C1"), timeout=10)
    assert note["text"] == BUSY.capitalize() + "."
    assert _snoozes(bot) == 0


def test_import_while_another_process_writes_says_busy_on_stderr(
    bot: Bot, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "one.csv"
    csv.write_text("sku,account,stock,number_of_offers\nNEW1,main,3,2\n")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{_path(bot)}")
    monkeypatch.setenv("STOCKBOT_SQLITE_BUSY_TIMEOUT_MS", "200")
    with WriteLock(_path(bot)):
        status = main(["import", str(csv)])
    assert status == 1
    assert capsys.readouterr().err == f"stockbot: error: {BUSY}\n"
    assert main(["import", str(csv)]) == 0
