"""Edits of one message never undo each other: two clicks at once, or a click and the
digest's "resolved" follow-up, both stay visible; and no edit holds the database while
Slack answers."""

from __future__ import annotations

import threading
import time

from bot.intake.demo_data import emg331
from bot.intake.seed import store_snapshots
from bot.jobs.digest import follow_up_resolved, run_digest
from bot.slack_client import make_web_client
from tests.handlers.conftest import Bot, wait_for
from tests.handlers.test_slash_commands import _buttons, _text

CHANNEL = "CDIGEST"


def _digest_message(bot: Bot, with_sku: str | None = None) -> dict:
    runtime = bot.runtime
    assert run_digest(runtime, make_web_client(runtime.settings), bot.clock.now).status == "sent"
    return next(
        m
        for m in bot.slack.messages(CHANNEL)
        if sum(b["action_id"] == "validate_transfer" for b in _buttons(m)) >= 2
        and (with_sku is None or with_sku in _text(m))
    )


def _current(bot: Bot, ts: str) -> dict:
    return next(m for m in bot.slack.messages(CHANNEL) if m["ts"] == ts)


def test_two_validations_clicked_at_once_both_stay(bot: Bot) -> None:
    message = _digest_message(bot)
    first, second = [b for b in _buttons(message) if b["action_id"] == "validate_transfer"][:2]
    payloads = [
        bot.sender.click_payload(
            message, "validate_transfer", b["block_id"], b["value"], user=user, channel=CHANNEL
        )
        for b, user in ((first, "UA"), (second, "UB"))
    ]
    threads = [threading.Thread(target=bot.sender.send_payload, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    def both_stamped() -> dict | None:
        current = _current(bot, message["ts"])
        return current if "<@UA>" in _text(current) and "<@UB>" in _text(current) else None

    after = wait_for(both_stamped)
    assert "<@UA>" in _text(after) and "<@UB>" in _text(after)
    left = {b["block_id"] for b in _buttons(after) if b["action_id"] == "validate_transfer"}
    assert first["block_id"] not in left and second["block_id"] not in left


def test_a_resolved_follow_up_keeps_an_earlier_validation(bot: Bot) -> None:
    runtime = bot.runtime
    message = _digest_message(bot, with_sku="EMG331")
    [button] = [
        b
        for b in _buttons(message)
        if b["action_id"] == "validate_transfer" and "EMG331" in b["value"]
    ]
    bot.sender.click(
        message, "validate_transfer", button["block_id"], button["value"], channel=CHANNEL
    )
    wait_for(lambda: "Validated by" in _text(_current(bot, message["ts"])))

    other = next(
        b
        for b in message["blocks"]
        if b.get("block_id", "").startswith("alert:") and b["block_id"] != button["block_id"]
    )
    sku = other["text"]["text"].split("*")[1]
    now = bot.clock.now
    snapshot = runtime.service.snapshot(sku)

    def healthy(offer):  # type: ignore[no-untyped-def]
        if offer is None:
            return None
        return offer.model_copy(
            update={
                "stock": 50,
                "number_of_offers": 1,
                "buy_button_rank": 1,
                "last_sent_at": now,
                "last_read_at": now,
            }
        )

    fixed = snapshot.model_copy(
        update={"main": healthy(snapshot.main), "fbe": healthy(snapshot.fbe)}
    )
    store_snapshots(runtime.sessions, [fixed], "csv", now, runtime.service.rules)
    assert follow_up_resolved(runtime, make_web_client(runtime.settings), now) == 1

    # The click's edit may still be landing (sent, not yet recorded): it is then made
    # again on top of the follow-up's, so the message ends up carrying both.
    def carries_both() -> dict | None:
        current = _current(bot, message["ts"])
        shown = _text(current)
        return current if "resolved at" in shown and "Validated by <@U1>" in shown else None

    after = wait_for(carries_both)
    assert not any(
        b["action_id"] == "validate_transfer" and "EMG331" in b["value"] for b in _buttons(after)
    )


def test_a_slow_slack_during_the_follow_up_blocks_neither_an_import_nor_a_click(bot: Bot) -> None:
    runtime, now = bot.runtime, bot.clock.now
    message = _digest_message(bot, with_sku="EMG331")
    [button] = [
        b
        for b in _buttons(message)
        if b["action_id"] == "validate_transfer" and "EMG331" in b["value"]
    ]
    other = next(
        b
        for b in message["blocks"]
        if b.get("block_id", "").startswith("alert:") and b["block_id"] != button["block_id"]
    )
    snapshot = runtime.service.snapshot(other["text"]["text"].split("*")[1])
    fixed = snapshot.model_copy(
        update={
            account: offer.model_copy(
                update={"stock": 50, "number_of_offers": 1, "last_sent_at": now}
            )
            for account in ("main", "fbe")
            if (offer := getattr(snapshot, account)) is not None
        }
    )
    store_snapshots(runtime.sessions, [fixed], "csv", now, runtime.service.rules)
    bot.slack.slow("chat.update", seconds=2)
    follow_up = threading.Thread(
        target=follow_up_resolved, args=(runtime, make_web_client(runtime.settings), now)
    )
    follow_up.start()
    wait_for(lambda: bot.slack.requests("chat.update"))  # Slack is taking its time

    started = time.monotonic()
    store_snapshots(runtime.sessions, [emg331(now)], "csv", now, runtime.service.rules)
    imported = time.monotonic() - started
    bot.sender.click(
        message, "validate_transfer", button["block_id"], button["value"], channel=CHANNEL
    )
    wait_for(lambda: "Validated by" in _text(_current(bot, message["ts"])))
    clicked = time.monotonic() - started

    assert follow_up.is_alive()  # still waiting on Slack, holding nothing
    assert imported < 1.0 and clicked < 1.8
    follow_up.join(timeout=15)
    after = _current(bot, message["ts"])
    assert "resolved at" in _text(after) and "Validated by <@U1>" in _text(after)
