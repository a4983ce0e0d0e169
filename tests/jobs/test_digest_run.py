"""Digest runs against the Slack stand-in over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from bot.intake.demo_data import emg331
from bot.jobs.digest import follow_up_resolved, run_digest
from storage.models import Digest, Product, Snooze
from tests.conftest import NOW
from tests.factories import offer, product
from tests.jobs.conftest import CHANNEL, store


def healthy(sku: str):  # type: ignore[no-untyped-def]
    return product(offer("main", 20, 1), offer("fbe", 20, 1), sku=sku)


def low_on_fbe(sku: str):  # type: ignore[no-untyped-def]
    return product(offer("main", 30, 3), offer("fbe", 2, 3), sku=sku)


def alert_ids(messages) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        block["block_id"]
        for message in messages
        for block in message.get("blocks", [])
        if block.get("block_id", "").startswith("alert:")
    ]


def texts(messages) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(
        block.get("text", {}).get("text", "")
        + "".join(element.get("text", "") for element in block.get("elements", []))
        for message in messages
        for block in message.get("blocks", [])
    )


def test_second_digest_on_unchanged_data_says_nothing_new_then_fix_resolves(
    runtime, client, slack, clock
):
    store(runtime, [emg331(NOW), healthy("OK1"), low_on_fbe("LOW1")], NOW)
    first = run_digest(runtime, client, NOW)
    assert first.status == "sent"
    (message,) = slack.messages(CHANNEL)
    assert len(alert_ids([message])) == 2
    assert "EMG331" in texts([message]) and "Validate transfer" in str(message["blocks"])

    clock.now = NOW + timedelta(days=1)
    second = run_digest(runtime, client, clock.now)
    assert second.status == "sent"
    latest = slack.messages(CHANNEL)[-1]
    # Alerts are still open, so never "All clear": nothing new, and how many are open.
    assert latest["text"] == "Nothing new since Wed 25 Nov; 2 alerts still open (1 high)."
    assert alert_ids([latest]) == []

    fixed = emg331(NOW).model_copy(deep=True)
    fixed.main.stock, fixed.fbe.stock = 10, 16
    fixed.main.last_sent_at = fixed.fbe.last_sent_at = clock.now
    fixed.main.last_read_at = fixed.fbe.last_read_at = clock.now
    store(runtime, [fixed], clock.now)
    clock.now = NOW + timedelta(days=2)
    third = run_digest(runtime, client, clock.now)
    assert third.status == "sent"
    latest = slack.messages(CHANNEL)[-1]
    assert "Resolved since Thu 26 Nov (1)" in texts([latest]) and "EMG331" in texts([latest])
    # The first digest's message no longer shows EMG331 as an open alert.
    first_message = slack.messages(CHANNEL)[0]
    resolved_block = next(b for b in first_message["blocks"] if "EMG331" in str(b))
    assert "resolved at" in resolved_block["text"]["text"]
    assert "accessory" not in resolved_block
    assert slack.requests("chat.update")


def test_same_day_runs_post_once(runtime, client, slack):
    store(runtime, [emg331(NOW)], NOW)
    assert run_digest(runtime, client, NOW).status == "sent"
    again = run_digest(runtime, client, NOW + timedelta(minutes=5))
    assert again.status == "skipped"
    assert len(slack.requests("chat.postMessage")) == 1
    forced = run_digest(runtime, client, NOW + timedelta(minutes=6), force=True)
    assert forced.status == "sent" and len(slack.requests("chat.postMessage")) == 2


def test_rate_limited_post_waits_for_retry_after_then_posts_once(runtime, client, slack):
    store(runtime, [emg331(NOW)], NOW)
    slack.fail_next("chat.postMessage", status=429, retry_after=1, times=1)
    started = time.monotonic()
    outcome = run_digest(runtime, client, NOW)
    assert outcome.status == "sent"
    assert time.monotonic() - started >= 1.0
    assert len(slack.requests("chat.postMessage")) == 2
    assert len(slack.messages(CHANNEL)) == 1


def test_server_errors_record_a_failure_and_the_next_run_posts_late(runtime, client, slack):
    store(runtime, [emg331(NOW)], NOW)
    slack.fail_next("chat.postMessage", status=500, times=None)
    outcome = run_digest(runtime, client, NOW)
    assert outcome.status == "failed" and "500" in outcome.detail
    assert slack.messages(CHANNEL) == []
    with runtime.sessions() as session:
        digest = session.scalars(select(Digest)).one()
    assert digest.status == "failed" and "500" in digest.error

    slack.clear_failures()
    retry = run_digest(runtime, client, NOW + timedelta(minutes=30))
    assert retry.status == "sent"
    (message,) = slack.messages(CHANNEL)
    assert "Late" in texts([message]) and "500" in texts([message])
    with runtime.sessions() as session:
        digest = session.scalars(select(Digest)).one()
    assert digest.status == "sent" and digest.attempts == 2


def test_a_failure_between_parts_resumes_without_reposting(runtime, client, slack):
    many = [low_on_fbe(f"LOW{i:03d}") for i in range(120)]
    store(runtime, many, NOW)
    slack.fail_after("chat.postMessage", successes=1, status=500)
    outcome = run_digest(runtime, client, NOW)
    assert outcome.status == "failed" and outcome.parts_posted == 1
    slack.clear_failures()
    assert run_digest(runtime, client, NOW + timedelta(minutes=1)).status == "sent"
    ids = alert_ids(slack.messages(CHANNEL))
    assert len(ids) == len(set(ids)) == 120


def test_snoozed_alert_is_left_out_until_it_gets_worse(runtime, client, slack):
    store(runtime, [low_on_fbe("SNZ1"), low_on_fbe("OTHER")], NOW)
    with runtime.sessions() as session, session.begin():
        snoozed_id = session.scalar(select(Product.id).where(Product.sku_key == "SNZ1"))
        session.add(
            Snooze(
                product_id=snoozed_id,
                until=NOW + timedelta(days=3),
                priority_at_snooze="medium",
                created_by="U1",
                created_at=NOW,
            )
        )
    run_digest(runtime, client, NOW)
    message = slack.messages(CHANNEL)[-1]
    assert "OTHER" in texts([message]) and "SNZ1" not in texts([message])
    assert "1 snoozed" in texts([message])

    worse = product(offer("main", 30, 3), offer("fbe", 0, 3), sku="SNZ1")
    store(runtime, [worse], NOW)
    run_digest(runtime, client, NOW + timedelta(days=1))
    message = slack.messages(CHANNEL)[-1]
    # Snoozed alerts stay out of the baseline, so a worse one comes back as new.
    assert "*SNZ1*" in texts([message]) and "[HIGH] new" in texts([message])


def test_follow_up_without_a_digest_marks_resolved_in_place(runtime, client, slack, clock):
    store(runtime, [emg331(NOW)], NOW)
    run_digest(runtime, client, NOW)
    fixed = emg331(NOW).model_copy(deep=True)
    fixed.main.stock = 10
    fixed.main.last_sent_at = NOW
    store(runtime, [fixed], NOW)
    assert follow_up_resolved(runtime, client, NOW) == 1
    assert follow_up_resolved(runtime, client, NOW) == 0
    assert "resolved at" in texts(slack.messages(CHANNEL))
