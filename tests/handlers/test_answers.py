"""How answers reach people: acks that never wait on the answer pool, "busy" when a
command has to queue, refusals and failures logged with their traceback and told in one
line, and the long answers (`bulk` of 100 long SKUs, `alerts 50`) within the limits."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.intake.seed import store_snapshots
from bot.slack_standin.limits import block_errors, too_long
from handlers.answering import BUSY
from handlers.blocks.size import problems
from tests.conftest import NOW
from tests.factories import offer, product
from tests.handlers.conftest import Bot, _bot, wait_for


@pytest.fixture
def one_answer_thread(tmp_path: Any) -> Iterator[Bot]:
    """An answer pool of one thread that says "busy" after 0.3 s."""
    yield from _bot(
        tmp_path, {"STOCKBOT_ANSWER_THREADS": "1", "STOCKBOT_BUSY_NOTICE_SECONDS": "0.3"}
    )


def _answers(bot: Bot, key: str) -> list[dict]:
    """What reached the response_url `key`, in order."""
    return [r["body"] for r in bot.slack.requests("response_url") if r["key"] == key]


def _key(fields: dict[str, str]) -> str:
    return fields["response_url"].rsplit("/", 1)[1]


def test_a_command_stuck_behind_a_busy_pool_is_acked_at_once_and_told_it_is_coming(
    one_answer_thread: Bot,
) -> None:
    bot = one_answer_thread
    with bot.runtime.engine.connect() as writer:
        # Another process writing: the snooze waits for SQLite's lock on the only thread.
        writer.exec_driver_sql("BEGIN IMMEDIATE")
        bot.sender.command("snooze EMG331 3d")
        waiting = bot.sender.command_fields("help", "U2", "C1")
        started = time.monotonic()
        ack = bot.sender._form(waiting)
        acked = time.monotonic() - started
        told = wait_for(lambda: _answers(bot, _key(waiting)))
        writer.rollback()

    assert ack.status_code == 200 and acked < 0.5
    assert told[0]["text"] == BUSY and told[0]["response_type"] == "ephemeral"
    answered = wait_for(lambda: _answers(bot, _key(waiting))[1:])
    assert answered[0]["text"].startswith("*stockbot* keeps MAIN and FBE offers selling")
    wait_for(lambda: [m for m in bot.slack.ephemerals() if "is snoozed until" in m["text"]])


def test_an_answer_slack_refuses_is_logged_with_its_traceback_and_told_in_one_line(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="stockbot.slack")
    bot.slack.fail_next("response_url", status=400, retry_after=None)
    fields = bot.sender.command_fields("analyze EMG331", "U1", "C1")
    bot.sender._form(fields)

    [told] = wait_for(lambda: bot.slack.ephemerals("C1"))

    assert told["text"] == "Slack refused the answer: invalid_blocks"
    failures = [r for r in caplog.records if "refused or lost" in r.getMessage()]
    assert failures and failures[0].exc_info is not None  # the traceback is in the log
    assert "AnswerRefused" in caplog.text and "invalid_blocks" in caplog.text


def _within_limits(answer: dict) -> None:
    assert problems(answer["blocks"]) == []
    assert block_errors(answer["blocks"]) == [] and not too_long(answer["blocks"])


def test_bulk_of_a_hundred_long_skus_answers_within_the_limits(bot: Bot) -> None:
    skus = [f"LONG-{i:03d}-" + "X" * 90 for i in range(100)]
    fields = bot.sender.command_fields("bulk " + " ".join(skus), "U1", "C1")
    bot.sender._form(fields)

    [answer] = wait_for(lambda: _answers(bot, _key(fields)))

    _within_limits(answer)
    text = json.dumps(answer["blocks"])
    shown = sum(sku in text for sku in skus)
    # The first ones shown in order, the rest counted.
    assert all(sku in text for sku in skus[:shown]) and f"and {100 - shown} more" in text


def test_alerts_50_with_long_names_answers_within_the_limits(bot: Bot) -> None:
    name = "Very long product name & <b>markup</b> " * 12
    long_named = [
        product(offer("main", 0, 3, velocity="2"), offer("fbe", 40, 3), sku=f"NAMED{i:02d}")
        for i in range(60)
    ]
    for snapshot in long_named:
        snapshot.name = name
    store_snapshots(bot.runtime.sessions, long_named, "csv", NOW, bot.runtime.service.rules)
    fields = bot.sender.command_fields("alerts 50", "U1", "C1")
    bot.sender._form(fields)

    [answer] = wait_for(lambda: _answers(bot, _key(fields)))

    _within_limits(answer)
    text = json.dumps(answer["blocks"])
    assert "<b>" not in text and "&amp;" in text
    # Every one of the 50 is there (the first with buttons, the rest as lines), or counted.
    shown = text.count(" / FBE ")
    assert shown == 50 or (shown < 50 and f"and {50 - shown} more" in text)
    assert "NAMED00" in text
