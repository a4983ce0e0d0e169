"""The digest against a stand-in as strict as Slack: one channel message and its thread,
paced, within the size limits, through the channel's ID when it is configured by name,
and exactly once when answers are lost or the process is killed mid-digest."""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select, update

from bot.intake.demo_data import emg331
from bot.jobs import worker as jobs
from bot.jobs.digest import follow_up_resolved, run_digest
from bot.runtime import Runtime
from bot.slack_client import make_web_client
from bot.slack_standin import SlackStandin
from storage.models import Digest, DigestMessage
from tests.conftest import NOW
from tests.factories import offer, product
from tests.jobs.conftest import CHANNEL, PACE, store
from tests.jobs.test_digest_review_fixes import _DiesOnSecondPost
from tests.jobs.test_digest_run import alert_ids, low_on_fbe, texts


def zero_on_main(sku: str, loss: str):  # type: ignore[no-untyped-def]
    """High: MAIN at 0 with competition, losing `loss` RON a day (2 sales a day)."""
    price = f"{float(loss) / 2:.2f}"
    return product(
        offer("main", 0, 3, velocity="2", price=price), offer("fbe", 40, 3, price=price), sku=sku
    )


def parts_of(slack: SlackStandin, channel: str = CHANNEL) -> list[int]:
    """The digest part each message in the channel says it is (its metadata)."""
    return [
        m["metadata"]["event_payload"]["part"] for m in slack.messages(channel) if "metadata" in m
    ]


def named(runtime: Runtime, slack: SlackStandin) -> tuple[Runtime, str]:
    """The runtime with STOCKBOT_ALERT_CHANNEL given by name, and that channel's ID."""
    channel_id = slack.add_channel("stock-alerts")
    settings = runtime.settings.model_copy(update={"alert_channel": "#stock-alerts"})
    return dataclasses.replace(runtime, settings=settings), channel_id


def test_three_thousand_alerts_one_message_a_paced_thread_and_resolved_through_the_id(
    runtime, client, slack
):
    runtime, channel_id = named(runtime, slack)
    store(runtime, [emg331(NOW)] + [low_on_fbe(f"BULK{i:04d}") for i in range(3000)], NOW)

    outcome = run_digest(runtime, client, NOW)

    assert outcome.status == "sent" and outcome.channel_id == channel_id
    posts = slack.requests("chat.postMessage")
    assert all(p["status"] == 200 and p["error"] is None for p in posts)  # no refusal
    [head] = slack.top_level(channel_id)
    thread = slack.replies(channel_id, head["ts"])
    assert len(thread) == outcome.parts_posted - 1 == len(posts) - 1
    assert "more in the thread" in texts([head]) and "EMG331" in texts([head])
    ids = alert_ids(slack.messages(channel_id))
    assert len(ids) == len(set(ids)) == 3001
    # The configured pace: no faster on average, and no burst the stand-in (held to the
    # same pace) would have answered with a 429.
    assert posts[-1]["at"] - posts[0]["at"] >= (len(posts) - 1) / PACE * 0.95
    assert outcome.permalink and channel_id in outcome.permalink

    again = run_digest(runtime, client, NOW + timedelta(hours=1))
    assert again.status == "skipped" and len(slack.requests("chat.postMessage")) == len(posts)

    fixed = emg331(NOW).model_copy(deep=True)
    fixed.main.stock, fixed.main.last_sent_at = 10, NOW
    store(runtime, [fixed], NOW)
    assert follow_up_resolved(runtime, client, NOW) == 1
    [edit] = slack.requests("chat.update")
    assert edit["body"]["channel"] == channel_id and edit["error"] is None
    assert "resolved at" in texts(slack.top_level(channel_id))


def test_the_channel_message_lists_the_most_urgent_by_priority_then_lost_sales(
    runtime, client, slack
):
    losses = ["10", "300", "45", "120", "5", "80", "200", "15", "60", "35", "250", "1"]
    store(runtime, [zero_on_main(f"Z{i:02d}", loss) for i, loss in enumerate(losses)], NOW)
    store(runtime, [low_on_fbe(f"MED{i}") for i in range(5)], NOW)

    run_digest(runtime, client, NOW)

    [head] = slack.top_level(CHANNEL)
    shown = [
        b["text"]["text"].split("*")[1] for b in head["blocks"] if "alert:" in b.get("block_id", "")
    ]
    by_loss = sorted(range(len(losses)), key=lambda i: -float(losses[i]))
    assert shown == [f"Z{i:02d}" for i in by_loss[:10]]
    assert "7 more in the thread" in texts([head])  # 2 high and 5 medium


def test_posts_keep_to_one_a_second_by_default(runtime, slack):
    real = SlackStandin(token=slack.token, post_rate=1, post_burst=3).start()
    try:
        settings = runtime.settings.model_copy(
            update={"slack_api_url": real.api_url, "slack_posts_per_second": 1.0}
        )
        runtime = dataclasses.replace(runtime, settings=settings)
        store(runtime, [low_on_fbe(f"P{i:03d}") for i in range(130)], NOW)
        outcome = run_digest(runtime, make_web_client(settings, resend=False), NOW)
        posts = real.requests("chat.postMessage")
        assert outcome.status == "sent" and len(posts) == outcome.parts_posted >= 3
        assert all(p["status"] == 200 for p in posts)  # never faster than Slack allows
        gaps = [b["at"] - a["at"] for a, b in pairwise(posts)]
        assert min(gaps) >= 0.9
    finally:
        real.stop()


@pytest.mark.parametrize("lost", [0, 1], ids=["channel-message", "thread-reply"])
def test_a_lost_answer_does_not_post_a_part_twice(runtime, client, slack, lost):
    store(runtime, [low_on_fbe(f"L{i:03d}") for i in range(120)], NOW)
    slack.drop_reply("chat.postMessage", after=lost)

    outcome = run_digest(runtime, client, NOW)

    assert outcome.status == "sent"
    posted = parts_of(slack)
    assert sorted(posted) == list(range(len(posted))) and len(posted) >= 3
    assert slack.requests("conversations.history" if lost == 0 else "conversations.replies")
    ids = alert_ids(slack.messages(CHANNEL))
    assert len(ids) == len(set(ids)) == 120


def test_an_unreadable_history_records_the_part_as_unknown_then_finds_it(runtime, client, slack):
    store(runtime, [low_on_fbe(f"U{i:03d}") for i in range(120)], NOW)
    slack.drop_reply("chat.postMessage", after=1)
    slack.fail_next("conversations.replies", status=500, retry_after=None, times=None)

    failed = run_digest(runtime, client, NOW)

    assert failed.status == "failed" and "recorded as unknown" in failed.detail
    slack.clear_failures()
    resumed = run_digest(runtime, client, NOW + timedelta(minutes=1))
    assert resumed.status == "sent"
    posted = parts_of(slack)
    assert sorted(posted) == list(range(len(posted)))  # part 1 found, not posted again


def test_a_lapsed_claim_is_taken_over_and_a_live_one_is_left(runtime, client, slack):
    store(runtime, [low_on_fbe(f"T{i:03d}") for i in range(120)], NOW)
    slack.fail_after("chat.postMessage", successes=2, status=400)
    assert run_digest(runtime, client, NOW).status == "failed"
    slack.clear_failures()
    with runtime.sessions() as session, session.begin():
        # As if another host's run were posting it, its lease running for a minute more.
        session.execute(
            update(Digest).values(
                status="claimed", claimed_by="elsewhere:1:x", lease_until=NOW + timedelta(minutes=1)
            )
        )
    held = run_digest(runtime, client, NOW + timedelta(seconds=30))
    assert held.status == "skipped" and "elsewhere:1:x" in held.detail

    taken = run_digest(runtime, client, NOW + timedelta(minutes=2))

    assert taken.status == "sent"
    assert sorted(parts_of(slack)) == list(range(len(parts_of(slack))))
    with runtime.sessions() as session:
        assert session.scalar(select(Digest.attempts)) == 2
        assert all(m.ts for m in session.scalars(select(DigestMessage)))


def test_the_worker_takes_over_a_digest_its_dead_predecessor_left_half_posted(
    runtime, client, slack
):
    store(runtime, [low_on_fbe(f"W{i:03d}") for i in range(120)], NOW)
    jobs.resume_digest_job(runtime)
    assert slack.requests("chat.postMessage") == []  # nothing unfinished: nothing posted
    with contextlib.suppress(SystemExit):
        run_digest(runtime, _DiesOnSecondPost(client), NOW)
    assert len(parts_of(slack)) == 1

    jobs.resume_digest_job(runtime)

    posted = parts_of(slack)
    assert sorted(posted) == list(range(len(posted))) and len(posted) >= 3
    with runtime.sessions() as session:
        assert session.scalar(select(Digest.status)) == "sent"
