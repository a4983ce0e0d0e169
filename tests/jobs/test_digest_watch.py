"""The competitor watch in the daily digest: a lost buy button and a new seller come in
as new alerts, and leave as resolved once won back or past the watch window."""

from __future__ import annotations

from datetime import timedelta

from bot.jobs.digest import run_digest
from tests.conftest import NOW
from tests.factories import offer, product
from tests.jobs.conftest import CHANNEL, store
from tests.jobs.test_digest_run import alert_ids, texts


def _lost(rank: int, lost: bool):  # type: ignore[no-untyped-def]
    main = offer("main", 20, 3, rank=rank).model_copy(
        update={"buy_button_lost_at": NOW - timedelta(hours=1) if lost else None}
    )
    return product(main, offer("fbe", 10, 3, rank=3), sku="LOST1")


def _new_seller():  # type: ignore[no-untyped-def]
    main = offer("main", 5, 3, rank=1).model_copy(
        update={"sellers_before": 0, "sellers_rose_at": NOW - timedelta(hours=1)}
    )
    return product(main, None, sku="NEW1")


def test_lost_buy_button_and_new_seller_are_new_then_resolved(runtime, client, slack, clock):
    store(runtime, [_lost(2, lost=True), _new_seller()], NOW)
    assert run_digest(runtime, client, NOW).status == "sent"
    (message,) = slack.messages(CHANNEL)
    shown = texts([message])
    assert len(alert_ids([message])) == 2
    assert "buy button lost" in shown and "new seller on the PNK" in shown
    # No best price stored: the line says so, never a made-up gap.
    assert "with 20 in stock; best price unknown" in shown

    # The next sync sees rank 1 again (won back); the new seller is a day old.
    clock.now = NOW + timedelta(days=1)
    store(runtime, [_lost(1, lost=False)], clock.now)
    assert run_digest(runtime, client, clock.now).status == "sent"
    latest = slack.messages(CHANNEL)[-1]
    assert "Resolved since Wed 25 Nov (2)" in texts([latest])
    assert "LOST1" in texts([latest]) and "NEW1" in texts([latest])
